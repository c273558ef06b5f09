// The store on PostgreSQL (libpq), for more than one replica: every replica writes its issued
// cards and feedback to the same tables, so feedback for a card issued by another replica joins
// its card, one report covers them all, and the JWT replay set (jwt_replay) is shared.
//
// Same tables and promises as the SQLite store (store/feedback_store.h), plus:
//   - schema_version: migrations are numbered and applied once, in order, under an advisory
//     lock (two replicas starting together do not race); a database newer than the binary is
//     refused.
//   - A pool of at most `pool_connections` connections (opened on demand). A connection that
//     broke (the server restarted) is dropped and the operation is tried once more on a fresh
//     one: every write is idempotent (ON CONFLICT DO NOTHING), so a retry cannot double a row.
//   - statement_timeout on every connection; connect_timeout bounds each connection attempt.
//   - Feedback commits with synchronous_commit=on (the WAL is flushed before the 200); issued-card
//     batches with synchronous_commit=off (analytics, as SQLite's synchronous=NORMAL). Feedback and
//     the writer take the queue under one lock held until their commit, so the issued row of an
//     acknowledged card is committed with or before it.
//   - While the database is unreachable: StoreFeedback is kUnavailable (503); the writer keeps
//     the issued rows queued and retries every second, so RecordIssued drops (and counts) rows
//     only once the queue is full; RecordJti is kUnavailable (the token is refused).
//
// Thread safety, ownership, errors: as store::Store. Messages name the database by its redacted
// URL only.
#pragma once

#include "store/card_queue.h"
#include "store/store.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

namespace store {

class PostgresStore : public Store {
 public:
  // Connects, applies the migrations and, if `create`, starts the writer thread. kUnavailable
  // when the database cannot be reached; kFailedPrecondition for a schema newer than this binary.
  static base::StatusOr<std::unique_ptr<PostgresStore>> Open(const std::string& url, bool create,
                                                             StoreOptions options);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  base::Status RecordIssued(const std::string& service, std::vector<IssuedCard> cards,
                            std::int64_t issued_at) override;
  base::Status StoreFeedback(const std::string& service,
                             const std::vector<cdshooks::Feedback>& entries,
                             std::int64_t received_at) override;
  base::StatusOr<FeedbackReport> Report(std::optional<std::int64_t> since, std::size_t top_reasons,
                                        std::int64_t bucket_seconds) override;
  base::StatusOr<std::vector<std::string>> CardCodes(
      const std::vector<std::string>& uuids) override;
  base::Status Flush() override;
  void Close() override;
  base::Status Ready() override;
  std::int64_t dropped_rows() const override { return queue_->dropped_rows(); }
  std::int64_t committed_batches() const override { return queue_->committed_batches(); }
  std::string Describe() const override;
  base::StatusOr<bool> RecordJti(const std::string& iss, const std::string& jti,
                                 std::int64_t forget_after, std::int64_t now) override;

  // The newest schema version this binary knows.
  static int LatestSchemaVersion();

  class Pool;  // in postgres_store.cc

 private:
  PostgresStore() = default;
  // One round of the queue's writer thread (the database down: retried every second).
  std::chrono::milliseconds WriteBatch(bool last);
  // Takes the queue and writes it in one transaction (with order_ held by the caller).
  base::Status WriteQueue(bool requeue_on_failure);

  StoreOptions options_;
  std::string redacted_url_;
  std::unique_ptr<Pool> pool_;

  // Writer (exclusive) and feedback (shared) hold it from taking the queue to their commit.
  std::shared_mutex order_;

  std::unique_ptr<CardQueue> queue_;  // the issued cards; its writer calls WriteBatch
  bool down_ = false;                 // the writer's last batch found the database unreachable
  std::atomic<bool> closed_{false};
  std::atomic<std::int64_t> next_purge_{0};  // unix seconds: the next jwt_replay purge
};

}  // namespace store
