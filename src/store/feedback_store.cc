#include "store/feedback_store.h"

#include "fhir/date.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <system_error>

namespace store {
namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS issued_card (
  uuid       TEXT PRIMARY KEY,
  service    TEXT NOT NULL,
  code       TEXT NOT NULL,
  indicator  TEXT NOT NULL,
  issued_at  INTEGER NOT NULL          -- seconds since the epoch, UTC
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS issued_card_code ON issued_card (code, issued_at);
CREATE TABLE IF NOT EXISTS feedback (
  id                   INTEGER PRIMARY KEY,
  card                 TEXT NOT NULL,  -- card uuid; may be unknown to issued_card
  service              TEXT NOT NULL,
  outcome              TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
  accepted_suggestions TEXT NOT NULL,  -- JSON array of suggestion uuids, sorted
  reason_system        TEXT NOT NULL,  -- '' when no reason was picked
  reason_code          TEXT NOT NULL,
  reason_display       TEXT NOT NULL,
  has_comment          INTEGER NOT NULL, -- 1 if a userComment was sent (its text is not kept)
  outcome_timestamp    TEXT NOT NULL,  -- as sent
  outcome_at           INTEGER NOT NULL, -- outcomeTimestamp in seconds since the epoch
  received_at          INTEGER NOT NULL,
  UNIQUE (card, outcome, outcome_timestamp, accepted_suggestions, reason_system, reason_code)
);
CREATE INDEX IF NOT EXISTS feedback_card ON feedback (card, outcome_at);
)sql";

std::string SuggestionsJson(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  for (const auto& id : ids) w.String(id.c_str(), static_cast<rapidjson::SizeType>(id.size()));
  w.EndArray();
  return buf.GetString();
}

void BindText(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string Column(sqlite3_stmt* s, int i) {
  const auto* p = sqlite3_column_text(s, i);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
}

}  // namespace

std::unique_ptr<FeedbackStore> FeedbackStore::Open(const std::string& data_dir, bool create,
                                                   std::string& error) {
  namespace fs = std::filesystem;
  const fs::path dir = data_dir.empty() ? fs::path(".") : fs::path(data_dir);
  std::error_code ec;
  if (create) {
    fs::create_directories(dir, ec);
    if (ec) {
      error = "cannot create data dir " + dir.string() + ": " + ec.message();
      return nullptr;
    }
  }
  std::unique_ptr<FeedbackStore> store(new FeedbackStore());
  store->path_ = (dir / kFileName).string();
  if (!create && !fs::exists(store->path_, ec)) {
    error = "no feedback store at " + store->path_ + " (is --data-dir the serve data dir?)";
    return nullptr;
  }
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(store->path_.c_str(), &store->db_, flags, nullptr) != SQLITE_OK) {
    error = "cannot open " + store->path_ + ": " + store->LastError();
    return nullptr;
  }
  sqlite3_busy_timeout(store->db_, 5000);
  sqlite3_extended_result_codes(store->db_, 1);
  if (!store->Exec("PRAGMA journal_mode=WAL", error) ||
      !store->Exec("PRAGMA synchronous=NORMAL", error) || !store->Exec(kSchema, error) ||
      !store->Exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str(), error)) {
    error = store->path_ + ": " + error;
    return nullptr;
  }
  if (!store->Prepare("INSERT OR IGNORE INTO issued_card (uuid, service, code, indicator, "
                      "issued_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                      &store->insert_card_, error) ||
      !store->Prepare(
          "INSERT OR IGNORE INTO feedback (card, service, outcome, accepted_suggestions, "
          "reason_system, reason_code, reason_display, has_comment, outcome_timestamp, "
          "outcome_at, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
          &store->insert_feedback_, error)) {
    error = store->path_ + ": " + error;
    return nullptr;
  }
  return store;
}

FeedbackStore::~FeedbackStore() { Close(); }

void FeedbackStore::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (db_ == nullptr) return;
  sqlite3_finalize(insert_card_);
  sqlite3_finalize(insert_feedback_);
  insert_card_ = insert_feedback_ = nullptr;
  sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

std::string FeedbackStore::LastError() const {
  return db_ == nullptr ? "out of memory" : sqlite3_errmsg(db_);
}

bool FeedbackStore::Exec(const char* sql, std::string& error) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return true;
  error = message != nullptr ? message : LastError();
  sqlite3_free(message);
  return false;
}

bool FeedbackStore::Prepare(const char* sql, sqlite3_stmt** stmt, std::string& error) {
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr) == SQLITE_OK)
    return true;
  error = LastError();
  return false;
}

bool FeedbackStore::RecordIssued(const std::string& service, const std::vector<IssuedCard>& cards,
                                 std::int64_t issued_at, std::string& error) {
  if (cards.empty()) return true;
  std::lock_guard<std::mutex> lock(mutex_);
  if (db_ == nullptr) {
    error = "feedback store closed";
    return false;
  }
  if (!Exec("BEGIN", error)) return false;
  for (const auto& c : cards) {
    sqlite3_reset(insert_card_);
    BindText(insert_card_, 1, c.uuid);
    BindText(insert_card_, 2, service);
    BindText(insert_card_, 3, c.code);
    BindText(insert_card_, 4, c.indicator);
    sqlite3_bind_int64(insert_card_, 5, issued_at);
    if (sqlite3_step(insert_card_) != SQLITE_DONE) {
      error = LastError();
      sqlite3_reset(insert_card_);
      std::string ignored;
      Exec("ROLLBACK", ignored);
      return false;
    }
  }
  sqlite3_reset(insert_card_);
  if (!Exec("COMMIT", error)) {
    std::string ignored;
    Exec("ROLLBACK", ignored);
    return false;
  }
  return true;
}

base::Status FeedbackStore::StoreFeedback(const std::string& service,
                                          const std::vector<cdshooks::Feedback>& entries,
                                          std::int64_t received_at, std::string& log_reason) {
  const auto unavailable = [] {
    return base::Status::Unavailable(
        "The feedback could not be stored; nothing of it was kept. Retry later.");
  };
  std::lock_guard<std::mutex> lock(mutex_);
  if (db_ == nullptr) {
    log_reason = "feedback store closed";
    return unavailable();
  }
  // FULL: COMMIT fsyncs the WAL, so what we acknowledge survives a crash or power loss.
  if (!Exec("PRAGMA synchronous=FULL", log_reason) || !Exec("BEGIN IMMEDIATE", log_reason)) {
    std::string ignored;
    Exec("PRAGMA synchronous=NORMAL", ignored);
    return unavailable();
  }
  bool ok = true;
  for (const auto& f : entries) {
    sqlite3_reset(insert_feedback_);
    BindText(insert_feedback_, 1, f.card);
    BindText(insert_feedback_, 2, service);
    BindText(insert_feedback_, 3, f.outcome);
    BindText(insert_feedback_, 4, SuggestionsJson(f.accepted_suggestions));
    BindText(insert_feedback_, 5, f.override_reason ? f.override_reason->system : "");
    BindText(insert_feedback_, 6, f.override_reason ? f.override_reason->code : "");
    BindText(insert_feedback_, 7, f.override_reason ? f.override_reason->display : "");
    sqlite3_bind_int(insert_feedback_, 8, f.user_comment.empty() ? 0 : 1);
    BindText(insert_feedback_, 9, f.outcome_timestamp);
    sqlite3_bind_int64(insert_feedback_, 10, fhir::ParseDateTime(f.outcome_timestamp).value_or(0));
    sqlite3_bind_int64(insert_feedback_, 11, received_at);
    if (sqlite3_step(insert_feedback_) != SQLITE_DONE) {
      log_reason = LastError();
      ok = false;
      break;
    }
  }
  sqlite3_reset(insert_feedback_);
  if (ok) ok = Exec("COMMIT", log_reason);
  std::string ignored;
  if (!ok) Exec("ROLLBACK", ignored);
  Exec("PRAGMA synchronous=NORMAL", ignored);
  if (!ok) return unavailable();
  return base::Status::Ok();
}

std::vector<CodeReport> FeedbackStore::Report(std::optional<std::int64_t> since,
                                              std::size_t top_reasons, std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, CodeReport> by_code;
  if (db_ == nullptr) {
    error = "feedback store closed";
    return {};
  }
  const std::int64_t from = since.value_or(std::numeric_limits<std::int64_t>::min());
  // A card's outcome is its latest entry; unknown cards count by their outcome time.
  constexpr const char* kLast = R"sql(
    WITH last AS (
      SELECT card, outcome, reason_system, reason_code, reason_display, outcome_at,
             ROW_NUMBER() OVER (PARTITION BY card ORDER BY outcome_at DESC, id DESC) AS rn
      FROM feedback),
    scoped AS (
      SELECT COALESCE(c.code, '(unknown card)') AS code, l.*
      FROM last l LEFT JOIN issued_card c ON c.uuid = l.card
      WHERE l.rn = 1 AND ((c.uuid IS NOT NULL AND c.issued_at >= ?1)
                          OR (c.uuid IS NULL AND l.outcome_at >= ?1)))
  )sql";
  const std::string outcomes =
      std::string(kLast) + "SELECT code, outcome, COUNT(*) FROM scoped GROUP BY code, outcome";
  const std::string reasons =
      std::string(kLast) +
      "SELECT code, reason_system, reason_code, reason_display, COUNT(*) AS n FROM scoped "
      "WHERE outcome = 'overridden' GROUP BY code, reason_system, reason_code, reason_display "
      "ORDER BY code, n DESC, reason_code";
  const std::string entries =
      "SELECT COALESCE(c.code, '(unknown card)'), COUNT(*) FROM feedback f LEFT JOIN issued_card "
      "c ON c.uuid = f.card WHERE (c.uuid IS NOT NULL AND c.issued_at >= ?1) OR (c.uuid IS NULL "
      "AND f.outcome_at >= ?1) GROUP BY 1";
  const std::string issued =
      "SELECT code, COUNT(*) FROM issued_card WHERE issued_at >= ?1 GROUP BY code";

  auto run = [&](const std::string& sql, auto&& row) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      error = LastError();
      return false;
    }
    sqlite3_bind_int64(s, 1, from);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) row(s);
    if (rc != SQLITE_DONE) error = LastError();
    sqlite3_finalize(s);
    return rc == SQLITE_DONE;
  };
  // One read transaction: a consistent snapshot while the server keeps writing.
  if (!Exec("BEGIN", error)) return {};
  const bool ok =
      run(issued,
          [&](sqlite3_stmt* s) {
            auto& r = by_code[Column(s, 0)];
            r.issued = sqlite3_column_int64(s, 1);
          }) &&
      run(outcomes,
          [&](sqlite3_stmt* s) {
            auto& r = by_code[Column(s, 0)];
            (Column(s, 1) == "accepted" ? r.accepted : r.overridden) = sqlite3_column_int64(s, 2);
          }) &&
      run(entries,
          [&](sqlite3_stmt* s) {
            by_code[Column(s, 0)].feedback_entries = sqlite3_column_int64(s, 1);
          }) &&
      run(reasons, [&](sqlite3_stmt* s) {
        auto& r = by_code[Column(s, 0)];
        if (r.top_override_reasons.size() < top_reasons)
          r.top_override_reasons.push_back(
              ReasonCount{Column(s, 1), Column(s, 2), Column(s, 3), sqlite3_column_int64(s, 4)});
      });
  std::string ignored;
  Exec("COMMIT", ignored);
  if (!ok) return {};
  std::vector<CodeReport> out;
  for (auto& [code, r] : by_code) {
    r.code = code;
    if (r.accepted + r.overridden > 0)
      r.acceptance_rate =
          static_cast<double>(r.accepted) / static_cast<double>(r.accepted + r.overridden);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace store
