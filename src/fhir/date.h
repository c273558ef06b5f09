// FHIR date, dateTime and instant values, and ages computed from partial birth dates.
//
// Times are seconds since the Unix epoch (UTC). A dateTime without a time zone is read as UTC; a
// date without a time is read as its start in UTC. Partial dates (YYYY, YYYY-MM) keep their
// precision so ages can be given as the range of completed years the true birthday allows.
// Thread safety: pure functions of their arguments. Errors: a malformed value gives nullopt,
// never a guess (callers record it as unreadable).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fhir {

using EpochSeconds = std::int64_t;
constexpr EpochSeconds kSecondsPerDay = 86400;

struct PartialDate {
  int year = 0;
  int month = 0;  // 1-12, or 0 when the date has year precision only
  int day = 0;    // 1-31, or 0 when absent
};

// Parses YYYY, YYYY-MM, YYYY-MM-DD, or the date part of a dateTime. nullopt if malformed.
std::optional<PartialDate> ParseDate(std::string_view text);

// Parses a FHIR date, dateTime or instant to the earliest instant it denotes.
std::optional<EpochSeconds> ParseDateTime(std::string_view text);

// Formats as YYYY-MM-DD / YYYY-MM-DDThh:mm:ssZ (UTC).
std::string FormatDate(EpochSeconds t);
std::string FormatDateTime(EpochSeconds t);

// Completed whole months of age at `at`, for the earliest and the latest birthday the partial
// date allows. For a full date both are equal. nullopt when `at` precedes every possible birthday.
struct AgeRange {
  int min_months = 0;  // latest possible birthday: youngest possible age
  int max_months = 0;  // earliest possible birthday: oldest possible age
  bool exact() const { return min_months == max_months; }
};
std::optional<AgeRange> AgeAt(const PartialDate& birth, EpochSeconds at);

// Days from 1970-01-01 to the given civil date (proleptic Gregorian); month 1-12, day 1-31.
std::int64_t DaysFromCivil(int year, int month, int day);

}  // namespace fhir
