// The feedback store: every card the service issues and every feedback entry clinicians send
// about them, in one SQLite file (DATA_DIR/feedback.sqlite3, WAL journal).
//
// What is kept (and what is not):
//   issued_card          card uuid (key), service, card code, indicator, issued_at. No patient
//                        identifier, no hookInstance, no order content.
//   feedback             card uuid, service, outcome, accepted suggestion ids, override reason
//                        coding, whether a userComment was sent, outcomeTimestamp, received_at.
//                        The comment's text (user_comment) only with store_user_comments: it is
//                        free text and may name the patient (docs/security.md); by default the
//                        column stays NULL. Never read by the report, the logs or the page.
//   jwt_replay           iss, jti and when to forget it (exp + clock skew): the JWT replay set,
//                        so a token let in once is refused after a restart too.
//   issued_card_dropped  per card code: issued-card rows that were never written (queue full or
//                        a failed batch), and when the last one was lost. The report uses it to
//                        mark the counts that depend on those rows as lower bounds.
//
// Two kinds of rows, two durabilities (docs/operations.md "Feedback store"):
//   - Issued cards are analytics. RecordIssued never touches the disk: it appends the rows to a
//     bounded in-memory queue (store::CardQueue, shared with the PostgreSQL store) and returns.
//     One writer thread commits the queue in batches (group commit: every `batch_rows` rows or
//     `batch_interval` after the first queued row, whichever comes first) with synchronous=NORMAL.
//     A row is therefore lost if the process is killed before its batch commits (at most one batch
//     interval plus the commit), or if the queue is full when it is offered (the row is dropped and
//     counted). Close() flushes the queue.
//   - Feedback is not analytics. StoreFeedback returns only after COMMIT with synchronous=FULL
//     (the WAL is fsynced), so an entry that got 200 survives kill -9 and power loss. The same
//     transaction first writes every issued-card row still queued, so a card whose feedback was
//     acknowledged has its issued row on disk too (unless that row had been dropped).
//
// Decisions:
//   - Idempotent: the natural key (card, outcome, outcomeTimestamp, accepted suggestions,
//     override reason) is UNIQUE and entries are written with INSERT OR IGNORE, so the same
//     entry sent twice is stored once; a re-issued card uuid is one card.
//   - All or nothing: the entries of one feedback body are written in one transaction.
//   - Feedback for a card uuid the store does not know is accepted and stored (the spec asks
//     services to tolerate it: the card may come from another replica, an older data dir, or a
//     dropped issued row); the report lists it under the code "(unknown card)".
//
// Thread safety: every public member may be called from any thread at any time, including
// concurrently with Close(). One SQLite connection, guarded by a mutex that the writer thread,
// StoreFeedback and Report take; RecordIssued only takes the (short) queue mutex.
// Ownership: the store owns its connection and its writer thread; the destructor calls Close().
// Errors: Open/StoreFeedback/Report return a Status; a failed issued-card batch is logged, its
// rows are counted as dropped, and `on_issued_lost` is told.
#pragma once

#include <sys/types.h>

#include "base/status.h"
#include "cdshooks/feedback.h"
#include "store/card_queue.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace store {

struct ReasonCount {
  std::string system;
  std::string code;
  std::string display;  // empty when the client sent none
  std::int64_t count = 0;
};

// One bucket of a code's trend. A card is in the bucket of its issued_at; "(unknown card)"
// feedback is in the bucket of its latest outcome time (issued 0 there).
struct TrendPoint {
  std::int64_t start = 0;  // bucket start, unix seconds: floor(t / bucket_seconds) * bucket_seconds
  std::int64_t issued = 0;                // cards of this code issued in the bucket
  std::int64_t accepted = 0;              // of the cards in this bucket, latest outcome accepted
  std::int64_t overridden = 0;            // ... latest outcome overridden
  std::optional<double> acceptance_rate;  // accepted / (accepted + overridden)
};

// Per card code. A card's outcome is its latest feedback entry (by outcomeTimestamp, then by
// arrival), so a card counts once even if feedback about it arrived several times.
struct CodeReport {
  std::string code;  // "(unknown card)" for feedback on cards this store never recorded
  std::int64_t issued = 0;
  std::int64_t accepted = 0;
  std::int64_t overridden = 0;
  std::int64_t feedback_entries = 0;              // distinct entries stored for these cards
  std::optional<double> acceptance_rate;          // accepted / (accepted + overridden)
  std::vector<ReasonCount> top_override_reasons;  // of overridden cards; "" code: none given
  // Issued-card rows of this code that were dropped (in the report's period). When > 0, issued,
  // accepted, overridden and feedback_entries are lower bounds: feedback on a dropped card is
  // counted under "(unknown card)" instead.
  std::int64_t issued_dropped = 0;
  bool lower_bound() const { return issued_dropped > 0; }
  // Cards issued with no feedback (a lower bound too when lower_bound()).
  std::int64_t ignored() const { return std::max<std::int64_t>(0, issued - accepted - overridden); }
  std::vector<TrendPoint> trend;  // ascending start; buckets with at least one card or outcome
};

struct FeedbackReport {
  std::vector<CodeReport> codes;    // sorted by code
  std::int64_t issued_dropped = 0;  // all codes; > 0: "(unknown card)" may hold dropped cards
};

class FeedbackStore {
 public:
  static constexpr const char* kFileName = "feedback.sqlite3";

  // Batching, the queue bound and on_issued_lost (store/card_queue.h), and what to keep.
  struct Options : CardQueueOptions {
    // Keep the text of a userComment (column feedback.user_comment) instead of only whether one
    // was sent (both backends take it from here).
    bool store_user_comments = false;
  };

  // Opens (creating DIR and the file if `create`) DATA_DIR/feedback.sqlite3 and, if `create`,
  // starts the writer thread (a store opened without `create` is for reports: RecordIssued on
  // it is kFailedPrecondition). kNotFound when !create and there is no store; kIoError when the
  // folder or the file cannot be made or opened.
  static base::StatusOr<std::unique_ptr<FeedbackStore>> Open(const std::string& data_dir,
                                                             bool create);
  static base::StatusOr<std::unique_ptr<FeedbackStore>> Open(const std::string& data_dir,
                                                             bool create, Options options);
  ~FeedbackStore();
  FeedbackStore(const FeedbackStore&) = delete;
  FeedbackStore& operator=(const FeedbackStore&) = delete;

  // Hands the cards just issued to the writer thread; never waits on the disk. OK when queued;
  // kResourceExhausted when the queue has no room for all of them (none is queued; they are
  // counted as dropped); kFailedPrecondition after Close() or on a report-only store.
  base::Status RecordIssued(const std::string& service, std::vector<IssuedCard> cards,
                            std::int64_t issued_at);

  // Stores a validated feedback body, all entries or none, fsynced before it returns OK (with
  // the issued-card rows still queued). kUnavailable when it cannot (the message says why, for
  // the log; nothing of the body was kept).
  base::Status StoreFeedback(const std::string& service,
                             const std::vector<cdshooks::Feedback>& entries,
                             std::int64_t received_at);

  // The report, for cards issued at or after `since` (and unknown-card feedback whose outcome
  // is at or after it), with each code's trend in buckets of `bucket_seconds`. The totals are
  // the sums of the trend. kInvalidArgument when bucket_seconds <= 0; kIoError when the file
  // cannot be read.
  base::StatusOr<FeedbackReport> Report(std::optional<std::int64_t> since, std::size_t top_reasons,
                                        std::int64_t bucket_seconds = 86400);

  // See Store::CardCodes: the code of each uuid from issued_card, "unknown" when absent. kIoError
  // when the file cannot be read, kFailedPrecondition after Close().
  base::StatusOr<std::vector<std::string>> CardCodes(const std::vector<std::string>& uuids);

  // The JWT replay set: records iss+jti until `forget_after` (unix seconds). true the first
  // time (or after its time was over), false for a replay; kUnavailable when the file cannot be
  // written or is gone (the caller refuses the token: fail closed). Expired rows are purged at
  // most once a minute. Committed with synchronous=NORMAL: survives kill -9, not power loss.
  base::StatusOr<bool> RecordJti(const std::string& iss, const std::string& jti,
                                 std::int64_t forget_after, std::int64_t now);

  // Writes every queued issued-card row (and the drop counts) on the calling thread, now. OK
  // when they are committed.
  base::Status Flush();

  // Flushes the queue, stops the writer, checkpoints the WAL into the database file and closes.
  // Idempotent; the destructor calls it.
  void Close();

  // Issued-card rows dropped since Open (queue full or failed batch), and batches committed by
  // the writer: for metrics and tests.
  std::int64_t dropped_rows() const { return queue_->dropped_rows(); }
  std::int64_t committed_batches() const { return queue_->committed_batches(); }

  std::string path() const { return path_; }

  // kUnavailable when the file opened is no longer at path() (removed, or replaced by another
  // file): StoreFeedback then refuses, and the store is not ready.
  base::Status CheckFile() const;

 private:
  FeedbackStore() = default;
  // Applies the numbered migrations not yet in schema_version, in one transaction.
  base::Status Migrate();
  // sqlite3_wal_hook: checkpoints (PASSIVE) once the WAL holds 1000 pages, logging failures.
  static int WalHook(void* self, sqlite3* db, const char* name, int pages);
  base::Status Exec(const char* sql);
  base::Status Prepare(const char* sql, sqlite3_stmt** stmt);
  std::string LastError() const;
  // One round of the queue's writer thread: takes the queue under db_mutex_ and commits it.
  std::chrono::milliseconds WriteBatch();
  // With db_mutex_ held: writes the batch's rows and drop counts in the open transaction.
  base::Status WriteQueuedLocked(const CardBatch& batch);

  std::string path_;
  dev_t file_dev_ = 0;  // the file opened, to notice its removal or replacement
  ino_t file_ino_ = 0;

  std::mutex db_mutex_;  // the connection and its statements
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_card_ = nullptr;
  sqlite3_stmt* insert_feedback_ = nullptr;
  sqlite3_stmt* upsert_dropped_ = nullptr;
  sqlite3_stmt* insert_jti_ = nullptr;
  sqlite3_stmt* purge_jti_ = nullptr;
  std::int64_t next_jti_purge_ = 0;       // unix seconds; db_mutex_
  std::int64_t checkpoint_failures_ = 0;  // in a row; db_mutex_ (the hook runs in a commit)

  std::unique_ptr<CardQueue> queue_;  // the issued cards; its writer calls WriteBatch
  bool store_user_comments_ = false;
};

}  // namespace store
