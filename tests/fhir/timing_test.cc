// FHIR Timing → administrations per day.
#include "fhir/timing.h"

#include <gtest/gtest.h>

#include <string>

namespace {

std::optional<fhir::TimingFrequency> Read(const std::string& json) {
  rapidjson::Document doc;
  EXPECT_TRUE(base::ParseJson(json, 16, doc).ok()) << json;
  return fhir::ReadTimingFrequency(doc);
}

std::string Repeat(const std::string& members) { return R"({"repeat":{)" + members + "}}"; }

std::string Code(const std::string& code) {
  return R"({"code":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation","code":")" +
         code + R"("}]}})";
}

TEST(ReadTimingFrequency, RepeatFrequencyPeriodUnit) {
  struct Case {
    const char* repeat;
    double per_day;
    const char* code;
  };
  for (const Case& c :
       {Case{R"("frequency":1,"period":1,"periodUnit":"d")", 1, "QD"},
        Case{R"("frequency":2,"period":1,"periodUnit":"d")", 2, "BID"},
        Case{R"("frequency":1,"period":2,"periodUnit":"d")", 0.5, "QOD"},
        Case{R"("frequency":1,"period":12,"periodUnit":"h")", 2, "BID"},
        Case{R"("frequency":1,"period":24,"periodUnit":"h")", 1, "QD"},
        Case{R"("frequency":3,"period":1,"periodUnit":"wk")", 3.0 / 7, "3 per 1 wk"},
        Case{R"("frequency":1,"period":1,"periodUnit":"wk")", 1.0 / 7, "WK"},
        Case{R"("frequency":1,"period":48,"periodUnit":"h")", 0.5, "QOD"},
        Case{R"("period":1,"periodUnit":"d")", 1, "QD"}}) {  // frequency defaults to 1
    auto f = Read(Repeat(c.repeat));
    ASSERT_TRUE(f) << c.repeat;
    EXPECT_NEAR(f->per_day, c.per_day, 1e-9) << c.repeat;
    EXPECT_EQ(f->code, c.code) << c.repeat;
  }
}

TEST(ReadTimingFrequency, TimeOfDayAndWhenCounts) {
  auto two = Read(Repeat(R"("timeOfDay":["08:00:00","20:00:00"])"));
  ASSERT_TRUE(two);
  EXPECT_EQ(two->per_day, 2);
  auto one = Read(Repeat(R"("timeOfDay":["08:00:00"])"));
  ASSERT_TRUE(one);
  EXPECT_EQ(one->per_day, 1);
  auto when = Read(Repeat(R"("when":["MORN","EVE","NIGHT"])"));
  ASSERT_TRUE(when);
  EXPECT_EQ(when->per_day, 3);
}

TEST(ReadTimingFrequency, PeriodWinsOverTimeOfDay) {
  auto f = Read(
      Repeat(R"("frequency":1,"period":1,"periodUnit":"d","timeOfDay":["08:00:00","20:00:00"])"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->per_day, 1);
}

TEST(ReadTimingFrequency, TimingCodes) {
  struct Case {
    const char* code;
    double per_day;
  };
  for (const Case& c :
       {Case{"QD", 1}, Case{"BID", 2}, Case{"TID", 3}, Case{"QID", 4}, Case{"QOD", 0.5},
        Case{"Q12H", 2}, Case{"Q8H", 3}, Case{"AM", 1}, Case{"WK", 1.0 / 7}}) {
    auto f = Read(Code(c.code));
    ASSERT_TRUE(f) << c.code;
    EXPECT_NEAR(f->per_day, c.per_day, 1e-9) << c.code;
  }
}

TEST(ReadTimingFrequency, TimingCodeText) {
  auto f = Read(R"({"code":{"text":"BID"}})");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->per_day, 2);
}

TEST(ReadTimingFrequency, UnreadableRepeatFallsBackToTheCode) {
  auto f = Read(
      R"({"repeat":{"frequency":1,"period":1,"periodUnit":"fortnight"},"code":{"coding":[{"code":"QOD"}]}})");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->per_day, 0.5);
}

TEST(ReadTimingFrequency, UnreadableIsNullopt) {
  for (const char* bad :
       {R"({})", R"({"repeat":{}})", R"({"repeat":{"frequency":1}})",
        R"({"repeat":{"frequency":1,"period":1,"periodUnit":"fortnight"}})",
        R"({"repeat":{"frequency":1,"period":0,"periodUnit":"d"}})",
        R"({"repeat":{"frequency":1,"period":-1,"periodUnit":"d"}})",
        R"({"repeat":{"frequency":1,"period":"1","periodUnit":"d"}})",
        R"({"repeat":{"timeOfDay":[]}})", R"({"code":{"coding":[{"code":"SOMETIMES"}]}})",
        R"({"code":{"text":"as needed"}})", R"({"event":["2026-06-15T08:00:00Z"]})"}) {
    EXPECT_FALSE(Read(bad)) << bad;
  }
}

TEST(SameFrequency, WithinRounding) {
  EXPECT_TRUE(fhir::SameFrequency(24.0 / 24.0, 1));
  EXPECT_TRUE(fhir::SameFrequency(1.0 / (12.0 / 24.0), 2));
  EXPECT_FALSE(fhir::SameFrequency(1.01, 1));
}

}  // namespace

namespace {

fhir::TimingReading ReadV2(const std::string& json, double max_per_day = 24) {
  rapidjson::Document doc;
  EXPECT_TRUE(base::ParseJson(json, 16, doc).ok()) << json;
  return fhir::ReadTiming(doc, max_per_day);
}

TEST(ReadTiming, CodesAreCaseInsensitiveAndIncludeQ24hQ48h) {
  struct Case {
    const char* code;
    double per_day;
  };
  for (const Case& c : {Case{"qd", 1}, Case{"Bid", 2}, Case{"qod", 0.5}, Case{"Q24H", 1},
                        Case{"q48h", 0.5}, Case{"Q12H", 2}}) {
    const auto r = ReadV2(Code(c.code));
    EXPECT_TRUE(r.given) << c.code;
    ASSERT_TRUE(r.frequency) << c.code;
    EXPECT_NEAR(r.frequency->per_day, c.per_day, 1e-9) << c.code;
    EXPECT_TRUE(r.unreadable.empty()) << c.code;
  }
}

TEST(ReadTiming, CodeTextPhrases) {
  struct Case {
    const char* text;
    double per_day;
  };
  for (const Case& c : {Case{"daily", 1}, Case{"Once Daily", 1}, Case{"TWICE DAILY", 2},
                        Case{"every other day", 0.5}, Case{" Every Other Day ", 0.5}}) {
    const auto r = ReadV2(std::string(R"({"code":{"text":")") + c.text + "\"}}");
    ASSERT_TRUE(r.frequency) << c.text;
    EXPECT_NEAR(r.frequency->per_day, c.per_day, 1e-9) << c.text;
  }
  // A coding display is read the same way.
  const auto d =
      ReadV2(R"({"code":{"coding":[{"system":"urn:x","code":"X1","display":"Once daily"}]}})");
  ASSERT_TRUE(d.frequency);
  EXPECT_EQ(d.frequency->per_day, 1);
  EXPECT_FALSE(ReadV2(R"({"code":{"text":"daily as needed"}})").frequency);
}

TEST(ReadTiming, ImplausibleFrequencyIsUnreadable) {
  for (const char* bad : {R"({"repeat":{"frequency":25,"period":1,"periodUnit":"d"}})",
                          R"({"repeat":{"frequency":1,"period":30,"periodUnit":"min"}})",
                          R"({"repeat":{"frequency":0,"period":1,"periodUnit":"d"}})",
                          R"({"repeat":{"frequency":-2,"period":1,"periodUnit":"d"}})",
                          R"({"repeat":{"frequency":1,"period":0,"periodUnit":"d"}})",
                          R"({"repeat":{"frequency":1,"period":-1,"periodUnit":"d"}})"}) {
    const auto r = ReadV2(bad);
    EXPECT_TRUE(r.given) << bad;
    EXPECT_FALSE(r.frequency) << bad;
    EXPECT_FALSE(r.unreadable.empty()) << bad;
  }
  // 24 a day is the plausible limit itself.
  const auto limit = ReadV2(R"({"repeat":{"frequency":24,"period":1,"periodUnit":"d"}})");
  ASSERT_TRUE(limit.frequency);
  EXPECT_TRUE(limit.unreadable.empty());
}

TEST(ReadTiming, AStringWhereANumberBelongsIsUnreadable) {
  for (const char* bad : {R"({"repeat":{"frequency":"2","period":1,"periodUnit":"d"}})",
                          R"({"repeat":{"frequency":1,"period":"1","periodUnit":"d"}})",
                          R"({"repeat":"daily"})", R"({"code":"QD"})"}) {
    const auto r = ReadV2(bad);
    EXPECT_TRUE(r.given) << bad;
    EXPECT_FALSE(r.frequency) << bad;
    EXPECT_FALSE(r.unreadable.empty()) << bad;
  }
}

TEST(ReadTiming, UnknownCodeIsNoFrequencyButNotUnreadable) {
  const auto r = ReadV2(R"({"code":{"coding":[{"code":"SOMETIMES"}]}})");
  EXPECT_TRUE(r.given);
  EXPECT_FALSE(r.frequency);
  EXPECT_TRUE(r.unreadable.empty());
  const auto none = ReadV2(R"({})");
  EXPECT_FALSE(none.given);
}

TEST(FrequencyFromText, PhrasesAndAbbreviations) {
  ASSERT_TRUE(fhir::FrequencyFromText("once daily"));
  EXPECT_EQ(fhir::FrequencyFromText("once daily")->code, "QD");
  EXPECT_EQ(fhir::FrequencyFromText("every other day")->code, "QOD");
  EXPECT_EQ(fhir::FrequencyFromText("bid")->per_day, 2);
  EXPECT_FALSE(fhir::FrequencyFromText("weekly on mondays"));
}

}  // namespace
