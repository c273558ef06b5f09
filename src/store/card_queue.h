// The issued-card queue and its writer thread, one piece for both stores (SQLite and PostgreSQL):
// RecordIssued appends the cards of an answer to a bounded in-memory queue and returns (never a
// wait on the database); one writer thread hands the queue to the store's batch writer every
// `batch_rows` rows or `batch_interval` after the first queued row, whichever comes first (group
// commit). Rows that find the queue full, or whose batch cannot be written, are dropped: counted
// per card code (so the store can record them in issued_card_dropped with its next batch), in
// dropped_rows(), logged, and told to `on_issued_lost`.
//
// The store decides how a batch is written and ordered against its feedback commits: its Writer
// takes the batch (Take) under its own lock, writes it, and on failure puts it back (PutBack:
// retried later) or loses it (Lose). A feedback transaction Takes the queue the same way, so a
// card whose feedback is acknowledged has its issued row committed with it.
//
// Thread safety: every member may be called from any thread, except Start (once, before the
// writer is needed) and Stop (from the owner). The Writer runs on the writer thread only.
// Ownership: owns the queue and the writer thread; the store owns the CardQueue and must Stop it
// before what its Writer uses goes away. Errors: Offer returns a Status; lost rows are counted and
// logged, never an error to the caller.
#pragma once

#include "base/status.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace store {

struct IssuedCard {
  std::string uuid;
  std::string code;
  std::string indicator;
};

struct CardQueueOptions {
  std::size_t batch_rows = 512;                  // commit when this many are queued
  std::chrono::milliseconds batch_interval{20};  // or this long after the first one
  std::size_t queue_rows = 65536;                // beyond: dropped and counted
  // Told, from the thread that lost them, how many issued-card rows were dropped and why
  // (queue full: the request thread; failed batch: the writer). Must be cheap and not block.
  std::function<void(std::size_t rows, std::string_view why)> on_issued_lost;
};

// The cards of one answer, moved in (no copy of their strings on the hot path).
struct QueuedCards {
  std::string service;
  std::vector<IssuedCard> cards;
  std::int64_t issued_at = 0;
};

// Issued-card rows never written, per card code, and the issued_at of the last one.
struct DropCount {
  std::int64_t rows = 0;
  std::int64_t last_at = 0;
};
using DropCounts = std::map<std::string, DropCount>;

// What Take hands a writer: every queued row (oldest first) and every drop count not yet written.
struct CardBatch {
  std::vector<QueuedCards> rows;
  DropCounts drops;
  std::size_t row_count() const;
  bool empty() const { return rows.empty() && drops.empty(); }
};

class CardQueue {
 public:
  // One round of the writer thread (`last`: the round of Stop; nothing is retried after it).
  // Returns how long to wait before the next round: zero normally, more after a failure (a
  // database that is down), cut short by Stop.
  using Writer = std::function<std::chrono::milliseconds(bool last)>;

  explicit CardQueue(CardQueueOptions options);
  ~CardQueue();
  CardQueue(const CardQueue&) = delete;
  CardQueue& operator=(const CardQueue&) = delete;

  // Starts accepting rows and the writer thread. Without Start (a report-only store) Offer is
  // kFailedPrecondition.
  void Start(Writer writer);
  // Stops accepting rows, lets the writer do its last round, joins it. Idempotent. What is left
  // (a failed last round) stays for the owner's final Take.
  void Stop();

  // Queues the cards of one answer. OK when queued; kResourceExhausted when the queue has no
  // room for all of them (none is queued; they are counted as dropped); kFailedPrecondition when
  // not started or stopped.
  base::Status Offer(const std::string& service, std::vector<IssuedCard> cards,
                     std::int64_t issued_at);
  // Everything queued and every drop count, now (the queue is then empty).
  CardBatch Take();
  // A batch that could not be written goes back to the front of the queue (its drop counts
  // too); rows beyond the queue bound are lost (Lose) with `why`.
  void PutBack(CardBatch batch, std::string_view why);
  // A batch that cannot be written: its rows are counted as dropped, logged with `why` and told
  // to on_issued_lost; its drop counts are kept for the next batch.
  void Lose(const CardBatch& batch, std::string_view why);
  // A batch with rows committed (for committed_batches()).
  void Committed(const CardBatch& batch);

  std::int64_t dropped_rows() const { return dropped_.load(std::memory_order_relaxed); }
  std::int64_t committed_batches() const { return batches_.load(std::memory_order_relaxed); }
  const CardQueueOptions& options() const { return options_; }

 private:
  void Loop();
  void CountDrop(const std::string& code, std::int64_t rows, std::int64_t at);  // mutex_

  CardQueueOptions options_;
  Writer writer_;

  std::mutex mutex_;  // below
  std::condition_variable cv_;
  std::deque<QueuedCards> queue_;
  std::size_t queued_rows_ = 0;  // cards in queue_
  DropCounts drops_;             // not yet written to issued_card_dropped
  bool accepting_ = false;
  bool stop_ = false;
  std::thread thread_;

  std::atomic<std::int64_t> dropped_{0};
  std::atomic<std::int64_t> batches_{0};
};

}  // namespace store
