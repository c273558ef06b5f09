#include "http/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <mutex>

namespace http {
namespace {

std::string Token(const std::string& s) {
  if (s.empty() || s.size() > 32) return "other";
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return "other";
  return s;
}

// The child of `key` in `cache`, made by `make` (under the exclusive lock) the first time.
template <typename T, typename Make>
T& Child(std::shared_mutex& mutex, std::unordered_map<std::string, T*>& children,
         const std::string& key, Make&& make) {
  {
    std::shared_lock<std::shared_mutex> lock(mutex);
    auto it = children.find(key);
    if (it != children.end()) return *it->second;
  }
  std::unique_lock<std::shared_mutex> lock(mutex);
  auto [it, inserted] = children.try_emplace(key, nullptr);
  if (inserted) it->second = &make();
  return *it->second;
}

}  // namespace

std::vector<double> Metrics::LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};
}

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  requests_ = &prometheus::BuildCounter()
                   .Name("anakinra_http_requests_total")
                   .Help("HTTP requests answered, by route pattern and status")
                   .Register(*registry_);
  latency_ = &prometheus::BuildHistogram()
                  .Name("anakinra_request_duration_seconds")
                  .Help("Time to handle a request, by CDS service (none: other routes)")
                  .Register(*registry_);
  cards_ = &prometheus::BuildCounter()
                .Name("anakinra_cards_total")
                .Help("Cards issued, by card code and indicator")
                .Register(*registry_);
  fetches_ = &prometheus::BuildCounter()
                  .Name("anakinra_prefetch_fetches_total")
                  .Help("FHIR fetches of missing prefetch keys, by key and result")
                  .Register(*registry_);
  fetch_failures_ = &prometheus::BuildCounter()
                         .Name("anakinra_prefetch_fetch_failures_total")
                         .Help("Failed FHIR fetches of prefetch keys, by key and reason")
                         .Register(*registry_);
  unresolved_medications_ =
      &prometheus::BuildCounter()
           .Name("anakinra_unresolved_medication_references_total")
           .Help(
               "Medication references of draft orders that could neither be resolved from the "
               "request nor read from fhirServer")
           .Register(*registry_)
           .Add({});
  feedback_ = &prometheus::BuildCounter()
                   .Name("anakinra_feedback_total")
                   .Help("Feedback entries acknowledged, by outcome")
                   .Register(*registry_);
  store_errors_ = &prometheus::BuildCounter()
                       .Name("anakinra_feedback_store_errors_total")
                       .Help("Feedback store writes that failed, by operation")
                       .Register(*registry_);
  issued_dropped_ = &prometheus::BuildCounter()
                         .Name("anakinra_issued_cards_dropped_total")
                         .Help(
                             "Issued-card rows the feedback store never wrote (queue full or "
                             "failed batch); feedback-report marks the counts they affect")
                         .Register(*registry_)
                         .Add({});
}

Metrics::~Metrics() = default;

void Metrics::RecordRequest(const std::string& route, int status, double seconds,
                            const std::string& service) {
  thread_local std::string key;  // no allocation per request once the thread's buffer is grown
  key.assign(route).push_back('\x1f');
  key.append(std::to_string(status));
  Child(request_children_.mutex, request_children_.children, key, [&]() -> prometheus::Counter& {
    return requests_->Add({{"route", route}, {"status", std::to_string(status)}});
  }).Increment();
  static const std::vector<double> kBuckets = LatencyBuckets();
  static const std::string kNoService = "none";
  const std::string& name = service.empty() ? kNoService : service;
  Child(latency_children_.mutex, latency_children_.children, name, [&]() -> prometheus::Histogram& {
    return latency_->Add({{"service", name}}, kBuckets);
  }).Observe(seconds);
}

void Metrics::RecordCards(std::string_view service_id, std::span<const std::string> card_codes,
                          std::span<const std::string> indicators,
                          std::size_t unresolved_medications) {
  (void)service_id;  // the card series are per code and indicator; the latency is per service
  if (unresolved_medications > 0)
    unresolved_medications_->Increment(static_cast<double>(unresolved_medications));
  thread_local std::string key;
  for (std::size_t i = 0; i < card_codes.size(); ++i) {
    static const std::string kNone;
    const std::string& indicator = i < indicators.size() ? indicators[i] : kNone;
    key.assign(card_codes[i]).push_back('\x1f');
    key.append(indicator);
    Child(card_children_.mutex, card_children_.children, key, [&]() -> prometheus::Counter& {
      return cards_->Add({{"code", card_codes[i]}, {"indicator", indicator}});
    }).Increment();
  }
}

void Metrics::RecordIssuedDropped(std::size_t rows) {
  issued_dropped_->Increment(static_cast<double>(rows));
}

void Metrics::RecordFetch(const std::string& key, bool ok, const std::string& reason) {
  fetches_->Add({{"key", key}, {"result", ok ? "ok" : "failed"}}).Increment();
  if (!ok) fetch_failures_->Add({{"key", key}, {"reason", Token(reason)}}).Increment();
}

void Metrics::RecordFeedback(const std::vector<cdshooks::Feedback>& entries) {
  for (const auto& f : entries) feedback_->Add({{"outcome", f.outcome}}).Increment();
}

void Metrics::RecordStoreError(const std::string& operation) {
  store_errors_->Add({{"operation", operation}}).Increment();
}

std::string Metrics::Serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace http
