#include "fhir/timing.h"

#include "base/ascii.h"

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

constexpr std::array<NamedFrequency, 21> kCodes = {{{"QD", 1},
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
                                                    {"Q12H", 2},
                                                    {"Q24H", 1},
                                                    {"Q48H", 0.5}}};

// Phrases a code's text (or display) says; compared case-insensitively.
constexpr std::array<NamedFrequency, 8> kPhrases = {{{"daily", 1},
                                                     {"once daily", 1},
                                                     {"once a day", 1},
                                                     {"twice daily", 2},
                                                     {"twice a day", 2},
                                                     {"every other day", 0.5},
                                                     {"every day", 1},
                                                     {"alternate days", 0.5}}};

using base::EqualsIgnoreCase;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '.'))
    s.remove_suffix(1);
  return s;
}

std::optional<TimingFrequency> FromCode(std::string_view code) {
  code = Trim(code);
  for (const auto& c : kCodes)
    if (EqualsIgnoreCase(c.code, code)) return TimingFrequency{c.per_day, std::string(c.code)};
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

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// A plausible frequency, or the reason it is not.
void Accept(TimingFrequency f, double max_per_day, TimingReading& out) {
  if (!(f.per_day > 0)) {
    out.unreadable = "a frequency of " + Number(f.per_day) + " a day";
  } else if (max_per_day > 0 && f.per_day > max_per_day + 1e-9) {
    out.unreadable = "an implausible frequency (" + Number(f.per_day) + " a day)";
  } else {
    out.frequency = std::move(f);
  }
}

// Reads Timing.repeat. Returns true when it decided the reading (a frequency or a reason).
bool ReadRepeat(const base::Json& repeat, double max_per_day, TimingReading& out) {
  const base::Json* frequency = base::Member(repeat, "frequency");
  const base::Json* period = base::Member(repeat, "period");
  const base::Json* unit = base::Member(repeat, "periodUnit");
  if (frequency != nullptr && !frequency->IsNumber()) {
    out.unreadable = "a timing frequency that is not a number";
    return true;
  }
  if (period != nullptr && !period->IsNumber()) {
    out.unreadable = "a timing period that is not a number";
    return true;
  }
  if (frequency != nullptr && frequency->GetDouble() <= 0) {
    out.unreadable = "a timing frequency of " + Number(frequency->GetDouble());
    return true;
  }
  if (period != nullptr && period->GetDouble() <= 0) {
    out.unreadable = "a timing period of " + Number(period->GetDouble());
    return true;
  }
  if (period != nullptr && unit != nullptr && unit->IsString()) {
    if (auto days = DaysPerUnit(base::View(*unit))) {
      const double f = frequency != nullptr ? frequency->GetDouble() : 1;
      const double p = period->GetDouble();
      const double per_day = f / (p * *days);
      Accept(TimingFrequency{per_day, Canonical(f, p, base::View(*unit), per_day)}, max_per_day,
             out);
      return true;
    }
  }
  // Times of day without a period: that many administrations each day.
  std::size_t count = 0;
  for (const char* name : {"timeOfDay", "when"})
    if (const base::Json* v = base::Member(repeat, name); v != nullptr && v->IsArray())
      count += v->Size();
  if (count > 0) {
    const double per_day = static_cast<double>(count);
    Accept(TimingFrequency{per_day, Canonical(per_day, 1, "d", per_day)}, max_per_day, out);
    return true;
  }
  return false;
}

}  // namespace

bool SameFrequency(double per_day, double x) { return std::fabs(per_day - x) < 1e-6; }

std::optional<TimingFrequency> FrequencyFromText(std::string_view text) {
  text = Trim(text);
  for (const auto& p : kPhrases)
    if (EqualsIgnoreCase(p.code, text)) {
      for (const auto& c : kCodes)
        if (SameFrequency(c.per_day, p.per_day) && c.code.size() <= 3)
          return TimingFrequency{p.per_day, std::string(c.code)};
    }
  return FromCode(text);
}

TimingReading ReadTiming(const base::Json& timing, double max_per_day) {
  TimingReading out;
  if (!timing.IsObject()) {
    out.given = true;
    out.unreadable = "a timing that is not a Timing object";
    return out;
  }
  const base::Json* repeat = base::Member(timing, "repeat");
  const base::Json* code = base::Member(timing, "code");
  if (repeat != nullptr) {
    out.given = true;
    if (!repeat->IsObject()) {
      out.unreadable = "a timing repeat that is not an object";
      return out;
    }
    if (ReadRepeat(*repeat, max_per_day, out)) return out;
  }
  if (code != nullptr) {
    out.given = true;
    if (!code->IsObject()) {
      out.unreadable = "a timing code that is not a CodeableConcept";
      return out;
    }
    std::optional<TimingFrequency> found;
    base::ForEachObject(base::Member(*code, "coding"), [&](const base::Json& coding) {
      if (found) return;
      if (auto c = base::StringMember(coding, "code")) found = FromCode(*c);
      if (!found)
        if (auto d = base::StringMember(coding, "display")) found = FrequencyFromText(*d);
    });
    if (!found)
      if (auto text = base::StringMember(*code, "text")) found = FrequencyFromText(*text);
    if (found) Accept(std::move(*found), max_per_day, out);
  }
  return out;
}

std::optional<TimingFrequency> ReadTimingFrequency(const base::Json& timing) {
  return ReadTiming(timing, 0).frequency;
}

}  // namespace fhir
