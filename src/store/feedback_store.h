// The feedback store: every card the service issues and every feedback entry clinicians send
// about them, in one SQLite file (DATA_DIR/feedback.sqlite3, WAL journal).
//
// What is kept (and what is not):
//   issued_card  card uuid (key), service, card code, indicator, issued_at. No patient
//                identifier, no hookInstance, no order content.
//   feedback     card uuid, service, outcome, accepted suggestion ids, override reason coding,
//                whether a userComment was sent (the comment itself is NOT stored: it is free
//                text and may name the patient), outcomeTimestamp, received_at.
//
// Decisions:
//   - Idempotent: the natural key (card, outcome, outcomeTimestamp, accepted suggestions,
//     override reason) is UNIQUE and entries are written with INSERT OR IGNORE, so the same
//     entry sent twice is stored once.
//   - All or nothing: the entries of one feedback body are written in one transaction.
//   - Durable when acknowledged: StoreFeedback returns only after COMMIT with
//     synchronous=FULL (the WAL is fsynced), so an entry that got 200 survives kill -9 and power
//     loss. Issued cards are committed with synchronous=NORMAL (survives kill -9, not
//     necessarily power loss) to keep the hook path cheap; the next feedback commit fsyncs
//     them too.
//   - Feedback for a card uuid the store does not know is accepted and stored (the spec asks
//     services to tolerate it: the card may come from another replica or an older data dir);
//     the report lists it under the code "(unknown card)".
//
// Thread-safe: one connection guarded by a mutex; statements are prepared once.
#pragma once

#include "base/status.h"
#include "cdshooks/feedback.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace store {

struct IssuedCard {
  std::string uuid;
  std::string code;
  std::string indicator;
};

struct ReasonCount {
  std::string system;
  std::string code;
  std::string display;  // empty when the client sent none
  std::int64_t count = 0;
};

// Per card code. A card's outcome is its latest feedback entry (by outcomeTimestamp, then by
// arrival), so a card counts once even if feedback about it arrived several times.
struct CodeReport {
  std::string code;  // "(unknown card)" for feedback on cards this store never issued
  std::int64_t issued = 0;
  std::int64_t accepted = 0;
  std::int64_t overridden = 0;
  std::int64_t feedback_entries = 0;              // distinct entries stored for these cards
  std::optional<double> acceptance_rate;          // accepted / (accepted + overridden)
  std::vector<ReasonCount> top_override_reasons;  // of overridden cards; "" code: none given
};

class FeedbackStore {
 public:
  static constexpr const char* kFileName = "feedback.sqlite3";

  // Opens (creating DIR and the file if `create`) DATA_DIR/feedback.sqlite3. nullptr + error.
  static std::unique_ptr<FeedbackStore> Open(const std::string& data_dir, bool create,
                                             std::string& error);
  ~FeedbackStore();
  FeedbackStore(const FeedbackStore&) = delete;
  FeedbackStore& operator=(const FeedbackStore&) = delete;

  // Records cards just issued (one short transaction). False + error if the write failed.
  bool RecordIssued(const std::string& service, const std::vector<IssuedCard>& cards,
                    std::int64_t issued_at, std::string& error);

  // Stores a validated feedback body, all entries or none. OK once committed; else kUnavailable
  // with the message for the caller (the reason is in `log_reason`, for the log).
  base::Status StoreFeedback(const std::string& service,
                             const std::vector<cdshooks::Feedback>& entries,
                             std::int64_t received_at, std::string& log_reason);

  // The report, for cards issued at or after `since` (and unknown-card feedback whose outcome
  // is at or after it). Sorted by code.
  std::vector<CodeReport> Report(std::optional<std::int64_t> since, std::size_t top_reasons,
                                 std::string& error);

  // Checkpoints the WAL into the database file and closes. Idempotent; the destructor calls it.
  void Close();

  std::string path() const { return path_; }

 private:
  FeedbackStore() = default;
  bool Exec(const char* sql, std::string& error);
  bool Prepare(const char* sql, sqlite3_stmt** stmt, std::string& error);
  std::string LastError() const;

  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_card_ = nullptr;
  sqlite3_stmt* insert_feedback_ = nullptr;
  std::string path_;
};

}  // namespace store
