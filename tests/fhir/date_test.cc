// FHIR date / dateTime parsing, formatting, and ages from full and partial birth dates.
#include "fhir/date.h"

#include <gtest/gtest.h>

namespace {

using fhir::AgeAt;
using fhir::EpochSeconds;
using fhir::kSecondsPerDay;
using fhir::ParseDate;
using fhir::ParseDateTime;

EpochSeconds Day(int y, int m, int d) { return fhir::DaysFromCivil(y, m, d) * kSecondsPerDay; }

fhir::PartialDate Birth(const char* text) {
  auto d = ParseDate(text);
  EXPECT_TRUE(d) << text;
  return d.value_or(fhir::PartialDate{});
}

// ---- ParseDate ---------------------------------------------------------------------------------

TEST(ParseDate, YearOnly) {
  auto d = ParseDate("2008");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->year, 2008);
  EXPECT_EQ(d->month, 0);
  EXPECT_EQ(d->day, 0);
}

TEST(ParseDate, YearMonth) {
  auto d = ParseDate("2008-02");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->year, 2008);
  EXPECT_EQ(d->month, 2);
  EXPECT_EQ(d->day, 0);
}

TEST(ParseDate, FullDate) {
  auto d = ParseDate("2008-02-29");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->year, 2008);
  EXPECT_EQ(d->month, 2);
  EXPECT_EQ(d->day, 29);
}

TEST(ParseDate, DatePartOfADateTime) {
  auto d = ParseDate("2026-06-15T10:30:00Z");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->year, 2026);
  EXPECT_EQ(d->month, 6);
  EXPECT_EQ(d->day, 15);
}

TEST(ParseDate, RejectsInvalidDates) {
  for (const char* bad : {"2024-13",    "2024-00",     "2024-13-01", "2023-02-29", "2024-02-30",
                          "2024-04-31", "2024-01-32",  "2024-01-00", "0000",       "",
                          "20",         "garbage",     "2024-1",     "2024-01-1",  "20240101",
                          "2024/01/01", "2024-01-01X", "2024-01-",   "-2024",      "abcd-01-01"}) {
    EXPECT_FALSE(ParseDate(bad)) << bad;
  }
}

TEST(ParseDate, LeapYears) {
  EXPECT_TRUE(ParseDate("2000-02-29"));   // divisible by 400
  EXPECT_FALSE(ParseDate("1900-02-29"));  // divisible by 100 only
  EXPECT_TRUE(ParseDate("2024-02-29"));
  EXPECT_FALSE(ParseDate("2025-02-29"));
}

// ---- ParseDateTime -----------------------------------------------------------------------------

TEST(ParseDateTime, DateOnlyIsStartOfDayUtc) {
  EXPECT_EQ(ParseDateTime("2026-06-15"), Day(2026, 6, 15));
  EXPECT_EQ(ParseDateTime("2026-06"), Day(2026, 6, 1));
  EXPECT_EQ(ParseDateTime("2026"), Day(2026, 1, 1));
  EXPECT_EQ(ParseDateTime("1970-01-01"), 0);
}

TEST(ParseDateTime, Utc) {
  EXPECT_EQ(ParseDateTime("2026-06-15T10:30:15Z"), Day(2026, 6, 15) + 10 * 3600 + 30 * 60 + 15);
}

TEST(ParseDateTime, NoZoneIsReadAsUtc) {
  EXPECT_EQ(ParseDateTime("2026-06-15T10:30:15"), Day(2026, 6, 15) + 10 * 3600 + 30 * 60 + 15);
}

TEST(ParseDateTime, PositiveOffsetIsAheadOfUtc) {
  // 10:30+02:00 is 08:30Z.
  EXPECT_EQ(ParseDateTime("2026-06-15T10:30:00+02:00"), Day(2026, 6, 15) + 8 * 3600 + 30 * 60);
  // 01:00+05:30 is 19:30Z the day before.
  EXPECT_EQ(ParseDateTime("2026-06-15T01:00:00+05:30"), Day(2026, 6, 14) + 19 * 3600 + 30 * 60);
}

TEST(ParseDateTime, NegativeOffsetIsBehindUtc) {
  // 22:00-05:00 is 03:00Z the next day.
  EXPECT_EQ(ParseDateTime("2026-06-15T22:00:00-05:00"), Day(2026, 6, 16) + 3 * 3600);
}

TEST(ParseDateTime, ZeroOffsetsEqualZ) {
  EXPECT_EQ(ParseDateTime("2026-06-15T10:00:00+00:00"), ParseDateTime("2026-06-15T10:00:00Z"));
  EXPECT_EQ(ParseDateTime("2026-06-15T10:00:00-00:00"), ParseDateTime("2026-06-15T10:00:00Z"));
}

TEST(ParseDateTime, FractionsAreAcceptedAndTruncated) {
  const auto whole = ParseDateTime("2026-06-15T10:00:05Z");
  ASSERT_TRUE(whole);
  EXPECT_EQ(ParseDateTime("2026-06-15T10:00:05.999Z"), whole);
  EXPECT_EQ(ParseDateTime("2026-06-15T10:00:05.1+00:00"), whole);
  EXPECT_EQ(ParseDateTime("2026-06-15T10:00:05.123456789Z"), whole);
}

TEST(ParseDateTime, RejectsMalformedValues) {
  for (const char* bad :
       {"", "garbage", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-06-15T24:00:00Z",
        "2026-06-15T10:60:00Z", "2026-06-15T10:00:61Z", "2026-06-15T10Z", "2026-06-15T1:00:00Z",
        "2026-06-15T10:00:00.Z", "2026-06-15T10:00:00+2:00", "2026-06-15T10:00:00+0200",
        "2026-06-15T10:00:00+15:00", "2026-06-15T10:00:00+02:60", "2026-06-15T10:00:00ZZ",
        "2026-06-15T10:00:00 ", "2026-06-15X10:00:00Z", "2026-06-15 10:00:00Z"}) {
    EXPECT_FALSE(ParseDateTime(bad)) << bad;
  }
}

// ---- FormatDate / FormatDateTime ----------------------------------------------------------------

TEST(FormatDate, Formats) {
  EXPECT_EQ(fhir::FormatDate(0), "1970-01-01");
  EXPECT_EQ(fhir::FormatDate(Day(2024, 2, 29) + 86399), "2024-02-29");
  EXPECT_EQ(fhir::FormatDate(Day(1969, 12, 31) + 1), "1969-12-31");  // negative epoch
  EXPECT_EQ(fhir::FormatDate(Day(7, 3, 9)), "0007-03-09");
  EXPECT_EQ(fhir::FormatDate(Day(9999, 12, 31)), "9999-12-31");
  EXPECT_EQ(fhir::FormatDate(Day(10000, 1, 1)), "10000-01-01");
  EXPECT_EQ(fhir::FormatDateTime(Day(2026, 6, 15) + 3723), "2026-06-15T01:02:03Z");
  EXPECT_EQ(fhir::FormatDateTime(-1), "1969-12-31T23:59:59Z");
}

TEST(FormatDate, RoundTrips) {
  for (const char* text : {"1900-03-01", "1969-12-31", "1970-01-01", "2000-02-29", "2024-12-31",
                           "2026-06-15", "2099-01-01"}) {
    auto t = ParseDateTime(text);
    ASSERT_TRUE(t) << text;
    EXPECT_EQ(fhir::FormatDate(*t), text);
  }
  for (const char* text :
       {"1965-07-04T12:34:56Z", "2000-02-29T23:59:59Z", "2026-06-15T00:00:00Z"}) {
    auto t = ParseDateTime(text);
    ASSERT_TRUE(t) << text;
    EXPECT_EQ(fhir::FormatDateTime(*t), text);
    EXPECT_EQ(ParseDateTime(fhir::FormatDateTime(*t)), t);
  }
}

TEST(DaysFromCivil, KnownDays) {
  EXPECT_EQ(fhir::DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(fhir::DaysFromCivil(1970, 1, 2), 1);
  EXPECT_EQ(fhir::DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(fhir::DaysFromCivil(2000, 3, 1) - fhir::DaysFromCivil(2000, 2, 28), 2);
  EXPECT_EQ(fhir::DaysFromCivil(1900, 3, 1) - fhir::DaysFromCivil(1900, 2, 28), 1);
}

// ---- AgeAt ------------------------------------------------------------------------------------

TEST(AgeAt, BirthdayOnTheReferenceDayCompletesTheYear) {
  auto age = AgeAt(Birth("2008-06-15"), Day(2026, 6, 15));
  ASSERT_TRUE(age);
  EXPECT_TRUE(age->exact());
  EXPECT_EQ(age->min_months, 18 * 12);
}

TEST(AgeAt, DayBeforeTheBirthday) {
  auto age = AgeAt(Birth("2008-06-15"), Day(2026, 6, 14) + 86399);
  ASSERT_TRUE(age);
  EXPECT_EQ(age->max_months, 18 * 12 - 1);
  EXPECT_EQ(age->min_months, 18 * 12 - 1);
}

TEST(AgeAt, MonthsForYoungChildren) {
  EXPECT_EQ(AgeAt(Birth("2024-06-16"), Day(2026, 6, 15))->max_months, 23);
  EXPECT_EQ(AgeAt(Birth("2024-06-15"), Day(2026, 6, 15))->max_months, 24);
  EXPECT_EQ(AgeAt(Birth("2026-06-15"), Day(2026, 6, 15))->max_months, 0);
  EXPECT_EQ(AgeAt(Birth("2026-05-15"), Day(2026, 6, 14))->max_months, 0);
  EXPECT_EQ(AgeAt(Birth("2026-05-15"), Day(2026, 6, 15))->max_months, 1);
}

TEST(AgeAt, EndOfMonthBirthdaysAreReachedOnTheLastDayOfShorterMonths) {
  EXPECT_EQ(AgeAt(Birth("2026-01-31"), Day(2026, 2, 27))->max_months, 0);
  EXPECT_EQ(AgeAt(Birth("2026-01-31"), Day(2026, 2, 28))->max_months, 1);
  EXPECT_EQ(AgeAt(Birth("2026-01-31"), Day(2026, 3, 30))->max_months, 1);
  EXPECT_EQ(AgeAt(Birth("2026-01-31"), Day(2026, 3, 31))->max_months, 2);
}

TEST(AgeAt, February29Birthdays) {
  const auto b = Birth("2008-02-29");
  // Leap year: the birthday itself.
  EXPECT_EQ(AgeAt(b, Day(2024, 2, 28))->max_months, 16 * 12 - 1);
  EXPECT_EQ(AgeAt(b, Day(2024, 2, 29))->max_months, 16 * 12);
  // Common year: reached on 28 February.
  EXPECT_EQ(AgeAt(b, Day(2026, 2, 27))->max_months, 18 * 12 - 1);
  EXPECT_EQ(AgeAt(b, Day(2026, 2, 28))->max_months, 18 * 12);
  EXPECT_EQ(AgeAt(b, Day(2026, 3, 1))->max_months, 18 * 12);
}

TEST(AgeAt, YearOnlyGivesARange) {
  auto age = AgeAt(Birth("2008"), Day(2026, 6, 15));
  ASSERT_TRUE(age);
  EXPECT_FALSE(age->exact());
  EXPECT_EQ(age->max_months, 18 * 12 + 5);  // born 2008-01-01
  EXPECT_EQ(age->min_months, 17 * 12 + 5);  // born 2008-12-31
}

TEST(AgeAt, YearMonthGivesARange) {
  auto age = AgeAt(Birth("2024-06"), Day(2026, 6, 15));
  ASSERT_TRUE(age);
  EXPECT_EQ(age->max_months, 24);  // born 2024-06-01
  EXPECT_EQ(age->min_months, 23);  // born 2024-06-30
  auto feb = AgeAt(Birth("2024-02"), Day(2026, 2, 27));
  ASSERT_TRUE(feb);
  EXPECT_EQ(feb->max_months, 24);  // born 2024-02-01
  EXPECT_EQ(feb->min_months, 23);  // born 2024-02-29: 24 months on 2026-02-28
  auto feb28 = AgeAt(Birth("2024-02"), Day(2026, 2, 28));
  ASSERT_TRUE(feb28);
  EXPECT_TRUE(feb28->exact());
  EXPECT_EQ(feb28->min_months, 24);
}

TEST(AgeAt, ReferenceInsideThePartialPeriod) {
  // Born some time in 2026, asked in June 2026: 0 to 5 months.
  auto age = AgeAt(Birth("2026"), Day(2026, 6, 15));
  ASSERT_TRUE(age);
  EXPECT_EQ(age->min_months, 0);
  EXPECT_EQ(age->max_months, 5);
}

TEST(AgeAt, ReferenceBeforeBirthIsNullopt) {
  EXPECT_FALSE(AgeAt(Birth("2026-06-16"), Day(2026, 6, 15)));
  EXPECT_FALSE(AgeAt(Birth("2027"), Day(2026, 6, 15)));
  EXPECT_FALSE(AgeAt(Birth("2026-07"), Day(2026, 6, 30)));
  EXPECT_TRUE(AgeAt(Birth("2026-06"), Day(2026, 6, 1)));
}

TEST(AgeAt, OldPatientsBeforeTheEpoch) {
  auto age = AgeAt(Birth("1950-03-01"), Day(2026, 3, 1));
  ASSERT_TRUE(age);
  EXPECT_EQ(age->max_months, 76 * 12);
}

}  // namespace
