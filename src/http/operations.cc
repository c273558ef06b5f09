#include "http/operations.h"

#include "base/log.h"

#include <atomic>
#include <chrono>
#include <utility>

namespace http {
namespace {

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Rate-limited log of dropped issued-card rows: one line per 10 s at most, with the rows
// dropped since the previous line.
class DropLog {
 public:
  void Dropped(std::size_t rows, std::string_view why) {
    pending_.fetch_add(static_cast<std::int64_t>(rows), std::memory_order_relaxed);
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
    std::int64_t last = last_ms_.load(std::memory_order_relaxed);
    if (last != 0 && now - last < kIntervalMs) return;
    if (!last_ms_.compare_exchange_strong(last, now)) return;  // another thread logs
    const std::int64_t n = pending_.exchange(0);
    base::LogEvent(base::LogLevel::kWarn, "feedback-store",
                   std::to_string(n) + " issued-card rows dropped (" + std::string(why) +
                       "); feedback-report marks the affected counts as lower bounds");
  }

 private:
  static constexpr std::int64_t kIntervalMs = 10'000;
  std::atomic<std::int64_t> last_ms_{0};
  std::atomic<std::int64_t> pending_{0};
};

}  // namespace

store::FeedbackStore::Options StoreOptions(const std::shared_ptr<Metrics>& metrics) {
  store::FeedbackStore::Options options;
  auto log = std::make_shared<DropLog>();
  options.on_issued_lost = [metrics, log](std::size_t rows, std::string_view why) {
    metrics->RecordIssuedDropped(rows);
    if (why != "queue full") metrics->RecordStoreError("cards");
    log->Dropped(rows, why);
  };
  return options;
}

void AddOperationsObservers(ServerObservers& observers, const std::shared_ptr<store::Store>& store,
                            const std::shared_ptr<Metrics>& metrics) {
  observers.on_cards = [store, metrics](const service::HookResult& r) {
    metrics->RecordCards(r.service_id, r.card_codes, r.indicators, r.unresolved_medications);
    if (r.issued.empty()) return;
    std::vector<store::IssuedCard> cards;
    cards.reserve(r.issued.size());
    for (std::size_t i = 0; i < r.issued.size(); ++i)
      cards.push_back(
          {r.issued[i].first, r.issued[i].second, i < r.indicators.size() ? r.indicators[i] : ""});
    // Queued for the store's writer thread; a full queue drops the rows (counted and logged by
    // the store's on_issued_lost) and the cards are answered all the same.
    (void)store->RecordIssued(r.service_id, std::move(cards), NowSeconds());
  };
  observers.on_feedback = [store, metrics](
                              const std::string& service,
                              const std::vector<cdshooks::Feedback>& entries) -> base::Status {
    base::Status st = store->StoreFeedback(service, entries, NowSeconds());
    if (!st.ok()) {
      metrics->RecordStoreError("feedback");
      base::LogEvent(base::LogLevel::kError, "feedback-store",
                     "cannot store feedback: " + st.message());
      return base::Status::Unavailable(
          "The feedback could not be stored; nothing of it was kept. Retry later.");
    }
    metrics->RecordFeedback(entries);
    return base::Status::Ok();
  };
  observers.card_codes = [store](const std::vector<std::string>& uuids) {
    auto codes = store->CardCodes(uuids);
    if (codes.ok()) return std::move(*codes);
    base::LogEvent(base::LogLevel::kWarn, "feedback-store",
                   "cannot look up the card codes of stored feedback: " + codes.status().message());
    return std::vector<std::string>(uuids.size(), "lookup-failed");
  };
  observers.on_request = [metrics](const std::string& route, int status, double seconds,
                                   const std::string& service) {
    metrics->RecordRequest(route, status, seconds, service);
  };
  observers.ready = [store] { return store->Ready(); };
  observers.extra_gets.emplace_back("/metrics", [metrics] {
    return std::pair<std::string, std::string>(Metrics::kContentType, metrics->Serialize());
  });
}

}  // namespace http
