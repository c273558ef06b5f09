#include "fhir/timing.h"

#include <array>
#include <cmath>
#include <cstdio>

namespace fhir {
namespace {

std::optional<double> DaysPerUnit(std::string_view unit) {
  if (unit == "s") return 1.0 / 86400;
  if (unit == "min") return 1.0 / 1440;
  if (unit == "h") return 1.0 / 24;
  if (unit == "d") return 1.0;
  if (unit == "wk") return 7.0;
  if (unit == "mo") return 30.4375;
  if (unit == "a") return 365.25;
  return std::nullopt;
}

struct NamedFrequency {
  std::string_view code;
  double per_day;
};

constexpr std::array<NamedFrequency, 19> kCodes = {{{"QD", 1},
                                                    {"BID", 2},
                                                    {"TID", 3},
                                                    {"QID", 4},
                                                    {"QOD", 0.5},
                                                    {"AM", 1},
                                                    {"PM", 1},
                                                    {"BED", 1},
                                                    {"QHS", 1},
                                                    {"QAM", 1},
                                                    {"QPM", 1},
                                                    {"WK", 1.0 / 7},
                                                    {"MO", 1.0 / 30.4375},
                                                    {"Q1H", 24},
                                                    {"Q2H", 12},
                                                    {"Q4H", 6},
                                                    {"Q6H", 4},
                                                    {"Q8H", 3},
                                                    {"Q12H", 2}}};

std::optional<TimingFrequency> FromCode(std::string_view code) {
  for (const auto& c : kCodes)
    if (c.code == code) return TimingFrequency{c.per_day, std::string(code)};
  return std::nullopt;
}

std::string Canonical(double frequency, double period, std::string_view unit, double per_day) {
  for (const auto& c : kCodes)
    if (SameFrequency(per_day, c.per_day) && c.code.size() <= 3 && c.code != "AM" &&
        c.code != "PM" && c.code != "BED")
      return std::string(c.code);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g per %g %.*s", frequency, period, static_cast<int>(unit.size()),
                unit.data());
  return buf;
}

}  // namespace

bool SameFrequency(double per_day, double x) { return std::fabs(per_day - x) < 1e-6; }

std::optional<TimingFrequency> ReadTimingFrequency(const Json& timing) {
  if (const Json* repeat = Member(timing, "repeat"); repeat != nullptr && repeat->IsObject()) {
    auto period = NumberMember(*repeat, "period");
    auto unit = StringMember(*repeat, "periodUnit");
    auto frequency = NumberMember(*repeat, "frequency");
    if (period && unit && *period > 0) {
      auto days = DaysPerUnit(*unit);
      if (days) {
        const double f = frequency.value_or(1);
        const double per_day = f / (*period * *days);
        return TimingFrequency{per_day, Canonical(f, *period, *unit, per_day)};
      }
    }
    // Times of day without a period: that many administrations each day.
    std::size_t count = 0;
    for (const char* name : {"timeOfDay", "when"})
      if (const Json* v = Member(*repeat, name); v != nullptr && v->IsArray()) count += v->Size();
    if (count > 0) {
      const double per_day = static_cast<double>(count);
      return TimingFrequency{per_day, Canonical(per_day, 1, "d", per_day)};
    }
  }
  if (const Json* code = Member(timing, "code"); code != nullptr && code->IsObject()) {
    std::optional<TimingFrequency> found;
    ForEachObject(Member(*code, "coding"), [&](const Json& coding) {
      if (auto c = StringMember(coding, "code"); c && !found) found = FromCode(*c);
    });
    if (!found)
      if (auto text = StringMember(*code, "text")) found = FromCode(*text);
    return found;
  }
  return std::nullopt;
}

}  // namespace fhir
