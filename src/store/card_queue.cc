#include "store/card_queue.h"

#include "base/log.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace store {

std::size_t CardBatch::row_count() const {
  std::size_t n = 0;
  for (const auto& e : rows) n += e.cards.size();
  return n;
}

CardQueue::CardQueue(CardQueueOptions options) : options_(std::move(options)) {
  if (options_.batch_rows == 0) options_.batch_rows = 1;
}

CardQueue::~CardQueue() { Stop(); }

void CardQueue::Start(Writer writer) {
  writer_ = std::move(writer);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    accepting_ = true;
  }
  thread_ = std::thread([this] { Loop(); });
}

void CardQueue::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    accepting_ = false;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CardQueue::CountDrop(const std::string& code, std::int64_t rows, std::int64_t at) {
  auto& d = drops_[code];
  d.rows += rows;
  d.last_at = std::max(d.last_at, at);
}

base::Status CardQueue::Offer(const std::string& service, std::vector<IssuedCard> cards,
                              std::int64_t issued_at) {
  if (cards.empty()) return base::Status::Ok();
  const std::size_t n = cards.size();
  bool wake = false;
  bool full = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!accepting_) return base::Status::FailedPrecondition("feedback store closed");
    full = queued_rows_ + n > options_.queue_rows;
    if (full) {
      wake = drops_.empty();  // the writer records the first drops soon, not at the next row
      for (const auto& c : cards) CountDrop(c.code, 1, issued_at);
    } else {
      const bool was_empty = queue_.empty();
      queue_.push_back({service, std::move(cards), issued_at});
      queued_rows_ += n;
      // The writer sleeps until the first row (then for one interval) or a full batch: only
      // these two events need a wake-up, not every row.
      wake = was_empty || queued_rows_ >= options_.batch_rows;
    }
  }
  if (wake) cv_.notify_one();
  if (!full) return base::Status::Ok();
  dropped_.fetch_add(static_cast<std::int64_t>(n), std::memory_order_relaxed);
  if (options_.on_issued_lost) options_.on_issued_lost(n, "queue full");
  return base::Status::ResourceExhausted("issued-card queue full: " + std::to_string(n) +
                                         " rows dropped");
}

CardBatch CardQueue::Take() {
  CardBatch batch;
  std::lock_guard<std::mutex> lock(mutex_);
  batch.rows.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
  queue_.clear();
  queued_rows_ = 0;
  batch.drops.swap(drops_);
  return batch;
}

void CardQueue::PutBack(CardBatch batch, std::string_view why) {
  CardBatch lost;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [code, d] : batch.drops) CountDrop(code, d.rows, d.last_at);
    // Newest first, so that the oldest rows are the ones beyond the bound.
    for (auto it = batch.rows.rbegin(); it != batch.rows.rend(); ++it) {
      if (queued_rows_ + it->cards.size() > options_.queue_rows) {
        lost.rows.push_back(std::move(*it));
        continue;
      }
      queued_rows_ += it->cards.size();
      queue_.push_front(std::move(*it));
    }
  }
  Lose(lost, why);
}

void CardQueue::Lose(const CardBatch& batch, std::string_view why) {
  const std::size_t n = batch.row_count();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [code, d] : batch.drops) CountDrop(code, d.rows, d.last_at);
    for (const auto& e : batch.rows)
      for (const auto& c : e.cards) CountDrop(c.code, 1, e.issued_at);
  }
  if (n == 0) return;
  dropped_.fetch_add(static_cast<std::int64_t>(n), std::memory_order_relaxed);
  base::LogEvent(base::LogLevel::kError, "feedback-store",
                 "cannot record " + std::to_string(n) +
                     " issued cards (counted as dropped): " + std::string(why));
  if (options_.on_issued_lost) options_.on_issued_lost(n, why);
}

void CardQueue::Committed(const CardBatch& batch) {
  if (!batch.rows.empty()) batches_.fetch_add(1, std::memory_order_relaxed);
}

void CardQueue::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty() || !drops_.empty(); });
    if (!stop_ && queued_rows_ < options_.batch_rows) {
      const auto deadline = std::chrono::steady_clock::now() + options_.batch_interval;
      cv_.wait_until(lock, deadline, [&] { return stop_ || queued_rows_ >= options_.batch_rows; });
    }
    const bool last = stop_;
    if (queue_.empty() && drops_.empty()) {
      if (last) return;
      continue;
    }
    lock.unlock();
    const std::chrono::milliseconds pause = writer_(last);
    lock.lock();
    if (last) return;
    if (pause.count() > 0) cv_.wait_for(lock, pause, [&] { return stop_; });  // no busy loop
  }
}

}  // namespace store
