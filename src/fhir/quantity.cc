#include "fhir/quantity.h"

#include <algorithm>
#include <array>
#include <utility>

#include "base/ascii.h"

namespace fhir {
namespace {

constexpr std::string_view kUcum = "http://unitsofmeasure.org";

struct UnitFactor {
  std::string_view unit;
  double factor;
};

// Case-sensitive UCUM codes first; a lower-cased fallback accepts common human spellings.
std::optional<double> Convert(const Quantity& q, const UnitFactor* table, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (q.unit == table[i].unit) return q.value * table[i].factor;
  std::string unit = q.unit;
  unit.erase(std::remove(unit.begin(), unit.end(), ' '), unit.end());
  for (std::size_t i = 0; i < n; ++i)
    if (base::EqualsIgnoreCase(unit, table[i].unit)) return q.value * table[i].factor;
  return std::nullopt;
}

template <std::size_t N>
std::optional<double> Convert(const Quantity& q, const std::array<UnitFactor, N>& table) {
  return Convert(q, table.data(), N);
}

}  // namespace

std::optional<Quantity> ReadQuantity(const base::Json& quantity) {
  auto value = base::NumberMember(quantity, "value");
  if (!value) return std::nullopt;
  Quantity q;
  q.value = *value;
  auto system = base::StringMember(quantity, "system");
  auto code = base::StringMember(quantity, "code");
  auto unit = base::StringMember(quantity, "unit");
  // The UCUM code when there is one, else the human unit, else whatever code there is.
  const bool ucum_code = code && (!system || *system == kUcum);
  if (ucum_code || (code && !unit)) {
    q.unit = std::string(*code);
  } else if (unit) {
    q.unit = std::string(*unit);
  }
  if (auto c = base::StringMember(quantity, "comparator")) q.comparator = std::string(*c);
  return q;
}

std::optional<double> ToMilligrams(const Quantity& q) {
  static constexpr std::array<UnitFactor, 6> kTable = {
      {{"mg", 1}, {"g", 1000}, {"ug", 0.001}, {"mcg", 0.001}, {"kg", 1e6}, {"ng", 1e-6}}};
  return Convert(q, kTable);
}

std::optional<double> ToMillilitres(const Quantity& q) {
  static constexpr std::array<UnitFactor, 5> kTable = {
      {{"mL", 1}, {"L", 1000}, {"uL", 0.001}, {"dL", 100}, {"cL", 10}}};
  return Convert(q, kTable);
}

std::optional<double> ToKilograms(const Quantity& q) {
  static constexpr std::array<UnitFactor, 7> kTable = {{{"kg", 1},
                                                        {"g", 0.001},
                                                        {"[lb_av]", 0.45359237},
                                                        {"lb", 0.45359237},
                                                        {"lbs", 0.45359237},
                                                        {"[oz_av]", 0.028349523125},
                                                        {"oz", 0.028349523125}}};
  return Convert(q, kTable);
}

std::optional<double> ToBillionPerLitre(const Quantity& q) {
  static constexpr std::array<UnitFactor, 15> kTable = {{{"10*9/L", 1},
                                                         {"10^9/L", 1},
                                                         {"x10E9/L", 1},
                                                         {"10*3/uL", 1},
                                                         {"10^3/uL", 1},
                                                         {"x10E3/uL", 1},
                                                         {"10*3/mm3", 1},
                                                         {"K/uL", 1},
                                                         {"/uL", 0.001},
                                                         {"/mm3", 0.001},
                                                         {"{cells}/uL", 0.001},
                                                         {"cells/uL", 0.001},
                                                         {"/nL", 1},
                                                         {"10*6/L", 0.001},
                                                         {"10*9/l", 1}}};
  return Convert(q, kTable);
}

std::optional<double> ToMillilitresPerMinute(const Quantity& q) {
  static constexpr std::array<UnitFactor, 8> kTable = {{{"mL/min", 1},
                                                        {"mL/min/{1.73_m2}", 1},
                                                        {"mL/min/1.73m2", 1},
                                                        {"mL/min/1.73_m2", 1},
                                                        {"mL/min/{1.73m2}", 1},
                                                        {"mL/min/1.73 m2", 1},
                                                        {"mL/s", 60},
                                                        {"mL/s/{1.73_m2}", 60}}};
  return Convert(q, kTable);
}

}  // namespace fhir
