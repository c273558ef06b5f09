// The report's trend buckets and ignored counts on a real SQLite file: a card is in the bucket of
// its issue time whatever the time of its feedback, its latest outcome counts, unknown-card
// feedback is in the bucket of its outcome, the totals are the sums of the buckets, and counts
// that depend on dropped issued-card rows are lower bounds (in the struct and in ReportJson).
#include "fhir/date.h"
#include "store/feedback_store.h"
#include "store/report_json.h"
#include "support/temp_dir.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace {

using store::FeedbackStore;
using testing_support::TempDir;
constexpr std::int64_t kDay = 86400;

std::int64_t At(const std::string& text) { return fhir::ParseDateTime(text).value(); }

cdshooks::Feedback Outcome(const std::string& card, const std::string& outcome,
                           const std::string& at, const std::string& reason = "") {
  cdshooks::Feedback f;
  f.card = card;
  f.outcome = outcome;
  f.outcome_timestamp = at;
  if (!reason.empty())
    f.override_reason = cdshooks::Coding{"http://example.org/reasons", reason, "<b>" + reason};
  return f;
}

const store::CodeReport& Code(const store::FeedbackReport& report, const std::string& code) {
  for (const auto& r : report.codes)
    if (r.code == code) return r;
  ADD_FAILURE() << "no code " << code;
  static const store::CodeReport kNone;
  return kNone;
}

// Code a: two cards on Nov 2 (one accepted on Nov 5, one overridden and then accepted: the
// latest counts), two on Nov 4 (one overridden, one without feedback). Code b: one card on
// Nov 2 without feedback. An unknown card overridden on Nov 3.
class TrendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = FeedbackStore::Open(dir_.path, true);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_
                    ->RecordIssued("s", {{"a1", "a", "info"}, {"a2", "a", "info"}},
                                   At("2026-11-02T09:00:00Z"))
                    .ok());
    ASSERT_TRUE(
        store_->RecordIssued("s", {{"b1", "b", "warning"}}, At("2026-11-02T23:59:59Z")).ok());
    ASSERT_TRUE(store_
                    ->RecordIssued("s", {{"a3", "a", "info"}, {"a4", "a", "info"}},
                                   At("2026-11-04T00:00:00Z"))
                    .ok());
    ASSERT_TRUE(store_->Flush().ok());
    ASSERT_TRUE(store_
                    ->StoreFeedback("s",
                                    {Outcome("a1", "accepted", "2026-11-05T10:00:00Z"),
                                     Outcome("a2", "overridden", "2026-11-02T10:00:00Z", "r1"),
                                     Outcome("a2", "accepted", "2026-11-02T11:00:00Z"),
                                     Outcome("a3", "overridden", "2026-11-04T10:00:00Z", "r2"),
                                     Outcome("ghost", "overridden", "2026-11-03T12:00:00Z")},
                                    At("2026-11-05T12:00:00Z"))
                    .ok());
  }

  TempDir dir_;
  std::unique_ptr<FeedbackStore> store_;
};

TEST_F(TrendTest, DailyBucketsByIssueTimeWithTotalsTheirSums) {
  auto report = store_->Report(std::nullopt, 3, kDay);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->codes.size(), 3u);

  const auto& a = Code(*report, "a");
  EXPECT_EQ(a.issued, 4);
  EXPECT_EQ(a.accepted, 2);
  EXPECT_EQ(a.overridden, 1);
  EXPECT_EQ(a.ignored(), 1);
  ASSERT_EQ(a.trend.size(), 2u);
  EXPECT_EQ(a.trend[0].start, At("2026-11-02"));
  EXPECT_EQ(a.trend[0].issued, 2);
  EXPECT_EQ(a.trend[0].accepted, 2);  // a1 answered on Nov 5 still counts on Nov 2
  EXPECT_EQ(a.trend[0].overridden, 0);
  EXPECT_DOUBLE_EQ(a.trend[0].acceptance_rate.value(), 1.0);
  EXPECT_EQ(a.trend[1].start, At("2026-11-04"));
  EXPECT_EQ(a.trend[1].issued, 2);
  EXPECT_EQ(a.trend[1].accepted, 0);
  EXPECT_EQ(a.trend[1].overridden, 1);
  EXPECT_DOUBLE_EQ(a.trend[1].acceptance_rate.value(), 0.0);

  const auto& b = Code(*report, "b");
  EXPECT_EQ(b.ignored(), 1);
  ASSERT_EQ(b.trend.size(), 1u);
  EXPECT_EQ(b.trend[0].start, At("2026-11-02"));  // 23:59:59 is still Nov 2
  EXPECT_FALSE(b.trend[0].acceptance_rate.has_value());
  EXPECT_FALSE(b.acceptance_rate.has_value());

  const auto& ghost = Code(*report, "(unknown card)");
  EXPECT_EQ(ghost.issued, 0);
  EXPECT_EQ(ghost.ignored(), 0);  // never negative
  ASSERT_EQ(ghost.trend.size(), 1u);
  EXPECT_EQ(ghost.trend[0].start, At("2026-11-03"));  // the bucket of its outcome
  EXPECT_EQ(ghost.trend[0].issued, 0);
  EXPECT_EQ(ghost.trend[0].overridden, 1);
}

TEST_F(TrendTest, WeeklyBucketsAreFlooredToTheBucketWidth) {
  constexpr std::int64_t kWeek = 7 * kDay;
  auto report = store_->Report(std::nullopt, 3, kWeek);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  for (const auto& r : report->codes) {
    std::int64_t issued = 0, accepted = 0, overridden = 0;
    for (const auto& p : r.trend) {
      EXPECT_EQ(p.start % kWeek, 0) << r.code;
      issued += p.issued;
      accepted += p.accepted;
      overridden += p.overridden;
    }
    EXPECT_EQ(issued, r.issued) << r.code;
    EXPECT_EQ(accepted, r.accepted) << r.code;
    EXPECT_EQ(overridden, r.overridden) << r.code;
  }
  // Thursday Oct 29 .. Wednesday Nov 4 is one week: code a has one bucket.
  const auto& a = Code(*report, "a");
  ASSERT_EQ(a.trend.size(), 1u);
  EXPECT_EQ(a.trend[0].start, At("2026-10-29"));
  EXPECT_EQ(a.trend[0].issued, 4);
}

TEST_F(TrendTest, SinceKeepsLaterCardsOnly) {
  auto report = store_->Report(At("2026-11-03"), 3, kDay);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const auto& a = Code(*report, "a");
  EXPECT_EQ(a.issued, 2);
  ASSERT_EQ(a.trend.size(), 1u);
  EXPECT_EQ(a.trend[0].start, At("2026-11-04"));
  EXPECT_EQ(Code(*report, "(unknown card)").overridden, 1);
  for (const auto& r : report->codes) EXPECT_NE(r.code, "b");
}

TEST_F(TrendTest, NonPositiveBucketIsInvalidArgument) {
  for (std::int64_t bucket : {std::int64_t{0}, std::int64_t{-86400}}) {
    auto report = store_->Report(std::nullopt, 3, bucket);
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.status().code(), base::Status::Code::kInvalidArgument);
  }
}

TEST_F(TrendTest, ReportJsonHasIgnoredTrendAndBucket) {
  auto report = store_->Report(std::nullopt, 3, kDay);
  ASSERT_TRUE(report.ok());
  const std::string json = store::ReportJson(*report, "2026-11-01", kDay);
  auto doc = testing_support::ParseJsonOrDie(json);
  EXPECT_STREQ(doc["since"].GetString(), "2026-11-01");
  EXPECT_EQ(doc["bucketSeconds"].GetInt64(), kDay);
  const auto& codes = doc["codes"];
  ASSERT_EQ(codes.Size(), 3u);
  const auto& a = codes[0];
  EXPECT_STREQ(a["code"].GetString(), "(unknown card)");  // sorted by code
  const auto& code_a = codes[1];
  EXPECT_EQ(code_a["ignored"].GetInt(), 1);
  EXPECT_FALSE(code_a["lowerBound"].GetBool());
  ASSERT_EQ(code_a["trend"].Size(), 2u);
  EXPECT_STREQ(code_a["trend"][0]["start"].GetString(), "2026-11-02T00:00:00Z");
  EXPECT_EQ(code_a["trend"][1]["overridden"].GetInt(), 1);
  EXPECT_DOUBLE_EQ(code_a["trend"][1]["acceptanceRate"].GetDouble(), 0.0);
  EXPECT_TRUE(codes[2]["trend"][0]["acceptanceRate"].IsNull());
  EXPECT_STREQ(code_a["topOverrideReasons"][0]["display"].GetString(), "<b>r2");
}

TEST(TrendDropTest, IgnoredIsALowerBoundWhenIssuedRowsWereDropped) {
  TempDir dir;
  FeedbackStore::Options options;
  options.queue_rows = 2;
  auto opened = FeedbackStore::Open(dir.path, true, options);
  ASSERT_TRUE(opened.ok());
  auto& s = **opened;
  const std::int64_t t = At("2026-11-02T09:00:00Z");
  ASSERT_TRUE(s.RecordIssued("s", {{"c1", "c", "info"}, {"c2", "c", "info"}}, t).ok());
  ASSERT_TRUE(s.Flush().ok());
  // More than the queue holds: dropped and counted.
  EXPECT_EQ(s.RecordIssued("s", {{"c3", "c", "info"}, {"c4", "c", "info"}, {"c5", "c", "info"}}, t)
                .code(),
            base::Status::Code::kResourceExhausted);
  ASSERT_TRUE(s.Flush().ok());
  auto report = s.Report(std::nullopt, 3, kDay);
  ASSERT_TRUE(report.ok());
  const auto& c = Code(*report, "c");
  EXPECT_TRUE(c.lower_bound());
  EXPECT_EQ(c.ignored(), 2);
  auto doc = testing_support::ParseJsonOrDie(store::ReportJson(*report, "", kDay));
  EXPECT_FALSE(doc.HasMember("since"));
  EXPECT_TRUE(doc["codes"][0]["lowerBound"].GetBool());
  EXPECT_EQ(doc["codes"][0]["ignored"].GetInt(), 2);
  EXPECT_EQ(doc["issuedCardsDropped"].GetInt(), 3);
}

TEST(BucketSecondsTest, DayAndWeekOnly) {
  EXPECT_EQ(store::BucketSeconds("day"), kDay);
  EXPECT_EQ(store::BucketSeconds("week"), 7 * kDay);
  EXPECT_FALSE(store::BucketSeconds("month").has_value());
  EXPECT_FALSE(store::BucketSeconds("").has_value());
}

}  // namespace
