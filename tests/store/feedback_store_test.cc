// The feedback store on real SQLite files in temporary folders, directly and through the real
// HTTP server: counts, rates, idempotence, all-or-nothing bodies, unknown cards, persistence.
#include "store/feedback_store.h"
#include "http/operations.h"
#include "store/store.h"
#include "support/live_server.h"
#include "support/temp_dir.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace {

using namespace testing_support;
using store::FeedbackStore;

std::unique_ptr<FeedbackStore> OpenOrDie(const std::string& dir) {
  auto store = FeedbackStore::Open(dir, true);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

cdshooks::Feedback Accepted(const std::string& card,
                            const std::string& at = "2026-11-24T10:00:00Z") {
  cdshooks::Feedback f;
  f.card = card;
  f.outcome = "accepted";
  f.accepted_suggestions = {"s-" + card};
  f.outcome_timestamp = at;
  return f;
}

cdshooks::Feedback Overridden(const std::string& card, const std::string& reason = "",
                              const std::string& at = "2026-11-24T10:00:00Z") {
  cdshooks::Feedback f;
  f.card = card;
  f.outcome = "overridden";
  if (!reason.empty())
    f.override_reason = cdshooks::Coding{"http://example.org/reasons", reason, ""};
  f.outcome_timestamp = at;
  return f;
}

const store::CodeReport* Find(const std::vector<store::CodeReport>& rows, const std::string& code) {
  for (const auto& r : rows)
    if (r.code == code) return &r;
  return nullptr;
}

// The report once every issued card queued so far is written (RecordIssued only queues them).
std::vector<store::CodeReport> ReportOf(FeedbackStore& store,
                                        std::optional<std::int64_t> since = {}) {
  const base::Status flushed = store.Flush();
  EXPECT_TRUE(flushed.ok()) << flushed.ToString();
  auto report = store.Report(since, 3);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() ? report->codes : std::vector<store::CodeReport>{};
}

void Store(FeedbackStore& store, const std::vector<cdshooks::Feedback>& entries) {
  const base::Status st = store.StoreFeedback("anakinra-order-sign", entries, 1000);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST(FeedbackStore, CountsRatesAndTopReasons) {
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  ASSERT_TRUE(store
                  ->RecordIssued("anakinra-order-sign",
                                 {{"a1", "tnf-antagonist", "critical"},
                                  {"a2", "tnf-antagonist", "critical"},
                                  {"a3", "tnf-antagonist", "critical"},
                                  {"a4", "tnf-antagonist", "critical"},
                                  {"b1", "dose-above-range", "warning"}},
                                 100)
                  .ok());
  Store(*store, {Accepted("a1"), Overridden("a2", "benefit"), Overridden("a3", "benefit"),
                 Overridden("a4", "aware")});
  auto rows = ReportOf(*store);
  const auto* tnf = Find(rows, "tnf-antagonist");
  ASSERT_NE(tnf, nullptr);
  EXPECT_EQ(tnf->issued, 4);
  EXPECT_EQ(tnf->accepted, 1);
  EXPECT_EQ(tnf->overridden, 3);
  EXPECT_EQ(tnf->feedback_entries, 4);
  ASSERT_TRUE(tnf->acceptance_rate);
  EXPECT_DOUBLE_EQ(*tnf->acceptance_rate, 0.25);
  ASSERT_EQ(tnf->top_override_reasons.size(), 2u);
  EXPECT_EQ(tnf->top_override_reasons[0].code, "benefit");
  EXPECT_EQ(tnf->top_override_reasons[0].count, 2);
  EXPECT_EQ(tnf->top_override_reasons[1].code, "aware");
  const auto* dose = Find(rows, "dose-above-range");
  ASSERT_NE(dose, nullptr);
  EXPECT_EQ(dose->issued, 1);
  EXPECT_EQ(dose->accepted + dose->overridden, 0);
  EXPECT_FALSE(dose->acceptance_rate);
}

TEST(FeedbackStore, SameEntryTwiceIsStoredOnce) {
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  ASSERT_TRUE(store->RecordIssued("s", {{"c1", "tnf-antagonist", "critical"}}, 100).ok());
  Store(*store, {Overridden("c1", "benefit")});
  Store(*store, {Overridden("c1", "benefit"), Overridden("c1", "benefit")});
  const auto report1 = ReportOf(*store);
  const auto* r = Find(report1, "tnf-antagonist");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->feedback_entries, 1);
  EXPECT_EQ(r->overridden, 1);
  // The same card re-issued (a retried request) is one card.
  ASSERT_TRUE(store->RecordIssued("s", {{"c1", "tnf-antagonist", "critical"}}, 100).ok());
  const auto report2 = ReportOf(*store);
  EXPECT_EQ(Find(report2, "tnf-antagonist")->issued, 1);
}

TEST(FeedbackStore, LatestOutcomeOfACardCounts) {
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  ASSERT_TRUE(store->RecordIssued("s", {{"c1", "tnf-antagonist", "critical"}}, 100).ok());
  Store(*store, {Accepted("c1", "2026-11-24T10:05:00Z"),
                 Overridden("c1", "benefit", "2026-11-24T10:00:00Z")});
  const auto report3 = ReportOf(*store);
  const auto* r = Find(report3, "tnf-antagonist");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->accepted, 1);
  EXPECT_EQ(r->overridden, 0);
  EXPECT_EQ(r->feedback_entries, 2);
}

TEST(FeedbackStore, UnknownCardIsKeptUnderItsOwnCode) {
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  Store(*store, {Overridden("never-issued")});
  const auto report4 = ReportOf(*store);
  const auto* r = Find(report4, "(unknown card)");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->overridden, 1);
  EXPECT_EQ(r->issued, 0);
}

TEST(FeedbackStore, SinceFiltersByIssueTime) {
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  ASSERT_TRUE(store->RecordIssued("s", {{"old", "tnf-antagonist", "critical"}}, 100).ok());
  ASSERT_TRUE(store->RecordIssued("s", {{"new", "tnf-antagonist", "critical"}}, 2000).ok());
  Store(*store, {Overridden("old"), Accepted("new")});
  const auto report5 = ReportOf(*store, 1000);
  const auto* r = Find(report5, "tnf-antagonist");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->issued, 1);
  EXPECT_EQ(r->accepted, 1);
  EXPECT_EQ(r->overridden, 0);
}

TEST(FeedbackStore, SurvivesCloseAndReopenAndKeepsNoComment) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.path);
    ASSERT_TRUE(store->RecordIssued("s", {{"c1", "tnf-antagonist", "critical"}}, 100).ok());
    auto f = Overridden("c1", "benefit");
    f.user_comment = "Patient Jane Doe prefers this";
    Store(*store, {f});
    store->Close();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path + "/feedback.sqlite3-wal") &&
               std::filesystem::file_size(dir.path + "/feedback.sqlite3-wal") > 0);
  auto reopened = FeedbackStore::Open(dir.path, false);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto& store = *reopened;
  auto report = store->Report({}, 3);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const auto report6 = report->codes;
  EXPECT_EQ(Find(report6, "tnf-antagonist")->overridden, 1);
  store->Close();
  // The free-text comment is not stored anywhere in the file.
  const std::string bytes = ReadFile(dir.path + "/feedback.sqlite3");
  EXPECT_EQ(bytes.find("Jane Doe"), std::string::npos);
}

TEST(FeedbackStore, ReportWithoutStoreIsAnError) {
  TempDir dir;
  auto store = FeedbackStore::Open(dir.path + "/missing", false);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), base::Status::Code::kNotFound);
  EXPECT_NE(store.status().message().find("no feedback store"), std::string::npos)
      << store.status().ToString();
}

TEST(FeedbackStore, ConcurrentWritersLoseNothing) {
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string id = std::to_string(t * 1000 + i);
        EXPECT_TRUE(store->RecordIssued("s", {{id, "tnf-antagonist", "critical"}}, 100).ok());
        EXPECT_TRUE(store->StoreFeedback("s", {i % 2 ? Accepted(id) : Overridden(id)}, 100).ok());
      }
    });
  for (auto& th : threads) th.join();
  const auto report7 = ReportOf(*store);
  const auto* r = Find(report7, "tnf-antagonist");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->issued, 200);
  EXPECT_EQ(r->accepted, 100);
  EXPECT_EQ(r->overridden, 100);
}

// Cost of handing the cards of one hook answer to the writer (the hot path: a queue append, no
// disk). Printed, not asserted.
TEST(FeedbackStore, RecordIssuedCost) {
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  constexpr int kCalls = 2000;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(store
                    ->RecordIssued("s",
                                   {{std::to_string(2 * i), "tnf-antagonist", "critical"},
                                    {std::to_string(2 * i + 1), "immunisation-due", "warning"}},
                                   100)
                    .ok());
  }
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
      kCalls;
  std::printf("RecordIssued (2 cards, queued for the writer): %.1f us per call\n", us);
}

// Through the real server: a body that is not {"feedback":[...]} is 400 and stores nothing; of a
// body with a valid and an invalid entry the valid one is stored (200, the invalid one named).
TEST(FeedbackStoreHttp, InvalidEntriesAreRefusedValidOnesStored) {
  TempDir dir;
  std::shared_ptr<FeedbackStore> store = OpenOrDie(dir.path);
  ASSERT_TRUE(store);
  http::ServerObservers observers;
  http::AddOperationsObservers(observers, store::SqliteAsStore(store),
                               std::make_shared<http::Metrics>());
  LiveServer live({}, std::move(observers));
  auto r = live.client().Post("/cds-services/anakinra-order-sign",
                              SampleRequest("adult-tnf-antagonist"), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto doc = ParseJsonOrDie(r->body);
  ASSERT_GT(doc["cards"].Size(), 0u);
  const std::string card = doc["cards"][0]["uuid"].GetString();
  const std::string code = doc["cards"][0]["source"]["topic"]["code"].GetString();

  const std::string good = R"({"card":")" + card +
                           R"(","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"})";
  auto broken = live.client().Post("/cds-services/anakinra-order-sign/feedback",
                                   R"({"feedback":)" + good + "}", "application/json");
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 400);
  const auto report8 = ReportOf(*store);
  const auto* row = Find(report8, code);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->issued, static_cast<std::int64_t>(std::count_if(
                             doc["cards"].Begin(), doc["cards"].End(), [&](const auto& c) {
                               return code == c["source"]["topic"]["code"].GetString();
                             })));
  EXPECT_EQ(row->feedback_entries, 0);

  auto mixed = live.client().Post(
      "/cds-services/anakinra-order-sign/feedback",
      R"({"feedback":[)" + good + R"(,{"card":"x","outcome":"maybe"}]})", "application/json");
  ASSERT_TRUE(mixed);
  EXPECT_EQ(mixed->status, 200) << mixed->body;
  EXPECT_NE(mixed->body.find("Stored 1 of 2"), std::string::npos) << mixed->body;
  EXPECT_NE(mixed->body.find("feedback[1].outcome"), std::string::npos) << mixed->body;
  const auto report9 = ReportOf(*store);
  EXPECT_EQ(Find(report9, code)->overridden, 1);
  EXPECT_EQ(Find(report9, code)->feedback_entries, 1);
  EXPECT_EQ(Find(report9, "(unknown card)"), nullptr);  // the refused entry was not stored

  // Every entry valid: 200 {} (the same entry again: stored once).
  auto ok = live.client().Post("/cds-services/anakinra-order-sign/feedback",
                               R"({"feedback":[)" + good + "]}", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(ok->body, "{}");
  EXPECT_EQ(Find(ReportOf(*store), code)->feedback_entries, 1);
}

}  // namespace
