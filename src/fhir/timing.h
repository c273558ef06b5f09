// How often a FHIR Timing repeats, as administrations per day.
//
// Reads Timing.repeat (frequency/period/periodUnit, or timeOfDay/when counts) and falls back to
// Timing.code (HL7 v3 GTS abbreviations: QD, BID, TID, QID, QOD, Q12H, Q24H, Q48H..., AM, PM, WK,
// MO; case-insensitive), then to the code's text or display ("daily", "once daily", "twice daily",
// "every other day", or an abbreviation).
//
// Pure functions over the JSON; thread-safe. Nothing here fails: a timing that cannot be read
// gives no frequency, and one that is implausible or wrong-typed (a frequency <= 0 or above the
// plausible maximum, a period <= 0, a string where a number belongs) gives no frequency and a
// phrase saying why (TimingReading::unreadable).
#pragma once

#include "base/json.h"

#include <optional>
#include <string>
#include <string_view>

namespace fhir {

struct TimingFrequency {
  double per_day = 0;  // e.g. 2 for BID, 0.5 for every other day
  std::string code;    // canonical description: "QD", "BID", "QOD", "3 per 1 wk", ...
};

struct TimingReading {
  bool given = false;                        // a repeat, a code or a text was present
  std::optional<TimingFrequency> frequency;  // read and plausible
  std::string unreadable;  // why a given timing could not be used; empty otherwise
};

// Reads a Timing. `max_per_day` bounds a plausible frequency (0: no bound).
TimingReading ReadTiming(const base::Json& timing, double max_per_day);

// A frequency from a phrase or an abbreviation ("once daily", "every other day", "bid"), or
// nullopt. Case-insensitive; surrounding blanks ignored.
std::optional<TimingFrequency> FrequencyFromText(std::string_view text);

// nullopt when the timing says nothing we can read about frequency (ReadTiming without a bound).
std::optional<TimingFrequency> ReadTimingFrequency(const base::Json& timing);

// True when per_day equals x within rounding (1/1 d vs 24/24 h).
bool SameFrequency(double per_day, double x);

}  // namespace fhir
