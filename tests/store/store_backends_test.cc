// The store interface on both backends: the embedded SQLite file and a real PostgreSQL server
// (tests/support/postgres_process.h, started once for this binary). The same inputs give the
// same report on both, field by field; PostgreSQL survives a server restart, refuses feedback
// (kUnavailable) while it is down and keeps the issued rows queued, shares the JWT replay set
// between two stores (two replicas) and applies its migrations once.
#include "http/operations.h"
#include "store/postgres_store.h"
#include "store/store.h"
#include "support/live_server.h"
#include "support/postgres_process.h"
#include "support/temp_dir.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <thread>

namespace {

using testing_support::PostgresProcess;
using testing_support::TempDir;

// One server for every test of this binary (initdb is slow); each test has its own database.
PostgresProcess* Server() {
  static std::unique_ptr<PostgresProcess> server;
  static std::string why;
  static bool tried = false;
  if (!tried) {
    tried = true;
    if (PostgresProcess::Available(why)) server = std::make_unique<PostgresProcess>();
  }
  return server.get();
}

std::string NewDatabase() {
  static std::atomic<int> n{0};
  // Appended piece by piece: GCC 12's -Wrestrict misfires on the chained operator+ here.
  std::string name = "t";
  name.append(std::to_string(getpid())).append("_").append(std::to_string(++n));
  return Server()->CreateDatabase(name);
}

#define SKIP_WITHOUT_POSTGRES()                                \
  do {                                                         \
    std::string why;                                           \
    if (!PostgresProcess::Available(why)) GTEST_SKIP() << why; \
    ASSERT_NE(Server(), nullptr);                              \
  } while (0)

cdshooks::Feedback Entry(const std::string& card, const std::string& outcome, const std::string& at,
                         const std::string& reason = "") {
  cdshooks::Feedback f;
  f.card = card;
  f.outcome = outcome;
  f.outcome_timestamp = at;
  if (outcome == "accepted") f.accepted_suggestions = {"s-" + card};
  if (!reason.empty())
    f.override_reason = cdshooks::Coding{"http://example.org/reasons", reason, "Reason " + reason};
  return f;
}

// The same history on any store: cards in two days, repeated and superseded feedback, unknown
// cards, several override reasons, and dropped issued rows.
void Feed(store::Store& s) {
  constexpr std::int64_t kDay1 = 1764547200;  // 2025-12-01T00:00:00Z
  constexpr std::int64_t kDay2 = kDay1 + 86400;
  ASSERT_TRUE(s.RecordIssued("anakinra-order-sign",
                             {{"a1", "tnf-antagonist", "critical"},
                              {"a2", "tnf-antagonist", "critical"},
                              {"b1", "unimmunised", "warning"}},
                             kDay1 + 100)
                  .ok());
  ASSERT_TRUE(s.RecordIssued("anakinra-order-sign",
                             {{"a3", "tnf-antagonist", "critical"},
                              {"b2", "unimmunised", "warning"},
                              {"b3", "unimmunised", "warning"}},
                             kDay2 + 100)
                  .ok());
  ASSERT_TRUE(s.Flush().ok());
  const std::string d1 = "2025-12-01T10:00:00Z", d1b = "2025-12-01T11:00:00Z",
                    d2 = "2025-12-02T10:00:00Z";
  ASSERT_TRUE(s.StoreFeedback("anakinra-order-sign",
                              {Entry("a1", "overridden", d1, "r1"), Entry("a2", "accepted", d1)},
                              kDay1 + 200)
                  .ok());
  // Sent twice: stored once. a1 later accepted: its outcome is the latest.
  ASSERT_TRUE(
      s.StoreFeedback("anakinra-order-sign", {Entry("a2", "accepted", d1)}, kDay1 + 300).ok());
  ASSERT_TRUE(
      s.StoreFeedback("anakinra-order-sign", {Entry("a1", "accepted", d1b)}, kDay1 + 400).ok());
  ASSERT_TRUE(
      s.StoreFeedback(
           "anakinra-order-sign",
           {Entry("a3", "overridden", d2, "r2"), Entry("b1", "overridden", d2, "r1"),
            Entry("b2", "overridden", d2, "r2"), Entry("b3", "overridden", d2, "r2"),
            Entry("zz-unknown", "overridden", d2, "r3"), Entry("zz-unknown-2", "accepted", d1)},
           kDay2 + 200)
          .ok());
}

std::unique_ptr<store::Store> Open(const std::string& url, const std::string& dir,
                                   store::StoreOptions options = {}) {
  auto s = store::OpenStore(url, dir, /*create=*/true, std::move(options));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

void ExpectSameReport(const store::FeedbackReport& a, const store::FeedbackReport& b,
                      bool compare_trend) {
  EXPECT_EQ(a.issued_dropped, b.issued_dropped);
  ASSERT_EQ(a.codes.size(), b.codes.size());
  for (std::size_t i = 0; i < a.codes.size(); ++i) {
    const auto& x = a.codes[i];
    const auto& y = b.codes[i];
    SCOPED_TRACE(x.code);
    EXPECT_EQ(x.code, y.code);
    EXPECT_EQ(x.issued, y.issued);
    EXPECT_EQ(x.accepted, y.accepted);
    EXPECT_EQ(x.overridden, y.overridden);
    EXPECT_EQ(x.feedback_entries, y.feedback_entries);
    EXPECT_EQ(x.acceptance_rate, y.acceptance_rate);
    EXPECT_EQ(x.issued_dropped, y.issued_dropped);
    EXPECT_EQ(x.ignored(), y.ignored());
    ASSERT_EQ(x.top_override_reasons.size(), y.top_override_reasons.size());
    for (std::size_t j = 0; j < x.top_override_reasons.size(); ++j) {
      EXPECT_EQ(x.top_override_reasons[j].system, y.top_override_reasons[j].system);
      EXPECT_EQ(x.top_override_reasons[j].code, y.top_override_reasons[j].code);
      EXPECT_EQ(x.top_override_reasons[j].display, y.top_override_reasons[j].display);
      EXPECT_EQ(x.top_override_reasons[j].count, y.top_override_reasons[j].count);
    }
    if (!compare_trend) continue;
    ASSERT_EQ(x.trend.size(), y.trend.size());
    for (std::size_t j = 0; j < x.trend.size(); ++j) {
      EXPECT_EQ(x.trend[j].start, y.trend[j].start);
      EXPECT_EQ(x.trend[j].issued, y.trend[j].issued);
      EXPECT_EQ(x.trend[j].accepted, y.trend[j].accepted);
      EXPECT_EQ(x.trend[j].overridden, y.trend[j].overridden);
      EXPECT_EQ(x.trend[j].acceptance_rate, y.trend[j].acceptance_rate);
    }
  }
}

const store::CodeReport* Find(const store::FeedbackReport& r, const std::string& code) {
  for (const auto& c : r.codes)
    if (c.code == code) return &c;
  return nullptr;
}

TEST(StoreBackends, SameInputsGiveTheSameReportOnSqliteAndPostgres) {
  SKIP_WITHOUT_POSTGRES();
  TempDir dir;
  auto sqlite = Open("", dir.path);
  auto pg = Open(NewDatabase(), "");
  ASSERT_TRUE(sqlite && pg);
  Feed(*sqlite);
  Feed(*pg);
  for (const std::optional<std::int64_t> since :
       {std::optional<std::int64_t>(), std::optional<std::int64_t>(1764547200 + 86400)}) {
    auto a = sqlite->Report(since, 2, 86400);
    auto b = pg->Report(since, 2, 86400);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    // The SQLite trend comes with the governance branch's FeedbackStore::Report; until it is
    // merged SQLite reports no trend, and only the other fields are compared.
    const bool sqlite_has_trend = std::any_of(a->codes.begin(), a->codes.end(),
                                              [](const auto& c) { return !c.trend.empty(); });
    ExpectSameReport(*a, *b, sqlite_has_trend);
  }
  // And the PostgreSQL values themselves, trend included.
  auto r = pg->Report({}, 2, 86400);
  ASSERT_TRUE(r.ok());
  const auto* tnf = Find(*r, "tnf-antagonist");
  ASSERT_NE(tnf, nullptr);
  EXPECT_EQ(tnf->issued, 3);
  EXPECT_EQ(tnf->accepted, 2);  // a1 (latest: accepted), a2
  EXPECT_EQ(tnf->overridden, 1);
  EXPECT_EQ(tnf->feedback_entries, 4);
  ASSERT_EQ(tnf->trend.size(), 2u);
  EXPECT_EQ(tnf->trend[0].start, 1764547200);
  EXPECT_EQ(tnf->trend[0].issued, 2);
  EXPECT_EQ(tnf->trend[0].accepted, 2);
  EXPECT_EQ(tnf->trend[1].issued, 1);
  EXPECT_EQ(tnf->trend[1].overridden, 1);
  EXPECT_EQ(tnf->trend[1].acceptance_rate, 0.0);
  const auto* unimmunised = Find(*r, "unimmunised");
  ASSERT_NE(unimmunised, nullptr);
  ASSERT_EQ(unimmunised->top_override_reasons.size(), 2u);
  EXPECT_EQ(unimmunised->top_override_reasons[0].code, "r2");
  EXPECT_EQ(unimmunised->top_override_reasons[0].count, 2);
  const auto* unknown = Find(*r, "(unknown card)");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->issued, 0);
  EXPECT_EQ(unknown->accepted, 1);
  EXPECT_EQ(unknown->overridden, 1);
  ASSERT_EQ(unknown->trend.size(), 2u);  // by the day of each latest outcome
  EXPECT_EQ(unknown->trend[0].accepted, 1);
  EXPECT_EQ(unknown->trend[1].overridden, 1);
}

TEST(StoreBackends, DroppedRowsAreLowerBoundsOnBoth) {
  SKIP_WITHOUT_POSTGRES();
  TempDir dir;
  store::StoreOptions options;
  options.queue.queue_rows = 1;
  auto sqlite = Open("", dir.path, options);
  auto pg = Open(NewDatabase(), "", options);
  ASSERT_TRUE(sqlite && pg);
  for (store::Store* s : {sqlite.get(), pg.get()}) {
    SCOPED_TRACE(s->Describe());
    EXPECT_EQ(s->RecordIssued("svc", {{"x1", "c", "info"}, {"x2", "c", "info"}}, 100).code(),
              base::Status::Code::kResourceExhausted);
    EXPECT_EQ(s->dropped_rows(), 2);
    ASSERT_TRUE(s->Flush().ok());
    auto r = s->Report({}, 3, 86400);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->issued_dropped, 2);
    ASSERT_NE(Find(*r, "c"), nullptr);
    EXPECT_TRUE(Find(*r, "c")->lower_bound());
  }
}

TEST(PostgresStore, TwoStoresOnOneDatabaseJoinFeedbackToCardsOfEitherAndShareOneReport) {
  SKIP_WITHOUT_POSTGRES();
  const std::string url = NewDatabase();
  auto a = Open(url, "");
  auto b = Open(url, "");  // a second replica: migrations are not applied twice
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->RecordIssued("svc", {{"card-a", "code", "info"}}, 100).ok());
  ASSERT_TRUE(a->Flush().ok());
  ASSERT_TRUE(
      b->StoreFeedback("svc", {Entry("card-a", "accepted", "2026-01-01T00:00:00Z")}, 200).ok());
  for (store::Store* s : {a.get(), b.get()}) {
    auto r = s->Report({}, 3, 86400);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->codes.size(), 1u);  // no "(unknown card)"
    EXPECT_EQ(r->codes[0].code, "code");
    EXPECT_EQ(r->codes[0].accepted, 1);
  }
  const auto versions = Server()->Query(url.substr(url.rfind('/') + 1),
                                        "SELECT version FROM schema_version ORDER BY version");
  ASSERT_EQ(versions.size(), static_cast<std::size_t>(store::PostgresStore::LatestSchemaVersion()));
  EXPECT_EQ(versions.back()[0], std::to_string(store::PostgresStore::LatestSchemaVersion()));
}

TEST(PostgresStore, ASchemaNewerThanTheBinaryIsRefused) {
  SKIP_WITHOUT_POSTGRES();
  const std::string url = NewDatabase();
  { ASSERT_TRUE(Open(url, "")); }
  Server()->Query(url.substr(url.rfind('/') + 1), "INSERT INTO schema_version VALUES (999, 0)");
  auto s = store::OpenStore(url, "", true);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), base::Status::Code::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("999"), std::string::npos);
  EXPECT_EQ(s.status().message().find(Server()->password()), std::string::npos);
}

TEST(PostgresStore, JtiIsRecordedOnceForEveryReplicaAndExpiredOnesAreTakenOver) {
  SKIP_WITHOUT_POSTGRES();
  const std::string url = NewDatabase();
  auto a = Open(url, "");
  auto b = Open(url, "");
  ASSERT_TRUE(a && b);
  auto first = a->RecordJti("iss", "j1", 1000, 500);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  auto replay = b->RecordJti("iss", "j1", 1000, 600);  // the other replica
  ASSERT_TRUE(replay.ok());
  EXPECT_FALSE(*replay);
  auto other_issuer = b->RecordJti("iss2", "j1", 1000, 600);
  ASSERT_TRUE(other_issuer.ok());
  EXPECT_TRUE(*other_issuer);
  auto after = b->RecordJti("iss", "j1", 3000, 1001);  // forgotten: a new token may use it
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(*after);
  // Expired rows are purged (at most once a minute per store; this store has not purged yet).
  auto c = Open(url, "");
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->RecordJti("iss", "j2", 5000, 2000).ok());
  const auto rows = Server()->Query(url.substr(url.rfind('/') + 1),
                                    "SELECT iss, jti FROM jwt_replay ORDER BY iss, jti");
  ASSERT_EQ(rows.size(), 2u);  // iss2/j1 (forget_after 1000 < 2000) purged
  EXPECT_EQ(rows[0][1], "j1");
  EXPECT_EQ(rows[1][1], "j2");
}

// The SQLite store keeps the replay set in its file: a jti recorded before a reopen (a restart)
// is still a replay after it; an expired one is taken over; expired rows are purged.
TEST(SqliteStore, JtiOutlivesAReopenAndExpiredOnesAreTakenOver) {
  TempDir dir;
  {
    auto s = Open("", dir.path);
    ASSERT_TRUE(s);
    auto first = s->RecordJti("iss", "j1", 1000, 500);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_TRUE(*first);
    ASSERT_TRUE(s->RecordJti("iss", "old", 550, 500).ok());
  }
  auto s = Open("", dir.path);
  ASSERT_TRUE(s);
  auto replay = s->RecordJti("iss", "j1", 1000, 600);  // and purges "old" (550 < 600)
  ASSERT_TRUE(replay.ok());
  EXPECT_FALSE(*replay);
  auto other_issuer = s->RecordJti("iss2", "j1", 1000, 600);
  ASSERT_TRUE(other_issuer.ok());
  EXPECT_TRUE(*other_issuer);
  auto after = s->RecordJti("iss", "j1", 3000, 1001);  // forgotten: a new token may use it
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(*after);
  s->Close();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path + "/feedback.sqlite3").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM jwt_replay WHERE jti = 'old'", -1, &q, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(q, 0), 0);
  sqlite3_finalize(q);
  sqlite3_close(db);
}

// Restarting the server: pooled connections break; the store reconnects. While it is down,
// feedback is kUnavailable (nothing kept), the replay check is kUnavailable (fail closed), and
// issued rows stay queued and are written once it is back.
TEST(PostgresStore, SurvivesADatabaseRestartAndRefusesWhileDown) {
  SKIP_WITHOUT_POSTGRES();
  const std::string url = NewDatabase();
  store::StoreOptions options;
  options.connect_timeout_seconds = 1;
  auto s = Open(url, "", options);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->StoreFeedback("svc", {Entry("c0", "accepted", "2026-01-01T00:00:00Z")}, 1).ok());
  ASSERT_TRUE(s->Ready().ok());
  Server()->Restart();
  // The pooled connection broke; the store notices and retries on a fresh one.
  EXPECT_TRUE(s->StoreFeedback("svc", {Entry("c1", "accepted", "2026-01-01T00:00:00Z")}, 2).ok());
  Server()->Stop();
  const auto down = s->StoreFeedback("svc", {Entry("c2", "accepted", "2026-01-01T00:00:00Z")}, 3);
  EXPECT_EQ(down.code(), base::Status::Code::kUnavailable) << down.ToString();
  EXPECT_EQ(down.message().find(Server()->password()), std::string::npos);
  EXPECT_EQ(s->Ready().code(), base::Status::Code::kUnavailable);
  EXPECT_EQ(s->RecordJti("iss", "j", 100, 1).status().code(), base::Status::Code::kUnavailable);
  EXPECT_TRUE(s->RecordIssued("svc", {{"while-down", "code", "info"}}, 100).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a failed batch: requeued
  Server()->Start();
  ASSERT_TRUE(s->Flush().ok());
  EXPECT_TRUE(s->Ready().ok());
  EXPECT_EQ(s->dropped_rows(), 0);
  auto r = s->Report({}, 3, 86400);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto* code = Find(*r, "code");
  ASSERT_NE(code, nullptr);
  EXPECT_EQ(code->issued, 1);
  const auto* unknown = Find(*r, "(unknown card)");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->accepted, 2);  // c0 and c1; c2 was refused
}

// Through the real HTTP server with PostgreSQL down: hook calls still answer with their cards
// (the issued rows wait in the queue), feedback is 503; once it is back, feedback is 200 and the
// queued issued rows are in the report.
TEST(PostgresStore, HooksAnswerAndFeedbackIs503WhileTheDatabaseIsDown) {
  SKIP_WITHOUT_POSTGRES();
  store::StoreOptions options;
  options.connect_timeout_seconds = 1;
  auto metrics = std::make_shared<http::Metrics>();
  options.queue = http::StoreOptions(metrics);
  std::shared_ptr<store::Store> s = Open(NewDatabase(), "", options);
  ASSERT_TRUE(s);
  http::ServerObservers observers;
  http::AddOperationsObservers(observers, s, metrics);
  testing_support::LiveServer live({}, std::move(observers));
  Server()->Stop();
  auto hook = live.client().Post("/cds-services/anakinra-order-sign",
                                 testing_support::SampleRequest("adult-tnf-antagonist"),
                                 "application/json");
  ASSERT_TRUE(hook);
  EXPECT_EQ(hook->status, 200);
  auto doc = testing_support::ParseJsonOrDie(hook->body);
  ASSERT_GT(doc["cards"].Size(), 0u);
  const std::string card = doc["cards"][0]["uuid"].GetString();
  const std::string body =
      R"({"feedback":[{"card":")" + card +
      R"(","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})";
  auto down =
      live.client().Post("/cds-services/anakinra-order-sign/feedback", body, "application/json");
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 503);
  Server()->Start();
  auto up =
      live.client().Post("/cds-services/anakinra-order-sign/feedback", body, "application/json");
  ASSERT_TRUE(up);
  EXPECT_EQ(up->status, 200) << up->body;
  ASSERT_TRUE(s->Flush().ok());
  auto r = s->Report({}, 3, 86400);
  ASSERT_TRUE(r.ok());
  std::int64_t issued = 0, overridden = 0;
  for (const auto& c : r->codes) {
    EXPECT_NE(c.code, "(unknown card)");
    issued += c.issued;
    overridden += c.overridden;
  }
  EXPECT_EQ(issued, static_cast<std::int64_t>(doc["cards"].Size()));
  EXPECT_EQ(overridden, 1);
  EXPECT_EQ(s->dropped_rows(), 0);
}

TEST(StoreUrl, CheckedAndRedacted) {
  EXPECT_TRUE(store::CheckStoreUrl("").ok());
  EXPECT_TRUE(store::CheckStoreUrl("postgresql://u:p@h:5432/db").ok());
  EXPECT_TRUE(store::CheckStoreUrl("postgres://h/db?sslmode=require").ok());
  const auto bad = store::CheckStoreUrl("mysql://u:hunter2@h/db");
  EXPECT_EQ(bad.code(), base::Status::Code::kInvalidArgument);
  EXPECT_EQ(bad.message().find("hunter2"), std::string::npos);
  const auto unparsable = store::CheckStoreUrl("postgresql://u:hunter2@h/db?nonsense=1");
  EXPECT_EQ(unparsable.code(), base::Status::Code::kInvalidArgument);
  EXPECT_EQ(unparsable.message().find("hunter2"), std::string::npos);
  EXPECT_EQ(store::RedactUrl("postgresql://u:hunter2@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(store::RedactUrl("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(store::RedactUrl("postgres://h/db?user=u&password=hunter2&sslmode=require"),
            "postgres://h/db?user=u&password=***&sslmode=require");
  EXPECT_EQ(store::RedactUrl(""), "");
  const std::string slash = "postgresql://u:a/b@c@h/db";
  EXPECT_EQ(store::RedactUrl(slash), "postgresql://u:***@h/db");
  const std::string socket = "postgresql://u:p@/db?host=/run/pg";
  EXPECT_EQ(store::RedactUrl(socket), "postgresql://u:***@/db?host=/run/pg");
}

}  // namespace

namespace {

std::vector<std::string> SqliteColumn(const std::string& file, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> out;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK)
    while (sqlite3_step(s) == SQLITE_ROW)
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

// SQLite has the same numbered migrations: a file made before schema_version existed migrates
// in place (its rows kept); a file newer than the binary is refused.
TEST(SqliteStore, MigrationsAreNumberedAndAppliedOnce) {
  TempDir dir;
  const std::string file = dir.path + "/" + store::FeedbackStore::kFileName;
  {
    auto s = Open("", dir.path);
    ASSERT_TRUE(s);
    ASSERT_TRUE(
        s->StoreFeedback("svc", {Entry("c", "overridden", "2026-01-01T00:00:00Z")}, 1).ok());
  }
  const std::vector<std::string> all = {"1", "2", "3"};
  EXPECT_EQ(SqliteColumn(file, "SELECT version FROM schema_version ORDER BY version"), all);
  // As files of the previous releases: no schema_version table (and no user_comment column), or
  // schema version 1 (no user_comment column).
  for (const char* older :
       {"DROP TABLE schema_version", "DELETE FROM schema_version WHERE version = 2"}) {
    SCOPED_TRACE(older);
    SqliteColumn(file, "ALTER TABLE feedback DROP COLUMN user_comment");
    SqliteColumn(file, older);
    {
      auto s = Open("", dir.path);
      ASSERT_TRUE(s);
      auto r = s->Report({}, 3, 86400);
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->codes.size(), 1u);
      EXPECT_EQ(r->codes[0].overridden, 1);
    }
    EXPECT_EQ(SqliteColumn(file, "SELECT version FROM schema_version ORDER BY version"), all);
    EXPECT_EQ(SqliteColumn(file, "SELECT COALESCE(user_comment, '(null)') FROM feedback"),
              std::vector<std::string>{"(null)"});
  }
  // A version missing below a higher one (branches add them in either order) is applied.
  SqliteColumn(file, "DELETE FROM schema_version WHERE version = 1");
  { ASSERT_TRUE(Open("", dir.path)); }
  EXPECT_EQ(SqliteColumn(file, "SELECT version FROM schema_version ORDER BY version"), all);
  SqliteColumn(file, "INSERT INTO schema_version VALUES (999, 0)");
  auto newer = store::OpenStore("", dir.path, true);
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.status().message().find("999"), std::string::npos);
}

// Both backends: the code of a feedback entry's card, even when its issued row was still queued
// when the feedback came (the feedback's transaction writes it); "unknown" for a card never
// issued here.
void ExpectCardCodes(store::Store& s) {
  ASSERT_TRUE(s.RecordIssued("svc",
                             {{"q1", "tnf-antagonist", "critical"}, {"q2", "pregnancy", "warning"}},
                             100)
                  .ok());
  ASSERT_TRUE(s.StoreFeedback("svc",
                              {Entry("q1", "overridden", "2026-01-01T00:00:00Z"),
                               Entry("never-issued", "accepted", "2026-01-01T00:00:00Z")},
                              200)
                  .ok());
  auto codes = s.CardCodes({"q1", "never-issued", "q2", "q1"});
  ASSERT_TRUE(codes.ok()) << codes.status().ToString();
  EXPECT_EQ(*codes,
            (std::vector<std::string>{"tnf-antagonist", "unknown", "pregnancy", "tnf-antagonist"}));
  auto none = s.CardCodes({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// The writer waits an hour: issued rows stay queued until a feedback commit (or Close) takes them.
store::StoreOptions SlowWriter() {
  store::StoreOptions options;
  options.queue.batch_interval = std::chrono::hours(1);
  options.queue.batch_rows = 100000;
  return options;
}

TEST(SqliteStore, CardCodesOfFeedbackIncludeRowsStillQueued) {
  TempDir dir;
  auto s = Open("", dir.path, SlowWriter());
  ASSERT_TRUE(s);
  ExpectCardCodes(*s);
}

TEST(PostgresStore, CardCodesOfFeedbackIncludeRowsStillQueued) {
  SKIP_WITHOUT_POSTGRES();
  auto s = Open(NewDatabase(), "", SlowWriter());
  ASSERT_TRUE(s);
  ExpectCardCodes(*s);
}

// A comment that must come back byte for byte: markup and quotes are data, not escaped.
constexpr const char* kComment = "Discussed with <b>Jane</b> & family; \"ok\" 'é'";

void StoreCommented(store::Store& s) {
  auto with = Entry("c1", "overridden", "2026-01-01T00:00:00Z", "r1");
  with.user_comment = kComment;
  auto without = Entry("c2", "overridden", "2026-01-01T00:00:00Z", "r1");
  ASSERT_TRUE(s.StoreFeedback("svc", {with, without}, 1).ok());
}

constexpr const char* kComments =
    "SELECT COALESCE(user_comment, '(null)') || ' ' || has_comment FROM feedback ORDER BY card";

// userComment: by default only whether one was sent (the column stays NULL); with
// store_user_comments its text as sent.
TEST(SqliteStore, UserCommentIsKeptOnlyWhenConfigured) {
  for (const bool keep : {false, true}) {
    SCOPED_TRACE(keep);
    TempDir dir;
    store::StoreOptions options;
    options.queue.store_user_comments = keep;
    {
      auto s = Open("", dir.path, options);
      ASSERT_TRUE(s);
      StoreCommented(*s);
    }
    const std::string file = dir.path + "/" + store::FeedbackStore::kFileName;
    EXPECT_EQ(
        SqliteColumn(file, kComments),
        (std::vector<std::string>{keep ? std::string(kComment) + " 1" : "(null) 1", "(null) 0"}));
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find("Jane") != std::string::npos, keep);
  }
}

TEST(PostgresStore, UserCommentIsKeptOnlyWhenConfigured) {
  SKIP_WITHOUT_POSTGRES();
  for (const bool keep : {false, true}) {
    SCOPED_TRACE(keep);
    const std::string url = NewDatabase();
    store::StoreOptions options;
    options.queue.store_user_comments = keep;
    {
      auto s = Open(url, "", options);
      ASSERT_TRUE(s);
      StoreCommented(*s);
    }
    const auto rows = Server()->Query(url.substr(url.rfind('/') + 1), kComments);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][0], keep ? std::string(kComment) + " 1" : "(null) 1");
    EXPECT_EQ(rows[1][0], "(null) 0");
  }
}

}  // namespace
