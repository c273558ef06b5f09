// How often a FHIR Timing repeats, as administrations per day.
//
// Reads Timing.repeat (frequency/period/periodUnit, or timeOfDay/when counts) and falls back to
// Timing.code (HL7 v3 GTS abbreviations: QD, BID, TID, QID, QOD, Q4H..., AM, PM, WK, MO).
#pragma once

#include "fhir/json.h"

#include <optional>
#include <string>

namespace fhir {

struct TimingFrequency {
  double per_day = 0;  // e.g. 2 for BID, 0.5 for every other day
  std::string code;    // canonical description: "QD", "BID", "QOD", "3 per 1 wk", ...
};

// nullopt when the timing says nothing we can read about frequency.
std::optional<TimingFrequency> ReadTimingFrequency(const Json& timing);

// True when per_day equals x within rounding (1/1 d vs 24/24 h).
bool SameFrequency(double per_day, double x);

}  // namespace fhir
