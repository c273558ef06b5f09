#include "store/feedback_store.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "fhir/date.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <system_error>

namespace store {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS issued_card (
  uuid       TEXT PRIMARY KEY,
  service    TEXT NOT NULL,
  code       TEXT NOT NULL,
  indicator  TEXT NOT NULL,
  issued_at  INTEGER NOT NULL          -- seconds since the epoch, UTC
) WITHOUT ROWID;
-- No secondary index on issued_card: every one doubles the writer's B-tree work per row, and
-- the report (analytics, run rarely) scans the table instead.
DROP INDEX IF EXISTS issued_card_code;
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
CREATE TABLE IF NOT EXISTS issued_card_dropped (
  code       TEXT PRIMARY KEY,         -- card code of the issued-card rows never written
  rows       INTEGER NOT NULL,
  last_at    INTEGER NOT NULL          -- issued_at of the last one, seconds since the epoch
) WITHOUT ROWID;
)sql";

// Numbered migrations, applied once and in order and recorded in schema_version (as in the
// PostgreSQL store). Never edit one that has shipped: add the next. Version 1 is the schema of the
// files made before schema_version existed (CREATE ... IF NOT EXISTS): they migrate in place.
struct Migration {
  int version;
  const char* sql;
};
// Version 3: the JWT replay set (as jwt_replay in the PostgreSQL store), so a jti let in before a
// restart is still refused after it.
constexpr const char* kReplaySet = R"sql(
CREATE TABLE IF NOT EXISTS jwt_replay (
  iss          TEXT NOT NULL,
  jti          TEXT NOT NULL,
  forget_after INTEGER NOT NULL,       -- seconds since the epoch: exp + clock skew
  PRIMARY KEY (iss, jti)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS jwt_replay_forget ON jwt_replay (forget_after);
)sql";

// In ascending order. A version missing from a file is applied even when a higher one is there
// (branches may add them in either order).
constexpr Migration kMigrations[] = {
    {1, kSchema},
    // The text of a userComment, kept only with store_user_comments (else NULL).
    {2, "ALTER TABLE feedback ADD COLUMN user_comment TEXT"},
    {3, kReplaySet},
};
constexpr int kSchemaVersion = kMigrations[std::size(kMigrations) - 1].version;

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

void BindStatic(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}

std::string Column(sqlite3_stmt* s, int i) {
  const auto* p = sqlite3_column_text(s, i);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
}

// SQLite's name of a primary result code, for the log ("SQLITE_IOERR").
const char* CodeName(int primary) {
  switch (primary) {
    case SQLITE_FULL:
      return "SQLITE_FULL";
    case SQLITE_IOERR:
      return "SQLITE_IOERR";
    case SQLITE_BUSY:
      return "SQLITE_BUSY";
    case SQLITE_LOCKED:
      return "SQLITE_LOCKED";
    case SQLITE_READONLY:
      return "SQLITE_READONLY";
    case SQLITE_CORRUPT:
      return "SQLITE_CORRUPT";
    case SQLITE_CANTOPEN:
      return "SQLITE_CANTOPEN";
    case SQLITE_NOMEM:
      return "SQLITE_NOMEM";
    case SQLITE_CONSTRAINT:
      return "SQLITE_CONSTRAINT";
    default:
      return "SQLITE_ERROR";
  }
}

// Why writes to the store at `path` fail, when SQLite cannot say (it reads errno after the failed
// write has been followed by other calls): the file-size limit reached by the file or its WAL
// (EFBIG), or a full file system (ENOSPC). Empty when neither is the case.
std::string DiagnoseWrites(const std::string& path) {
  if (rlimit r{}; ::getrlimit(RLIMIT_FSIZE, &r) == 0 && r.rlim_cur != RLIM_INFINITY) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      struct stat st {};
      if (::stat((path + suffix).c_str(), &st) == 0 &&
          static_cast<rlim_t>(st.st_size) + 65536 >= r.rlim_cur)
        return "errno EFBIG (File too large: " + path + suffix +
               " has reached the file-size limit RLIMIT_FSIZE of " + std::to_string(r.rlim_cur) +
               " bytes)";
    }
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  if (struct statvfs fs{}; ::statvfs(dir.empty() ? "." : dir.c_str(), &fs) == 0 &&
                           static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize < (1u << 20))
    return "errno ENOSPC (No space left on device: " + dir + ")";
  return std::string();
}

// The result code, and for an I/O error the errno behind it, for the log.
std::string DescribeResult(sqlite3* db, int rc, const std::string& path) {
  const int primary = rc & 0xff;
  std::string out = std::string(CodeName(primary));
  if (rc != primary) out += " (extended " + std::to_string(rc) + ")";
  // The system call behind an I/O error: EFBIG (RLIMIT_FSIZE), ENOSPC (disk full), EIO, ...
  if (primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN) {
    if (const int e = db == nullptr ? 0 : sqlite3_system_errno(db); e != 0) {
      const char* name = strerrorname_np(e);
      out += ", errno " + (name != nullptr ? std::string(name) : std::to_string(e)) + " (" +
             std::strerror(e) + ")";
    } else if (std::string why = DiagnoseWrites(path); !why.empty()) {
      out += ", " + why;
    } else if (primary == SQLITE_FULL) {
      out += ", a short write";
    }
  }
  return out;
}

// Puts drop counts that could not be written back with the newer ones.
void Ignore(const base::Status&) {}

}  // namespace

base::StatusOr<std::unique_ptr<FeedbackStore>> FeedbackStore::Open(const std::string& data_dir,
                                                                   bool create) {
  return Open(data_dir, create, Options());
}

base::StatusOr<std::unique_ptr<FeedbackStore>> FeedbackStore::Open(const std::string& data_dir,
                                                                   bool create, Options options) {
  namespace fs = std::filesystem;
  const fs::path dir = data_dir.empty() ? fs::path(".") : fs::path(data_dir);
  std::error_code ec;
  if (create) {
    fs::create_directories(dir, ec);
    if (ec)
      return base::Status::IoError("cannot create data dir " + dir.string() + ": " + ec.message());
  }
  std::unique_ptr<FeedbackStore> store(new FeedbackStore());
  store->store_user_comments_ = options.store_user_comments;
  store->queue_ = std::make_unique<CardQueue>(std::move(options));
  store->path_ = (dir / kFileName).string();
  if (!create && !fs::exists(store->path_, ec))
    return base::Status::NotFound("no feedback store at " + store->path_ +
                                  " (is --data-dir the serve data dir?)");
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(store->path_.c_str(), &store->db_, flags, nullptr) != SQLITE_OK)
    return base::Status::IoError("cannot open " + store->path_ + ": " + store->LastError());
  if (struct stat st{}; ::stat(store->path_.c_str(), &st) == 0) {
    store->file_dev_ = st.st_dev;
    store->file_ino_ = st.st_ino;
  }
  sqlite3_busy_timeout(store->db_, 5000);
  sqlite3_extended_result_codes(store->db_, 1);
  base::Status st = store->Exec("PRAGMA journal_mode=WAL");
  if (st.ok()) st = store->Exec("PRAGMA synchronous=NORMAL");
  // 8 MB of page cache (default 2 MB): the issued_card B-tree is keyed by random uuids, so
  // inserts touch pages all over the file; a bigger cache saves the writer most page reads.
  if (st.ok()) st = store->Exec("PRAGMA cache_size=-8192");
  // Our own auto-checkpoint (SQLite's default one ignores failures): same threshold, but a
  // failed checkpoint is logged.
  if (st.ok()) sqlite3_wal_hook(store->db_, &FeedbackStore::WalHook, store.get());
  if (st.ok()) st = store->Migrate();
  if (st.ok())
    st = store->Prepare(
        "INSERT OR IGNORE INTO issued_card (uuid, service, code, indicator, issued_at) VALUES "
        "(?1, ?2, ?3, ?4, ?5)",
        &store->insert_card_);
  if (st.ok())
    st = store->Prepare(
        "INSERT OR IGNORE INTO feedback (card, service, outcome, accepted_suggestions, "
        "reason_system, reason_code, reason_display, has_comment, outcome_timestamp, "
        "outcome_at, received_at, user_comment) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, ?12)",
        &store->insert_feedback_);
  if (st.ok())
    st = store->Prepare(
        "INSERT INTO issued_card_dropped (code, rows, last_at) VALUES (?1, ?2, ?3) ON CONFLICT "
        "(code) DO UPDATE SET rows = rows + excluded.rows, last_at = MAX(last_at, "
        "excluded.last_at)",
        &store->upsert_dropped_);
  if (st.ok())
    st = store->Prepare(
        "INSERT INTO jwt_replay (iss, jti, forget_after) VALUES (?1, ?2, ?3) ON CONFLICT (iss, "
        "jti) DO UPDATE SET forget_after = excluded.forget_after WHERE jwt_replay.forget_after < "
        "?4",
        &store->insert_jti_);
  if (st.ok())
    st = store->Prepare("DELETE FROM jwt_replay WHERE forget_after < ?1", &store->purge_jti_);
  if (!st.ok()) return base::Status::IoError(st.message(), store->path_);
  if (create) store->queue_->Start([s = store.get()](bool) { return s->WriteBatch(); });
  return store;
}

FeedbackStore::~FeedbackStore() { Close(); }

void FeedbackStore::Close() {
  queue_->Stop();  // the writer writes what is queued before it ends
  std::lock_guard<std::mutex> lock(db_mutex_);
  if (db_ == nullptr) return;
  // Anything left by a failed last batch (or put back by a feedback commit meanwhile).
  if (CardBatch left = queue_->Take(); !left.empty()) {
    base::Status st = Exec("BEGIN");
    if (st.ok()) st = WriteQueuedLocked(left);
    if (st.ok()) st = Exec("COMMIT");
    if (!st.ok()) {
      Ignore(Exec("ROLLBACK"));
      queue_->Lose(left, st.message());
    }
  }
  sqlite3_finalize(insert_card_);
  sqlite3_finalize(insert_feedback_);
  sqlite3_finalize(upsert_dropped_);
  sqlite3_finalize(insert_jti_);
  sqlite3_finalize(purge_jti_);
  insert_card_ = insert_feedback_ = upsert_dropped_ = insert_jti_ = purge_jti_ = nullptr;
  if (const int rc =
          sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
      rc != SQLITE_OK)
    base::LogEvent(base::LogLevel::kError, "feedback-store",
                   "checkpoint at shutdown failed for SQLite " + path_ + ": " +
                       DescribeResult(db_, rc, path_) +
                       "; the committed rows stay in the -wal file and are replayed at the next "
                       "open (keep it beside the database)");
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

int FeedbackStore::WalHook(void* self, sqlite3* db, const char* name, int pages) {
  constexpr int kCheckpointPages = 1000;  // SQLite's default wal_autocheckpoint
  if (pages < kCheckpointPages) return SQLITE_OK;
  const int rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  auto* store = static_cast<FeedbackStore*>(self);
  if (rc == SQLITE_OK) {
    store->checkpoint_failures_ = 0;
    return SQLITE_OK;
  }
  // Called within a commit that has succeeded: the rows are in the WAL, which keeps growing until
  // a checkpoint succeeds. Logged on the first failure, then every 100th.
  if (store->checkpoint_failures_++ % 100 == 0)
    base::LogEvent(base::LogLevel::kError, "feedback-store",
                   "WAL checkpoint failed for SQLite " + store->path_ + " (" +
                       std::to_string(store->checkpoint_failures_) + " in a row, " +
                       std::to_string(pages) +
                       " pages in the WAL): " + DescribeResult(db, rc, store->path_));
  return SQLITE_OK;
}

base::Status FeedbackStore::Migrate() {
  base::Status st = Exec("BEGIN IMMEDIATE");
  if (!st.ok()) return st;
  st = Exec(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at "
      "INTEGER NOT NULL)");
  int current = 0;
  std::set<int> applied;
  if (st.ok()) {
    sqlite3_stmt* q = nullptr;
    st = Prepare("SELECT version FROM schema_version", &q);
    while (st.ok() && sqlite3_step(q) == SQLITE_ROW) {
      applied.insert(sqlite3_column_int(q, 0));
      current = std::max(current, sqlite3_column_int(q, 0));
    }
    sqlite3_finalize(q);
  }
  if (st.ok() && current > kSchemaVersion)
    st = base::Status::FailedPrecondition("the store's schema is version " +
                                          std::to_string(current) + ", newer than this binary's " +
                                          std::to_string(kSchemaVersion));
  for (const auto& m : kMigrations) {
    if (!st.ok() || applied.count(m.version) != 0) continue;
    st = Exec(m.sql);
    if (st.ok())
      st = Exec(("INSERT INTO schema_version (version, applied_at) VALUES (" +
                 std::to_string(m.version) + ", CAST(strftime('%s', 'now') AS INTEGER))")
                    .c_str());
  }
  if (st.ok()) st = Exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
  if (st.ok()) return Exec("COMMIT");
  Ignore(Exec("ROLLBACK"));
  return st;
}

std::string FeedbackStore::LastError() const {
  if (db_ == nullptr) return "out of memory";
  return std::string(sqlite3_errmsg(db_)) + " [" +
         DescribeResult(db_, sqlite3_extended_errcode(db_), path_) + "]";
}

base::Status FeedbackStore::Exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return base::Status::Ok();
  std::string error = message != nullptr
                          ? std::string(message) + " [" +
                                DescribeResult(db_, sqlite3_extended_errcode(db_), path_) + "]"
                          : LastError();
  sqlite3_free(message);
  return base::Status::IoError(std::move(error));
}

base::Status FeedbackStore::Prepare(const char* sql, sqlite3_stmt** stmt) {
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr) == SQLITE_OK)
    return base::Status::Ok();
  return base::Status::IoError(LastError());
}

base::Status FeedbackStore::RecordIssued(const std::string& service, std::vector<IssuedCard> cards,
                                         std::int64_t issued_at) {
  return queue_->Offer(service, std::move(cards), issued_at);
}

base::Status FeedbackStore::WriteQueuedLocked(const CardBatch& batch) {
  for (const auto& e : batch.rows) {
    for (const auto& c : e.cards) {
      sqlite3_reset(insert_card_);
      // SQLITE_STATIC: the strings outlive the statement's step (reset before they change).
      BindStatic(insert_card_, 1, c.uuid);
      BindStatic(insert_card_, 2, e.service);
      BindStatic(insert_card_, 3, c.code);
      BindStatic(insert_card_, 4, c.indicator);
      sqlite3_bind_int64(insert_card_, 5, e.issued_at);
      if (sqlite3_step(insert_card_) != SQLITE_DONE) {
        base::Status st = base::Status::IoError(LastError());
        sqlite3_reset(insert_card_);
        return st;
      }
    }
  }
  sqlite3_reset(insert_card_);
  for (const auto& [code, d] : batch.drops) {
    sqlite3_reset(upsert_dropped_);
    BindText(upsert_dropped_, 1, code);
    sqlite3_bind_int64(upsert_dropped_, 2, d.rows);
    sqlite3_bind_int64(upsert_dropped_, 3, d.last_at);
    if (sqlite3_step(upsert_dropped_) != SQLITE_DONE) {
      base::Status st = base::Status::IoError(LastError());
      sqlite3_reset(upsert_dropped_);
      return st;
    }
  }
  sqlite3_reset(upsert_dropped_);
  return base::Status::Ok();
}

std::chrono::milliseconds FeedbackStore::WriteBatch() {
  std::lock_guard<std::mutex> db(db_mutex_);
  // Taken under db_mutex_: StoreFeedback cannot commit between the take and the write.
  CardBatch batch = queue_->Take();
  if (batch.empty() || db_ == nullptr) return std::chrono::milliseconds(0);
  base::Status st = Exec("BEGIN");
  if (st.ok()) st = WriteQueuedLocked(batch);
  if (st.ok()) st = Exec("COMMIT");
  if (st.ok()) {
    queue_->Committed(batch);
    return std::chrono::milliseconds(0);
  }
  Ignore(Exec("ROLLBACK"));
  queue_->Lose(batch, st.message());
  return queue_->options().batch_interval;  // no busy loop
}

base::Status FeedbackStore::Flush() {
  std::lock_guard<std::mutex> db(db_mutex_);
  if (db_ == nullptr) return base::Status::FailedPrecondition("feedback store closed");
  CardBatch batch = queue_->Take();
  if (batch.empty()) return base::Status::Ok();
  base::Status st = Exec("BEGIN");
  if (st.ok()) st = WriteQueuedLocked(batch);
  if (st.ok()) st = Exec("COMMIT");
  if (st.ok()) {
    queue_->Committed(batch);
    return st;
  }
  Ignore(Exec("ROLLBACK"));
  queue_->Lose(batch, st.message());
  return st;
}

base::Status FeedbackStore::CheckFile() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0)
    return base::Status::Unavailable("the store file " + path_ + " was removed");
  if (file_ino_ != 0 && (st.st_dev != file_dev_ || st.st_ino != file_ino_))
    return base::Status::Unavailable("the store file " + path_ + " was replaced by another file");
  return base::Status::Ok();
}

base::Status FeedbackStore::StoreFeedback(const std::string& service,
                                          const std::vector<cdshooks::Feedback>& entries,
                                          std::int64_t received_at) {
  const auto unavailable = [this](const std::string& why) {
    return base::Status::Unavailable("the feedback could not be stored in SQLite " + path_ + ": " +
                                     why);
  };
  std::lock_guard<std::mutex> lock(db_mutex_);
  if (db_ == nullptr) return unavailable("feedback store closed");
  // A file removed or replaced under us would take the commit to an unlinked inode: nothing
  // acknowledged may go there.
  if (base::Status file = CheckFile(); !file.ok()) {
    base::LogEvent(base::LogLevel::kError, "feedback-store",
                   file.message() + ": feedback is refused (503) until the service restarts");
    return unavailable(file.message());
  }
  // FULL: COMMIT fsyncs the WAL, so what we acknowledge survives a crash or power loss.
  base::Status st = Exec("PRAGMA synchronous=FULL");
  if (st.ok()) st = Exec("BEGIN IMMEDIATE");
  if (!st.ok()) {
    Ignore(Exec("PRAGMA synchronous=NORMAL"));
    return unavailable(st.message());
  }
  // The issued cards still queued go first, in this same fsynced transaction: the card of an
  // acknowledged feedback entry is on disk with it.
  CardBatch queued = queue_->Take();
  st = Exec("SAVEPOINT issued");
  if (st.ok()) {
    // A failure of the issued rows alone must not refuse the feedback: they are undone, counted
    // as dropped, and the feedback goes on.
    const base::Status issued = WriteQueuedLocked(queued);
    if (!issued.ok()) {
      Ignore(Exec("ROLLBACK TO issued"));
      queue_->Lose(queued, issued.message());
      queued = CardBatch();
    }
    st = Exec("RELEASE issued");
  }
  if (st.ok()) {
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
      sqlite3_bind_int64(insert_feedback_, 10,
                         fhir::ParseDateTime(f.outcome_timestamp).value_or(0));
      sqlite3_bind_int64(insert_feedback_, 11, received_at);
      if (store_user_comments_ && !f.user_comment.empty())
        BindText(insert_feedback_, 12, f.user_comment);  // as sent: data, nothing escaped
      else
        sqlite3_bind_null(insert_feedback_, 12);
      if (sqlite3_step(insert_feedback_) != SQLITE_DONE) {
        st = base::Status::IoError(LastError());
        break;
      }
    }
    sqlite3_reset(insert_feedback_);
  }
  if (st.ok()) st = Exec("COMMIT");
  if (!st.ok()) {
    Ignore(Exec("ROLLBACK"));
    // The queued issued rows go back to the writer, which retries them.
    queue_->PutBack(std::move(queued), st.message());
  } else {
    queue_->Committed(queued);
  }
  Ignore(Exec("PRAGMA synchronous=NORMAL"));
  if (!st.ok()) return unavailable(st.message());
  return base::Status::Ok();
}

base::StatusOr<std::vector<std::string>> FeedbackStore::CardCodes(
    const std::vector<std::string>& uuids) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  if (db_ == nullptr) return base::Status::FailedPrecondition("feedback store closed");
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT code FROM issued_card WHERE uuid = ?1", -1, &q, nullptr) !=
      SQLITE_OK)
    return base::Status::IoError(LastError(), path_);
  std::vector<std::string> codes;
  codes.reserve(uuids.size());
  base::Status st;
  for (const auto& uuid : uuids) {
    sqlite3_reset(q);
    BindText(q, 1, uuid);
    const int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
      codes.push_back(Column(q, 0));
    } else if (rc == SQLITE_DONE) {
      codes.emplace_back("unknown");
    } else {
      st = base::Status::IoError(LastError(), path_);
      break;
    }
  }
  sqlite3_finalize(q);
  if (!st.ok()) return st;
  return codes;
}

base::StatusOr<bool> FeedbackStore::RecordJti(const std::string& iss, const std::string& jti,
                                              std::int64_t forget_after, std::int64_t now) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  if (db_ == nullptr) return base::Status::Unavailable("feedback store closed");
  // Into a removed or replaced file, the jti would be forgotten at the next start.
  if (base::Status file = CheckFile(); !file.ok()) return base::Status::Unavailable(file.message());
  sqlite3_reset(insert_jti_);
  BindStatic(insert_jti_, 1, iss);
  BindStatic(insert_jti_, 2, jti);
  sqlite3_bind_int64(insert_jti_, 3, forget_after);
  sqlite3_bind_int64(insert_jti_, 4, now);
  // Autocommit, synchronous=NORMAL: survives kill -9 (not a power loss, like issued rows).
  const int rc = sqlite3_step(insert_jti_);
  const bool fresh = sqlite3_changes(db_) == 1;
  std::string error = rc == SQLITE_DONE ? std::string() : LastError();
  sqlite3_reset(insert_jti_);
  if (rc != SQLITE_DONE)
    return base::Status::Unavailable("the replay set in SQLite " + path_ +
                                     " cannot be written: " + error);
  if (now >= next_jti_purge_) {
    next_jti_purge_ = now + 60;
    sqlite3_reset(purge_jti_);
    sqlite3_bind_int64(purge_jti_, 1, now);
    if (sqlite3_step(purge_jti_) != SQLITE_DONE)
      base::LogEvent(base::LogLevel::kWarn, "auth",
                     "cannot purge expired jti rows from SQLite " + path_ + ": " + LastError());
    sqlite3_reset(purge_jti_);
  }
  return fresh;
}

base::StatusOr<FeedbackReport> FeedbackStore::Report(std::optional<std::int64_t> since,
                                                     std::size_t top_reasons,
                                                     std::int64_t bucket_seconds) {
  if (bucket_seconds <= 0)
    return base::Status::InvalidArgument("bucket_seconds must be positive, got " +
                                         std::to_string(bucket_seconds));
  std::lock_guard<std::mutex> lock(db_mutex_);
  if (db_ == nullptr) return base::Status::FailedPrecondition("feedback store closed");
  std::string error;
  const std::int64_t from = since.value_or(std::numeric_limits<std::int64_t>::min());
  // floor(t / ?2) * ?2 (SQLite's / truncates toward zero).
  constexpr const char* kBucketOfIssued = "(issued_at - ((issued_at % ?2) + ?2) % ?2)";
  // A card's outcome is its latest entry; unknown cards count by their outcome time, and are in
  // the bucket of that time.
  constexpr const char* kLast = R"sql(
    WITH last AS (
      SELECT card, outcome, reason_system, reason_code, reason_display, outcome_at,
             ROW_NUMBER() OVER (PARTITION BY card ORDER BY outcome_at DESC, id DESC) AS rn
      FROM feedback),
    scoped AS (
      SELECT COALESCE(c.code, '(unknown card)') AS code,
             COALESCE(c.issued_at, l.outcome_at) AS at, l.*
      FROM last l LEFT JOIN issued_card c ON c.uuid = l.card
      WHERE l.rn = 1 AND ((c.uuid IS NOT NULL AND c.issued_at >= ?1)
                          OR (c.uuid IS NULL AND l.outcome_at >= ?1)))
  )sql";
  const std::string outcomes = std::string(kLast) +
                               "SELECT code, at - ((at % ?2) + ?2) % ?2 AS bucket, outcome, "
                               "COUNT(*) FROM scoped GROUP BY code, bucket, outcome";
  const std::string reasons =
      std::string(kLast) +
      "SELECT code, reason_system, reason_code, reason_display, COUNT(*) AS n FROM scoped "
      "WHERE outcome = 'overridden' GROUP BY code, reason_system, reason_code, reason_display "
      "ORDER BY code, n DESC, reason_code";
  const std::string entries =
      "SELECT COALESCE(c.code, '(unknown card)'), COUNT(*) FROM feedback f LEFT JOIN issued_card "
      "c ON c.uuid = f.card WHERE (c.uuid IS NOT NULL AND c.issued_at >= ?1) OR (c.uuid IS NULL "
      "AND f.outcome_at >= ?1) GROUP BY 1";
  const std::string issued = std::string("SELECT code, ") + kBucketOfIssued +
                             " AS bucket, COUNT(*) FROM issued_card WHERE issued_at >= ?1 GROUP "
                             "BY code, bucket";
  const std::string dropped = "SELECT code, rows FROM issued_card_dropped WHERE last_at >= ?1";

  auto run = [&](const std::string& sql, auto&& row) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      error = LastError();
      return false;
    }
    sqlite3_bind_int64(s, 1, from);
    if (sqlite3_bind_parameter_count(s) >= 2) sqlite3_bind_int64(s, 2, bucket_seconds);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) row(s);
    if (rc != SQLITE_DONE) error = LastError();
    sqlite3_finalize(s);
    return rc == SQLITE_DONE;
  };
  std::map<std::string, CodeReport> by_code;
  std::map<std::string, std::map<std::int64_t, TrendPoint>> trend;  // code -> start -> point
  // One read transaction: a consistent snapshot while the server keeps writing.
  if (base::Status st = Exec("BEGIN"); !st.ok()) return st;
  FeedbackReport report;
  const bool ok =
      run(issued,
          [&](sqlite3_stmt* s) {
            by_code[Column(s, 0)];
            trend[Column(s, 0)][sqlite3_column_int64(s, 1)].issued = sqlite3_column_int64(s, 2);
          }) &&
      run(outcomes,
          [&](sqlite3_stmt* s) {
            by_code[Column(s, 0)];
            auto& p = trend[Column(s, 0)][sqlite3_column_int64(s, 1)];
            (Column(s, 2) == "accepted" ? p.accepted : p.overridden) = sqlite3_column_int64(s, 3);
          }) &&
      run(entries,
          [&](sqlite3_stmt* s) {
            by_code[Column(s, 0)].feedback_entries = sqlite3_column_int64(s, 1);
          }) &&
      run(reasons,
          [&](sqlite3_stmt* s) {
            auto& r = by_code[Column(s, 0)];
            if (r.top_override_reasons.size() < top_reasons)
              r.top_override_reasons.push_back(ReasonCount{Column(s, 1), Column(s, 2), Column(s, 3),
                                                           sqlite3_column_int64(s, 4)});
          }) &&
      run(dropped, [&](sqlite3_stmt* s) {
        const std::int64_t n = sqlite3_column_int64(s, 1);
        by_code[Column(s, 0)].issued_dropped = n;
        report.issued_dropped += n;
      });
  Ignore(Exec("COMMIT"));
  if (!ok) return base::Status::IoError(error, path_);
  auto rate = [](std::int64_t accepted, std::int64_t overridden) -> std::optional<double> {
    if (accepted + overridden == 0) return std::nullopt;
    return static_cast<double>(accepted) / static_cast<double>(accepted + overridden);
  };
  std::vector<CodeReport>& out = report.codes;
  for (auto& [code, r] : by_code) {
    r.code = code;
    // The totals are the sums of the buckets: one query per kind, one answer.
    for (auto& [start, p] : trend[code]) {
      p.start = start;
      p.acceptance_rate = rate(p.accepted, p.overridden);
      r.issued += p.issued;
      r.accepted += p.accepted;
      r.overridden += p.overridden;
      r.trend.push_back(p);
    }
    r.acceptance_rate = rate(r.accepted, r.overridden);
    out.push_back(std::move(r));
  }
  return report;
}

}  // namespace store
