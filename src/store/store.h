// The store of issued cards, feedback and the JWT replay set, behind one
// interface with two implementations chosen by the `store_url` setting:
//   - ""                         SQLite in DATA_DIR/feedback.sqlite3 (store::FeedbackStore, the
//                                embedded default: one process, its own file);
//   - postgresql://… postgres://… PostgreSQL (store::PostgresStore): every replica of the service
//                                writes to and reports from the same database, and shares one
//                                JWT replay set.
// Both keep the same promises (docs/operations.md "Feedback store"): issued cards are queued and
// written in batches by a writer thread (bounded queue; rows that cannot be written are dropped
// and counted); feedback is committed durably before StoreFeedback returns OK; a userComment's
// text is kept (column user_comment) only with FeedbackStore::Options::store_user_comments.
//
// Thread safety: every member of a Store may be called from any thread at any time, including
// concurrently with Close(). Ownership: OpenStore returns the only owner; the destructor closes.
// Errors: Status codes as documented per member; messages never contain the URL's password.
#pragma once

#include "base/status.h"
#include "cdshooks/feedback.h"
#include "store/feedback_store.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace store {

class Store {
 public:
  virtual ~Store() = default;

  // See FeedbackStore: queued, never waits on the database. OK when queued; kResourceExhausted
  // when the queue is full (the rows are dropped and counted); kFailedPrecondition when closed
  // or report-only.
  virtual base::Status RecordIssued(const std::string& service, std::vector<IssuedCard> cards,
                                    std::int64_t issued_at) = 0;
  // All entries or none, durable before OK; kUnavailable (nothing kept) otherwise.
  virtual base::Status StoreFeedback(const std::string& service,
                                     const std::vector<cdshooks::Feedback>& entries,
                                     std::int64_t received_at) = 0;
  // Cards issued at or after `since` (and unknown-card feedback whose outcome is at or after
  // it), with a trend in buckets of `bucket_seconds`.
  virtual base::StatusOr<FeedbackReport> Report(std::optional<std::int64_t> since,
                                                std::size_t top_reasons,
                                                std::int64_t bucket_seconds) = 0;
  // The code of each card in `uuids` as it was issued (parallel to `uuids`); "unknown" for a uuid
  // this store never recorded (or whose row was dropped). Reads the database: called after
  // StoreFeedback, whose transaction wrote every issued-card row queued before it, it knows every
  // card this process issued before the feedback came. kUnavailable or kIoError when the database
  // cannot answer.
  virtual base::StatusOr<std::vector<std::string>> CardCodes(
      const std::vector<std::string>& uuids) = 0;
  // Writes the queued issued-card rows now.
  virtual base::Status Flush() = 0;
  // Flushes, stops the writer, closes. Idempotent.
  virtual void Close() = 0;
  // Cheap: OK when the store can take feedback now (SQLite: open; PostgreSQL: a pooled
  // connection answers within the statement timeout). kUnavailable otherwise. For /readyz.
  virtual base::Status Ready() = 0;

  virtual std::int64_t dropped_rows() const = 0;
  virtual std::int64_t committed_batches() const = 0;
  // For logs: "SQLite /path/feedback.sqlite3", "PostgreSQL postgresql://u:***@host/db".
  virtual std::string Describe() const = 0;

  // The JWT replay set, kept with the feedback so that it outlives a restart (SQLite: the
  // process's file; PostgreSQL: shared by every replica). Records iss+jti until `forget_after`
  // (unix seconds), once for every replica: true the first time, false when it is recorded and
  // not yet forgotten (a replay); kUnavailable when the store cannot say (the caller refuses the
  // token: fail closed).
  virtual base::StatusOr<bool> RecordJti(const std::string& iss, const std::string& jti,
                                         std::int64_t forget_after, std::int64_t now) = 0;
};

// What OpenStore needs besides the URL.
struct StoreOptions {
  FeedbackStore::Options queue;  // batching, queue bound, on_issued_lost: both backends
  // PostgreSQL only.
  std::size_t pool_connections = 4;  // the writer, feedback and the replay check share them
  std::chrono::milliseconds statement_timeout{5000};
  int connect_timeout_seconds = 3;
};

// Opens the store `store_url` names (empty: SQLite in `data_dir`). `create`: a serving store
// (creates the file or the schema, starts the writer); else report-only (SQLite: kNotFound when
// there is no file). Schema migrations are applied in both cases. kInvalidArgument for a URL
// that is not empty, postgresql:// or postgres://; kUnavailable when PostgreSQL cannot be reached;
// kIoError when the SQLite file cannot be made or opened.
base::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& store_url,
                                                 const std::string& data_dir, bool create,
                                                 StoreOptions options = {});

// An open SQLite store as a Store (shares it: the caller may keep using `store` directly).
std::shared_ptr<Store> SqliteAsStore(std::shared_ptr<FeedbackStore> store);

// OK for "" and for a postgresql:// or postgres:// URL libpq can parse; else kInvalidArgument
// whose message never repeats the URL (it may hold a password).
base::Status CheckStoreUrl(const std::string& store_url);

// `url` with the password of its userinfo and any password= query parameter replaced by "***",
// for logs and `config check`. Text that is not a URL is returned as is when it has no '@' and no
// "password", else as "***".
std::string RedactUrl(const std::string& url);

// True for the PostgreSQL URL schemes.
bool IsPostgresUrl(const std::string& store_url);

}  // namespace store
