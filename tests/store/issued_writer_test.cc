// The issued-card writer of the feedback store, on real SQLite files: group commit by rows and
// by time, the flush on Close, drops when the queue is full (counted, recorded in the file,
// reported as lower bounds, counted in the metric), and queued cards riding with feedback.
#include "http/metrics.h"
#include "http/operations.h"
#include "store/feedback_store.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;
using store::FeedbackStore;
using testing_support::TempDir;

std::unique_ptr<FeedbackStore> OpenOrDie(const std::string& dir, FeedbackStore::Options options) {
  auto store = FeedbackStore::Open(dir, true, std::move(options));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

FeedbackStore::Options Slow(std::size_t batch_rows, std::size_t queue_rows = 1000) {
  FeedbackStore::Options o;
  o.batch_rows = batch_rows;
  o.batch_interval = std::chrono::hours(1);  // only the row count (or Close) commits
  o.queue_rows = queue_rows;
  return o;
}

std::vector<store::IssuedCard> Cards(const std::string& prefix, int n,
                                     const std::string& code = "tnf-antagonist") {
  std::vector<store::IssuedCard> out;
  for (int i = 0; i < n; ++i) {
    std::string uuid = prefix;
    uuid += std::to_string(i);
    out.push_back({std::move(uuid), code, "critical"});
  }
  return out;
}

// "<head><n>-"
std::string Prefix(const std::string& head, int n) {
  std::string s = head;
  s += std::to_string(n);
  s += '-';
  return s;
}

// Rows in issued_card, read through a second, independent connection (what is on disk).
std::int64_t IssuedOnDisk(const std::string& dir) {
  sqlite3* db = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2((dir + "/feedback.sqlite3").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM issued_card", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
      n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return n;
}

template <typename Pred>
bool Eventually(Pred pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

store::FeedbackReport ReportAfterClose(const std::string& dir) {
  auto reopened = FeedbackStore::Open(dir, false);
  EXPECT_TRUE(reopened.ok()) << reopened.status().ToString();
  if (!reopened.ok()) return {};
  auto report = (*reopened)->Report({}, 3);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() ? *report : store::FeedbackReport{};
}

const store::CodeReport* Find(const store::FeedbackReport& r, const std::string& code) {
  for (const auto& c : r.codes)
    if (c.code == code) return &c;
  return nullptr;
}

TEST(IssuedWriter, CommitsABatchEveryNRows) {
  TempDir dir;
  auto store = OpenOrDie(dir.path, Slow(4));
  ASSERT_TRUE(store->RecordIssued("s", Cards("a", 2), 100).ok());
  ASSERT_TRUE(store->RecordIssued("s", Cards("b", 2), 100).ok());  // 4 rows: one batch
  ASSERT_TRUE(Eventually([&] { return store->committed_batches() == 1; }));
  EXPECT_EQ(IssuedOnDisk(dir.path), 4);
  ASSERT_TRUE(store->RecordIssued("s", Cards("c", 1), 100).ok());  // below N, before M: queued
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(store->committed_batches(), 1);
  EXPECT_EQ(IssuedOnDisk(dir.path), 4);
  store->Close();  // flushes the fifth
  EXPECT_EQ(store->committed_batches(), 2);
  EXPECT_EQ(IssuedOnDisk(dir.path), 5);
}

TEST(IssuedWriter, CommitsAfterTheIntervalWithoutAFullBatch) {
  TempDir dir;
  FeedbackStore::Options o;
  o.batch_rows = 1000;
  o.batch_interval = 20ms;
  auto store = OpenOrDie(dir.path, o);
  ASSERT_TRUE(store->RecordIssued("s", Cards("a", 3), 100).ok());
  ASSERT_TRUE(Eventually([&] { return IssuedOnDisk(dir.path) == 3; }));
  // The batch is counted just after its COMMIT, which the query above may see first.
  ASSERT_TRUE(Eventually([&] { return store->committed_batches() == 1; }));
  EXPECT_EQ(store->dropped_rows(), 0);
}

TEST(IssuedWriter, CloseFlushesTheQueueAndLaterCallsAreRefused) {
  TempDir dir;
  auto store = OpenOrDie(dir.path, Slow(1000));
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(store->RecordIssued("s", Cards(Prefix("r", i), 3), 100).ok());
  EXPECT_EQ(store->committed_batches(), 0);
  store->Close();
  EXPECT_EQ(store->committed_batches(), 1);  // one group commit for all 30
  const base::Status after = store->RecordIssued("s", Cards("late", 1), 100);
  EXPECT_EQ(after.code(), base::Status::Code::kFailedPrecondition);
  const auto report = ReportAfterClose(dir.path);
  const auto* tnf = Find(report, "tnf-antagonist");
  ASSERT_NE(tnf, nullptr);
  EXPECT_EQ(tnf->issued, 30);
  EXPECT_FALSE(tnf->lower_bound());
  EXPECT_EQ(report.issued_dropped, 0);
}

TEST(IssuedWriter, QueueFullDropsAreCountedRecordedAndMarkedAsLowerBounds) {
  TempDir dir;
  std::atomic<std::size_t> lost{0};
  auto options = Slow(1000, /*queue_rows=*/3);
  options.on_issued_lost = [&](std::size_t rows, std::string_view why) {
    EXPECT_EQ(why, "queue full");
    lost += rows;
  };
  auto store = OpenOrDie(dir.path, options);
  ASSERT_TRUE(store->RecordIssued("s", Cards("kept", 2, "tnf-antagonist"), 100).ok());
  // Two more do not fit (3 rows at most): both are dropped, none half-queued.
  const base::Status full = store->RecordIssued("s", Cards("gone", 2, "immunisation-due"), 200);
  EXPECT_EQ(full.code(), base::Status::Code::kResourceExhausted);
  EXPECT_EQ(store->dropped_rows(), 2);
  EXPECT_EQ(lost.load(), 2u);
  // Feedback on a dropped card is still stored (under the unknown code).
  cdshooks::Feedback f;
  f.card = "gone0";
  f.outcome = "overridden";
  f.outcome_timestamp = "2026-11-24T10:00:00Z";
  ASSERT_TRUE(store->StoreFeedback("s", {f}, 300).ok());
  store->Close();

  const auto report = ReportAfterClose(dir.path);
  EXPECT_EQ(report.issued_dropped, 2);
  const auto* kept = Find(report, "tnf-antagonist");
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->issued, 2);
  EXPECT_FALSE(kept->lower_bound());
  const auto* gone = Find(report, "immunisation-due");
  ASSERT_NE(gone, nullptr);
  EXPECT_EQ(gone->issued, 0);
  EXPECT_EQ(gone->issued_dropped, 2);
  EXPECT_TRUE(gone->lower_bound());
  const auto* unknown = Find(report, "(unknown card)");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->overridden, 1);
  // A period that starts after the last drop has no lower bound.
  auto reopened = FeedbackStore::Open(dir.path, false);
  ASSERT_TRUE(reopened.ok());
  auto later = (*reopened)->Report(201, 3);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->issued_dropped, 0);
}

TEST(IssuedWriter, DropCountsAddUpAcrossRuns) {
  TempDir dir;
  for (int run = 0; run < 2; ++run) {
    auto store = OpenOrDie(dir.path, Slow(1000, /*queue_rows=*/0));
    EXPECT_FALSE(store->RecordIssued("s", Cards(Prefix("x", run), 3), 100).ok());
  }
  const auto report = ReportAfterClose(dir.path);
  EXPECT_EQ(report.issued_dropped, 6);
  ASSERT_NE(Find(report, "tnf-antagonist"), nullptr);
  EXPECT_EQ(Find(report, "tnf-antagonist")->issued_dropped, 6);
}

TEST(IssuedWriter, FeedbackCommitsTheQueuedCardsWithIt) {
  TempDir dir;
  auto store = OpenOrDie(dir.path, Slow(1000));
  ASSERT_TRUE(store->RecordIssued("s", Cards("c", 2), 100).ok());
  EXPECT_EQ(IssuedOnDisk(dir.path), 0);  // queued only
  cdshooks::Feedback f;
  f.card = "c1";
  f.outcome = "accepted";
  f.outcome_timestamp = "2026-11-24T10:00:00Z";
  ASSERT_TRUE(store->StoreFeedback("s", {f}, 100).ok());
  EXPECT_EQ(IssuedOnDisk(dir.path), 2);  // on disk before the feedback is acknowledged
  auto report = store->Report({}, 3);
  ASSERT_TRUE(report.ok());
  ASSERT_NE(Find(*report, "tnf-antagonist"), nullptr);
  EXPECT_EQ(Find(*report, "tnf-antagonist")->accepted, 1);
  EXPECT_EQ(Find(*report, "(unknown card)"), nullptr);
}

TEST(IssuedWriter, ManyThreadsLoseNoRowWhenTheQueueHasRoom) {
  TempDir dir;
  FeedbackStore::Options o;
  o.batch_rows = 64;
  o.batch_interval = 5ms;
  auto store = OpenOrDie(dir.path, o);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i)
        EXPECT_TRUE(store->RecordIssued("s", Cards(Prefix(Prefix("t", t), i), 2), 100).ok());
    });
  for (auto& th : threads) th.join();
  store->Close();
  EXPECT_EQ(store->dropped_rows(), 0);
  EXPECT_GE(store->committed_batches(), 1);
  EXPECT_EQ(IssuedOnDisk(dir.path), 4000);
}

// The serve wiring: a dropped row reaches anakinra_issued_cards_dropped_total.
TEST(IssuedWriter, DroppedRowsAreCountedInTheMetric) {
  TempDir dir;
  auto metrics = std::make_shared<http::Metrics>();
  auto options = http::StoreOptions(metrics);
  options.queue_rows = 0;
  auto store = OpenOrDie(dir.path, options);
  EXPECT_FALSE(store->RecordIssued("s", Cards("m", 2), 100).ok());
  EXPECT_FALSE(store->RecordIssued("s", Cards("n", 1), 100).ok());
  const std::string text = metrics->Serialize();
  EXPECT_NE(text.find("\nanakinra_issued_cards_dropped_total 3"), std::string::npos) << text;
}

}  // namespace
