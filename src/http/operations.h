// The operational observers of the HTTP server: issued cards and feedback go to the feedback
// store, every request/card/feedback to the metrics, and GET /metrics serves them. `serve` and
// the tests use this same wiring.
//
// Thread safety: the observers it installs may run on every server thread at once (the store
// and the metrics are thread-safe). Ownership: they hold shared references to `store` and
// `metrics`, which live as long as the observers. Errors: see AddOperationsObservers.
#pragma once

#include "http/http_server.h"
#include "http/metrics.h"
#include "store/store.h"

#include <memory>

namespace http {

// Fills on_cards, on_feedback, card_codes (the store's issued cards, for the feedback log line),
// on_request, ready (the store's) and the /metrics route of `observers` (other members are left
// as they are). On the hook path the issued cards are handed to the store's writer
// thread (no disk wait); rows it drops are counted (anakinra_issued_cards_dropped_total, via
// StoreOptions) and the cards are still answered. On the feedback path a store failure is a
// 503 (kUnavailable; nothing stored).
void AddOperationsObservers(ServerObservers& observers, const std::shared_ptr<store::Store>& store,
                            const std::shared_ptr<Metrics>& metrics);

// Store options whose on_issued_lost counts dropped issued-card rows in `metrics` and logs them
// (at most once per 10 s, with the count since the last line; no card content).
store::FeedbackStore::Options StoreOptions(const std::shared_ptr<Metrics>& metrics);

}  // namespace http
