#include "store/postgres_store.h"

#include "base/log.h"
#include "fhir/date.h"

#include <libpq-fe.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <utility>

namespace store {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Never edit a migration that has shipped: add the next one.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE issued_card (
  uuid       TEXT PRIMARY KEY,
  service    TEXT NOT NULL,
  code       TEXT NOT NULL,
  indicator  TEXT NOT NULL,
  issued_at  BIGINT NOT NULL
);
CREATE TABLE feedback (
  id                   BIGSERIAL PRIMARY KEY,
  card                 TEXT NOT NULL,
  service              TEXT NOT NULL,
  outcome              TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
  accepted_suggestions TEXT NOT NULL,
  reason_system        TEXT NOT NULL,
  reason_code          TEXT NOT NULL,
  reason_display       TEXT NOT NULL,
  has_comment          INTEGER NOT NULL,
  outcome_timestamp    TEXT NOT NULL,
  outcome_at           BIGINT NOT NULL,
  received_at          BIGINT NOT NULL,
  UNIQUE (card, outcome, outcome_timestamp, accepted_suggestions, reason_system, reason_code)
);
CREATE INDEX feedback_card ON feedback (card, outcome_at);
CREATE TABLE issued_card_dropped (
  code       TEXT PRIMARY KEY,
  rows       BIGINT NOT NULL,
  last_at    BIGINT NOT NULL
);
)sql"},
    {2, R"sql(
CREATE TABLE jwt_replay (
  iss          TEXT NOT NULL,
  jti          TEXT NOT NULL,
  forget_after BIGINT NOT NULL,
  PRIMARY KEY (iss, jti)
);
CREATE INDEX jwt_replay_forget ON jwt_replay (forget_after);
)sql"},
    // The text of a userComment, kept only with store_user_comments (else NULL).
    {3, "ALTER TABLE feedback ADD COLUMN user_comment TEXT"},
};

// Any constant: the advisory lock key of the migrations.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7207150113)";

// Issued-card rows per INSERT statement (5 parameters each; libpq allows 65535).
constexpr std::size_t kRowsPerInsert = 500;

std::string OneLine(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s;
}

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

std::int64_t ToInt(const char* s) {
  std::int64_t v = 0;
  if (s != nullptr) std::from_chars(s, s + std::strlen(s), v);
  return v;
}

struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultFree>;

struct ConnFree {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnFree>;

// A failed result as a Status: kUnavailable when the connection is gone (the server restarted or
// cannot be reached), kDeadlineExceeded for statement_timeout, else kIoError.
base::Status Failure(PGconn* conn, const PGresult* r) {
  std::string why = OneLine(r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn));
  if (why.empty()) why = OneLine(PQerrorMessage(conn));
  if (PQstatus(conn) != CONNECTION_OK)
    return base::Status::Unavailable("PostgreSQL connection lost: " + why);
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  if (state != nullptr && std::string_view(state) == "57014")
    return base::Status::DeadlineExceeded("PostgreSQL statement timeout: " + why);
  if (state != nullptr && std::string_view(state).substr(0, 2) == "08")
    return base::Status::Unavailable("PostgreSQL connection failure: " + why);
  return base::Status::IoError("PostgreSQL: " + why);
}

base::Status Exec(PGconn* conn, const char* sql) {
  Result r(PQexec(conn, sql));
  const auto s = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return base::Status::Ok();
  return Failure(conn, r.get());
}

base::StatusOr<Result> Query(PGconn* conn, const std::string& sql,
                             const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  Result r(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                        nullptr, nullptr, 0));
  const auto s = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return r;
  return Failure(conn, r.get());
}

std::string Text(const PGresult* r, int row, int col) {
  return PQgetisnull(r, row, col) ? std::string() : std::string(PQgetvalue(r, row, col));
}

// Rolls back an open transaction after a failure (nothing to do if the connection is gone).
void Rollback(PGconn* conn) {
  if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
    (void)Exec(conn, "ROLLBACK");
}

bool Retryable(const base::Status& st) { return st.code() == base::Status::Code::kUnavailable; }

}  // namespace

// At most `max` connections, opened on demand and kept idle for reuse. Acquire waits (bounded)
// for a free one; a connection handed back broken or inside a transaction is closed.
class PostgresStore::Pool {
 public:
  Pool(std::string url, const StoreOptions& o)
      : url_(std::move(url)),
        max_(std::max<std::size_t>(1, o.pool_connections)),
        wait_(o.statement_timeout),
        connect_timeout_(std::to_string(std::max(1, o.connect_timeout_seconds))),
        options_("-c statement_timeout=" + std::to_string(o.statement_timeout.count())) {}
  ~Pool() = default;

  class Lease {
   public:
    Lease(Pool* pool, Conn conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Release(std::move(conn_));
    }
    PGconn* get() const { return conn_.get(); }
    // Closes the connection now (it broke); the next Acquire opens a fresh one.
    void Discard() { conn_.reset(); }

   private:
    Pool* pool_;
    Conn conn_;
  };

  base::StatusOr<Lease> Acquire() {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      const bool got = cv_.wait_for(lock, wait_, [&] { return !idle_.empty() || open_ < max_; });
      if (!got) return base::Status::Unavailable("no free PostgreSQL connection in the pool");
      if (!idle_.empty()) {
        Conn c = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(c));
      }
      ++open_;
    }
    auto c = Connect();
    if (!c.ok()) {
      Release(nullptr);
      return c.status();
    }
    return Lease(this, std::move(*c));
  }

  base::StatusOr<Conn> Connect() const {
    const char* keys[] = {"dbname", "connect_timeout", "options", "application_name", nullptr};
    const char* values[] = {url_.c_str(), connect_timeout_.c_str(), options_.c_str(),
                            "anakinra-cds", nullptr};
    Conn c(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
    if (!c) return base::Status::Unavailable("cannot connect to PostgreSQL: out of memory");
    if (PQstatus(c.get()) != CONNECTION_OK)
      return base::Status::Unavailable("cannot connect to PostgreSQL: " +
                                       OneLine(PQerrorMessage(c.get())));
    // NOTICEs ("relation already exists, skipping") are not for the service's log.
    PQsetNoticeProcessor(
        c.get(), [](void*, const char*) {}, nullptr);
    return c;
  }

 private:
  void Release(Conn c) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (c && PQstatus(c.get()) == CONNECTION_OK && PQtransactionStatus(c.get()) == PQTRANS_IDLE) {
        idle_.push_back(std::move(c));
      } else {
        --open_;
      }
    }
    c.reset();
    cv_.notify_one();
  }

  const std::string url_;
  const std::size_t max_;
  const std::chrono::milliseconds wait_;
  const std::string connect_timeout_;
  const std::string options_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Conn> idle_;
  std::size_t open_ = 0;  // idle + leased
};

namespace {

// Runs `fn` on a pooled connection; when it fails because the connection broke (the server
// restarted since the connection was opened), once more on a fresh connection.
template <typename Fn>
base::Status WithConnection(PostgresStore::Pool& pool, Fn&& fn) {
  base::Status st;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto lease = pool.Acquire();
    if (!lease.ok()) return lease.status();
    st = fn(lease->get());
    if (st.ok()) return st;
    Rollback(lease->get());
    if (!Retryable(st) || PQstatus(lease->get()) == CONNECTION_OK) return st;
    lease->Discard();
  }
  return st;
}

}  // namespace

int PostgresStore::LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

base::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url,
                                                                   bool create,
                                                                   StoreOptions options) {
  std::unique_ptr<PostgresStore> store(new PostgresStore());
  store->options_ = std::move(options);
  store->queue_ = std::make_unique<CardQueue>(store->options_.queue);
  store->redacted_url_ = RedactUrl(url);
  store->pool_ = std::make_unique<Pool>(url, store->options_);
  const std::string where = "PostgreSQL store " + store->redacted_url_;
  base::Status st = WithConnection(*store->pool_, [](PGconn* c) {
    base::Status s = Exec(c, "BEGIN");
    if (s.ok()) s = Exec(c, kMigrationLock);
    if (s.ok())
      s = Exec(c,
               "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
               "applied_at BIGINT NOT NULL)");
    int current = 0;
    if (s.ok()) {
      auto r = Query(c, "SELECT COALESCE(MAX(version), 0) FROM schema_version", {});
      if (!r.ok()) return r.status();
      current = static_cast<int>(ToInt(PQgetvalue(r->get(), 0, 0)));
    }
    if (s.ok() && current > LatestSchemaVersion())
      return base::Status::FailedPrecondition(
          "the database schema is version " + std::to_string(current) +
          ", newer than this binary's " + std::to_string(LatestSchemaVersion()));
    for (const auto& m : kMigrations) {
      if (!s.ok()) break;
      if (m.version <= current) continue;
      s = Exec(c, m.sql);
      if (s.ok())
        s = Query(c,
                  "INSERT INTO schema_version (version, applied_at) VALUES ($1, "
                  "EXTRACT(EPOCH FROM now())::bigint)",
                  {std::to_string(m.version)})
                .status();
      if (s.ok())
        base::LogEvent(base::LogLevel::kInfo, "feedback-store",
                       "PostgreSQL schema migrated to version " + std::to_string(m.version));
    }
    if (s.ok()) s = Exec(c, "COMMIT");
    return s;
  });
  if (!st.ok()) return st.Annotate(where);
  if (create) store->queue_->Start([s = store.get()](bool last) { return s->WriteBatch(last); });
  return store;
}

PostgresStore::~PostgresStore() { Close(); }

std::string PostgresStore::Describe() const { return "PostgreSQL " + redacted_url_; }

base::Status PostgresStore::RecordIssued(const std::string& service, std::vector<IssuedCard> cards,
                                         std::int64_t issued_at) {
  return queue_->Offer(service, std::move(cards), issued_at);
}

namespace {

// Writes `rows` and the drop counts in the open transaction of `c`.
template <typename Rows, typename DropMap>
base::Status WriteRows(PGconn* c, const Rows& rows, const DropMap& drops) {
  std::vector<std::string> params;
  std::string sql;
  std::size_t in_statement = 0;
  auto flush = [&]() -> base::Status {
    if (in_statement == 0) return base::Status::Ok();
    sql += " ON CONFLICT (uuid) DO NOTHING";
    base::Status st = Query(c, sql, params).status();
    sql.clear();
    params.clear();
    in_statement = 0;
    return st;
  };
  for (const auto& e : rows) {
    for (const auto& card : e.cards) {
      if (in_statement == 0)
        sql = "INSERT INTO issued_card (uuid, service, code, indicator, issued_at) VALUES ";
      else
        sql += ',';
      const std::size_t p = params.size();
      sql += "($" + std::to_string(p + 1) + ",$" + std::to_string(p + 2) + ",$" +
             std::to_string(p + 3) + ",$" + std::to_string(p + 4) + ",$" + std::to_string(p + 5) +
             ")";
      params.push_back(card.uuid);
      params.push_back(e.service);
      params.push_back(card.code);
      params.push_back(card.indicator);
      params.push_back(std::to_string(e.issued_at));
      if (++in_statement == kRowsPerInsert)
        if (base::Status st = flush(); !st.ok()) return st;
    }
  }
  if (base::Status st = flush(); !st.ok()) return st;
  for (const auto& [code, d] : drops) {
    base::Status st =
        Query(c,
              "INSERT INTO issued_card_dropped (code, rows, last_at) VALUES ($1, $2, $3) ON "
              "CONFLICT (code) DO UPDATE SET rows = issued_card_dropped.rows + EXCLUDED.rows, "
              "last_at = GREATEST(issued_card_dropped.last_at, EXCLUDED.last_at)",
              {code, std::to_string(d.rows), std::to_string(d.last_at)})
            .status();
    if (!st.ok()) return st;
  }
  return base::Status::Ok();
}

}  // namespace

base::Status PostgresStore::WriteQueue(bool requeue_on_failure) {
  CardBatch batch = queue_->Take();
  if (batch.empty()) return base::Status::Ok();
  base::Status st = WithConnection(*pool_, [&](PGconn* c) {
    base::Status s = Exec(c, "BEGIN");
    if (s.ok()) s = Exec(c, "SET LOCAL synchronous_commit = off");
    if (s.ok()) s = WriteRows(c, batch.rows, batch.drops);
    if (s.ok()) s = Exec(c, "COMMIT");
    return s;
  });
  if (st.ok()) {
    queue_->Committed(batch);
    return st;
  }
  if (requeue_on_failure && Retryable(st))
    queue_->PutBack(std::move(batch), st.message());
  else
    queue_->Lose(batch, st.message());
  return st;
}

std::chrono::milliseconds PostgresStore::WriteBatch(bool last) {
  base::Status st;
  {
    std::unique_lock<std::shared_mutex> order(order_);
    // The last round (Close) does not requeue: what cannot be written now is counted.
    st = WriteQueue(/*requeue_on_failure=*/!last);
  }
  if (!st.ok() && Retryable(st) && !last) {
    if (!down_)
      base::LogEvent(base::LogLevel::kError, "feedback-store",
                     "PostgreSQL unavailable; issued cards stay queued (bounded) and are "
                     "retried every second: " +
                         st.message());
    down_ = true;
    return std::chrono::seconds(1);
  }
  if (st.ok() && down_) {
    base::LogEvent(base::LogLevel::kInfo, "feedback-store", "PostgreSQL reachable again");
    down_ = false;
  }
  return std::chrono::milliseconds(0);
}

base::Status PostgresStore::Flush() {
  if (closed_.load()) return base::Status::FailedPrecondition("feedback store closed");
  std::unique_lock<std::shared_mutex> order(order_);
  return WriteQueue(/*requeue_on_failure=*/true);
}

void PostgresStore::Close() {
  if (closed_.exchange(true)) return;
  queue_->Stop();
  std::unique_lock<std::shared_mutex> order(order_);
  (void)WriteQueue(/*requeue_on_failure=*/false);  // left by a failed last batch: counted
}

base::Status PostgresStore::StoreFeedback(const std::string& service,
                                          const std::vector<cdshooks::Feedback>& entries,
                                          std::int64_t received_at) {
  const auto unavailable = [](const std::string& why) {
    return base::Status::Unavailable("the feedback could not be stored: " + why);
  };
  if (closed_.load()) return unavailable("feedback store closed");
  constexpr std::size_t kParams = 12;  // per entry
  std::vector<std::string> values;
  values.reserve(entries.size() * kParams);
  for (const auto& f : entries) {
    values.push_back(f.card);
    values.push_back(service);
    values.push_back(f.outcome);
    values.push_back(SuggestionsJson(f.accepted_suggestions));
    values.push_back(f.override_reason ? f.override_reason->system : "");
    values.push_back(f.override_reason ? f.override_reason->code : "");
    values.push_back(f.override_reason ? f.override_reason->display : "");
    values.push_back(f.user_comment.empty() ? "0" : "1");
    values.push_back(f.outcome_timestamp);
    values.push_back(std::to_string(fhir::ParseDateTime(f.outcome_timestamp).value_or(0)));
    values.push_back(std::to_string(received_at));
    // As sent (data, nothing escaped); "" is NULL: no comment, or comments not kept.
    values.push_back(options_.queue.store_user_comments ? f.user_comment : std::string());
  }
  std::shared_lock<std::shared_mutex> order(order_);
  CardBatch queued = queue_->Take();
  const std::vector<QueuedCards>& rows = queued.rows;
  const DropCounts& drops = queued.drops;
  bool issued_written = false;
  base::Status st = WithConnection(*pool_, [&](PGconn* c) {
    issued_written = false;
    base::Status s = Exec(c, "BEGIN");
    if (s.ok()) s = Exec(c, "SET LOCAL synchronous_commit = on");
    if (s.ok() && (!rows.empty() || !drops.empty())) {
      // The queued issued rows go first, in this same transaction; their failure alone (not a
      // lost connection) must not refuse the feedback.
      s = Exec(c, "SAVEPOINT issued");
      if (s.ok()) {
        base::Status issued = WriteRows(c, rows, drops);
        if (issued.ok()) {
          issued_written = true;
          s = Exec(c, "RELEASE SAVEPOINT issued");
        } else if (Retryable(issued)) {
          s = issued;
        } else {
          s = Exec(c, "ROLLBACK TO SAVEPOINT issued");
        }
      }
    }
    for (std::size_t i = 0; s.ok() && i < entries.size(); ++i) {
      const auto first = values.begin() + static_cast<std::ptrdiff_t>(i * kParams);
      const std::vector<std::string> p(first, first + static_cast<std::ptrdiff_t>(kParams));
      s = Query(c,
                "INSERT INTO feedback (card, service, outcome, accepted_suggestions, "
                "reason_system, reason_code, reason_display, has_comment, outcome_timestamp, "
                "outcome_at, received_at, user_comment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                "$9, $10, $11, NULLIF($12, '')) ON CONFLICT DO NOTHING",
                p)
              .status();
    }
    if (s.ok()) s = Exec(c, "COMMIT");
    return s;
  });
  if (!st.ok()) {
    queue_->PutBack(std::move(queued), st.message());  // the writer retries them
    return unavailable(st.message());
  }
  if (!issued_written && !queued.empty())
    queue_->Lose(queued, "the issued rows of a feedback transaction failed");
  else
    queue_->Committed(queued);
  return base::Status::Ok();
}

base::StatusOr<std::vector<std::string>> PostgresStore::CardCodes(
    const std::vector<std::string>& uuids) {
  constexpr std::size_t kPerQuery = 1000;  // parameters of one statement (libpq allows 65535)
  std::map<std::string, std::string> found;
  for (std::size_t from = 0; from < uuids.size(); from += kPerQuery) {
    const std::vector<std::string> some(
        uuids.begin() + static_cast<std::ptrdiff_t>(from),
        uuids.begin() + static_cast<std::ptrdiff_t>(std::min(uuids.size(), from + kPerQuery)));
    std::string sql = "SELECT uuid, code FROM issued_card WHERE uuid IN (";
    for (std::size_t i = 0; i < some.size(); ++i)
      sql += (i == 0 ? "$" : ", $") + std::to_string(i + 1);
    sql += ")";
    base::Status st = WithConnection(*pool_, [&](PGconn* c) -> base::Status {
      auto r = Query(c, sql, some);
      if (!r.ok()) return r.status();
      for (int i = 0; i < PQntuples(r->get()); ++i)
        found[Text(r->get(), i, 0)] = Text(r->get(), i, 1);
      return base::Status::Ok();
    });
    if (!st.ok()) return st.Annotate(redacted_url_);
  }
  std::vector<std::string> codes;
  codes.reserve(uuids.size());
  for (const auto& uuid : uuids) {
    const auto it = found.find(uuid);
    codes.push_back(it == found.end() ? "unknown" : it->second);
  }
  return codes;
}

base::Status PostgresStore::Ready() {
  return WithConnection(*pool_, [](PGconn* c) { return Exec(c, "SELECT 1"); });
}

base::StatusOr<bool> PostgresStore::RecordJti(const std::string& iss, const std::string& jti,
                                              std::int64_t forget_after, std::int64_t now) {
  bool fresh = false;
  const bool purge = now >= next_purge_.load(std::memory_order_relaxed);
  base::Status st = WithConnection(*pool_, [&](PGconn* c) -> base::Status {
    // A row whose time is over counts as absent: it is taken over.
    auto r = Query(c,
                   "INSERT INTO jwt_replay (iss, jti, forget_after) VALUES ($1, $2, $3) ON "
                   "CONFLICT (iss, jti) DO UPDATE SET forget_after = EXCLUDED.forget_after WHERE "
                   "jwt_replay.forget_after < $4 RETURNING 1",
                   {iss, jti, std::to_string(forget_after), std::to_string(now)});
    if (!r.ok()) return r.status();
    fresh = PQntuples(r->get()) == 1;
    return base::Status::Ok();
  });
  if (!st.ok()) return base::Status::Unavailable(st.message());
  if (purge) {
    next_purge_.store(now + 60, std::memory_order_relaxed);
    base::Status purged = WithConnection(*pool_, [&](PGconn* c) {
      return Query(c, "DELETE FROM jwt_replay WHERE forget_after < $1", {std::to_string(now)})
          .status();
    });
    if (!purged.ok())
      base::LogEvent(base::LogLevel::kWarn, "auth",
                     "cannot purge expired jti rows: " + purged.message());
  }
  return fresh;
}

base::StatusOr<FeedbackReport> PostgresStore::Report(std::optional<std::int64_t> since,
                                                     std::size_t top_reasons,
                                                     std::int64_t bucket_seconds) {
  const std::int64_t from = since.value_or(std::numeric_limits<std::int64_t>::min());
  const std::int64_t bucket = std::max<std::int64_t>(1, bucket_seconds);
  // The same queries as the SQLite store: a card's outcome is its latest entry (by outcome time,
  // then arrival); unknown cards count by their outcome time.
  constexpr const char* kLast = R"sql(
    WITH last AS (
      SELECT card, outcome, reason_system, reason_code, reason_display, outcome_at,
             ROW_NUMBER() OVER (PARTITION BY card ORDER BY outcome_at DESC, id DESC) AS rn
      FROM feedback),
    scoped AS (
      SELECT COALESCE(c.code, '(unknown card)') AS code, c.issued_at AS card_issued_at, l.*
      FROM last l LEFT JOIN issued_card c ON c.uuid = l.card
      WHERE l.rn = 1 AND ((c.uuid IS NOT NULL AND c.issued_at >= $1)
                          OR (c.uuid IS NULL AND l.outcome_at >= $1)))
  )sql";
  const std::string outcomes =
      std::string(kLast) + "SELECT code, outcome, COUNT(*) FROM scoped GROUP BY code, outcome";
  const std::string reasons =
      std::string(kLast) +
      "SELECT code, reason_system, reason_code, reason_display, COUNT(*) AS n FROM scoped "
      "WHERE outcome = 'overridden' GROUP BY code, reason_system, reason_code, reason_display "
      "ORDER BY code COLLATE \"C\", n DESC, reason_code COLLATE \"C\"";
  const std::string entries =
      "SELECT COALESCE(c.code, '(unknown card)'), COUNT(*) FROM feedback f LEFT JOIN issued_card "
      "c ON c.uuid = f.card WHERE (c.uuid IS NOT NULL AND c.issued_at >= $1) OR (c.uuid IS NULL "
      "AND f.outcome_at >= $1) GROUP BY 1";
  const std::string issued =
      "SELECT code, COUNT(*) FROM issued_card WHERE issued_at >= $1 GROUP BY code";
  const std::string dropped = "SELECT code, rows FROM issued_card_dropped WHERE last_at >= $1";
  // The trend: a card in the bucket of its issued_at, an unknown card in that of its outcome.
  const std::string bucket_of = "(t - (((t % $2) + $2) % $2))";
  const std::string trend_issued =
      "SELECT code, " + bucket_of +
      " AS b, COUNT(*) FROM (SELECT code, issued_at AS t FROM issued_card WHERE issued_at >= $1) "
      "x GROUP BY code, b";
  const std::string trend_outcomes =
      std::string(kLast) + "SELECT code, " + bucket_of +
      " AS b, outcome, COUNT(*) FROM (SELECT code, outcome, COALESCE(card_issued_at, "
      "outcome_at) AS t FROM scoped) x GROUP BY code, b, outcome";

  std::map<std::string, CodeReport> by_code;
  std::map<std::string, std::map<std::int64_t, TrendPoint>> trend;
  FeedbackReport report;
  base::Status st = WithConnection(*pool_, [&](PGconn* c) -> base::Status {
    by_code.clear();
    trend.clear();
    report = FeedbackReport();
    const std::vector<std::string> p1 = {std::to_string(from)};
    const std::vector<std::string> p2 = {std::to_string(from), std::to_string(bucket)};
    // One snapshot for all the queries while the replicas keep writing.
    base::Status s = Exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    auto run = [&](const std::string& sql, const std::vector<std::string>& params,
                   auto&& row) -> bool {
      if (!s.ok()) return false;
      auto r = Query(c, sql, params);
      if (!r.ok()) {
        s = r.status();
        return false;
      }
      for (int i = 0; i < PQntuples(r->get()); ++i) row(r->get(), i);
      return true;
    };
    run(issued, p1,
        [&](PGresult* r, int i) { by_code[Text(r, i, 0)].issued = ToInt(PQgetvalue(r, i, 1)); });
    run(outcomes, p1, [&](PGresult* r, int i) {
      auto& x = by_code[Text(r, i, 0)];
      (Text(r, i, 1) == "accepted" ? x.accepted : x.overridden) = ToInt(PQgetvalue(r, i, 2));
    });
    run(entries, p1, [&](PGresult* r, int i) {
      by_code[Text(r, i, 0)].feedback_entries = ToInt(PQgetvalue(r, i, 1));
    });
    run(reasons, p1, [&](PGresult* r, int i) {
      auto& x = by_code[Text(r, i, 0)];
      if (x.top_override_reasons.size() < top_reasons)
        x.top_override_reasons.push_back(
            ReasonCount{Text(r, i, 1), Text(r, i, 2), Text(r, i, 3), ToInt(PQgetvalue(r, i, 4))});
    });
    run(dropped, p1, [&](PGresult* r, int i) {
      const std::int64_t n = ToInt(PQgetvalue(r, i, 1));
      by_code[Text(r, i, 0)].issued_dropped = n;
      report.issued_dropped += n;
    });
    run(trend_issued, p2, [&](PGresult* r, int i) {
      const std::int64_t b = ToInt(PQgetvalue(r, i, 1));
      auto& point = trend[Text(r, i, 0)][b];
      point.start = b;
      point.issued = ToInt(PQgetvalue(r, i, 2));
    });
    run(trend_outcomes, p2, [&](PGresult* r, int i) {
      const std::int64_t b = ToInt(PQgetvalue(r, i, 1));
      auto& point = trend[Text(r, i, 0)][b];
      point.start = b;
      (Text(r, i, 2) == "accepted" ? point.accepted : point.overridden) =
          ToInt(PQgetvalue(r, i, 3));
    });
    if (s.ok()) s = Exec(c, "COMMIT");
    return s;
  });
  if (!st.ok()) return st.Annotate(redacted_url_);
  for (auto& [code, r] : by_code) {
    r.code = code;
    if (r.accepted + r.overridden > 0)
      r.acceptance_rate =
          static_cast<double>(r.accepted) / static_cast<double>(r.accepted + r.overridden);
    for (auto& [start, point] : trend[code]) {
      if (point.accepted + point.overridden > 0)
        point.acceptance_rate = static_cast<double>(point.accepted) /
                                static_cast<double>(point.accepted + point.overridden);
      r.trend.push_back(point);
    }
    report.codes.push_back(std::move(r));
  }
  return report;
}

}  // namespace store
