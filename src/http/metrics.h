// Prometheus metrics for GET /metrics (text exposition format 0.0.4), on prometheus-cpp core.
//
//   anakinra_http_requests_total{route,status}            counter: every answered request
//   anakinra_request_duration_seconds{service}            histogram: handling time per service
//                                                          ("none" for routes without a service)
//   anakinra_cards_total{code,indicator}                  counter: cards issued
//   anakinra_prefetch_fetches_total{key,result}           counter: FHIR fetches of prefetch keys
//                                                          (result = ok | failed)
//   anakinra_prefetch_fetch_failures_total{key,reason}    counter: failed fetches by reason
//   anakinra_unresolved_medication_references_total    counter: draft orders' Medication/{id}
//                                                          references neither in the request nor
//                                                          readable from fhirServer
//   anakinra_feedback_total{outcome}                      counter: feedback entries acknowledged
//   anakinra_feedback_store_errors_total{operation}       counter: store writes that failed
//   anakinra_issued_cards_dropped_total                   counter: issued-card rows never
//                                                          written (queue full, failed batch)
//
// Label values come from bounded sets only (route patterns, service ids from the catalog, card
// codes from cards.json, prefetch keys from services.json), never from request content; a
// fetch failure reason that is not a short token ([a-z0-9_-], at most 32) becomes "other".
// Thread safety: every member may be called from any thread. Label children are looked up once
// and cached (a shared lock on the hot path instead of building a label map per call).
// Ownership: a Metrics owns its registry; it must outlive the observers that point at it.
// Errors: none; recording never fails (an unexpected label value is counted as it is, or as
// "other" where documented).
#pragma once

#include "cdshooks/feedback.h"

#include <cstddef>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace prometheus {
class Registry;
class Counter;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace http {

class Metrics {
 public:
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One answered request (observers.on_request).
  void RecordRequest(const std::string& route, int status, double seconds,
                     const std::string& service);
  // The cards of a hook answer (card codes and their indicators, parallel; a missing indicator
  // is ""), and its unresolved Medication references (observers.on_cards).
  void RecordCards(std::string_view service_id, std::span<const std::string> card_codes,
                   std::span<const std::string> indicators, std::size_t unresolved_medications);
  // One FHIR fetch of a prefetch key; `reason` is a short category when !ok (e.g. "timeout",
  // "http-404", "not-allowed", "invalid-json").
  void RecordFetch(const std::string& key, bool ok, const std::string& reason);
  // Feedback entries acknowledged, by outcome.
  void RecordFeedback(const std::vector<cdshooks::Feedback>& entries);
  // A failed store write ("cards" or "feedback").
  void RecordStoreError(const std::string& operation);
  // Issued-card rows the store dropped.
  void RecordIssuedDropped(std::size_t rows);

  // The exposition text.
  std::string Serialize() const;

  // The latency buckets, in seconds (0.5 ms .. 2.5 s).
  static std::vector<double> LatencyBuckets();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* latency_;
  prometheus::Family<prometheus::Counter>* cards_;
  prometheus::Family<prometheus::Counter>* fetches_;
  prometheus::Family<prometheus::Counter>* fetch_failures_;
  prometheus::Family<prometheus::Counter>* feedback_;
  prometheus::Counter* unresolved_medications_;
  prometheus::Family<prometheus::Counter>* store_errors_;
  prometheus::Counter* issued_dropped_;

  // Cached label children, keyed by their label values joined with '\x1f'.
  template <typename T>
  struct Cache {
    std::shared_mutex mutex;
    std::unordered_map<std::string, T*> children;
  };
  Cache<prometheus::Counter> request_children_;
  Cache<prometheus::Histogram> latency_children_;
  Cache<prometheus::Counter> card_children_;
};

}  // namespace http
