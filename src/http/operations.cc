#include "http/operations.h"

#include "base/log.h"

#include <chrono>

namespace http {
namespace {

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void AddOperationsObservers(ServerObservers& observers,
                            const std::shared_ptr<store::FeedbackStore>& store,
                            const std::shared_ptr<Metrics>& metrics) {
  observers.on_cards = [store, metrics](const service::HookResult& r) {
    metrics->RecordCards(r);
    if (r.issued.empty()) return;
    std::vector<store::IssuedCard> cards;
    cards.reserve(r.issued.size());
    for (std::size_t i = 0; i < r.issued.size(); ++i)
      cards.push_back(
          {r.issued[i].first, r.issued[i].second, i < r.indicators.size() ? r.indicators[i] : ""});
    std::string why;
    if (!store->RecordIssued(r.service_id, cards, NowSeconds(), why)) {
      metrics->RecordStoreError("cards");
      base::LogEvent(base::LogLevel::kError, "feedback-store",
                     "cannot record issued cards: " + why);
    }
  };
  observers.on_feedback = [store, metrics](
                              const std::string& service,
                              const std::vector<cdshooks::Feedback>& entries) -> base::Status {
    std::string why;
    if (base::Status e = store->StoreFeedback(service, entries, NowSeconds(), why); !e.ok()) {
      metrics->RecordStoreError("feedback");
      base::LogEvent(base::LogLevel::kError, "feedback-store", "cannot store feedback: " + why);
      return e;
    }
    metrics->RecordFeedback(entries);
    return base::Status::Ok();
  };
  observers.on_request = [metrics](const std::string& route, int status, double seconds,
                                   const std::string& service) {
    metrics->RecordRequest(route, status, seconds, service);
  };
  observers.extra_gets.emplace_back("/metrics", [metrics] {
    return std::pair<std::string, std::string>(Metrics::kContentType, metrics->Serialize());
  });
}

}  // namespace http
