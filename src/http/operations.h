// The operational observers of the HTTP server: issued cards and feedback go to the feedback
// store, every request/card/feedback to the metrics, and GET /metrics serves them. `serve` and
// the tests use this same wiring.
#pragma once

#include "http/http_server.h"
#include "http/metrics.h"
#include "store/feedback_store.h"

#include <memory>

namespace http {

// Fills on_cards, on_feedback, on_request and the /metrics route of `observers` (other members
// are left as they are). A store write failure on the hook path is logged and counted, and the
// cards are still answered; on the feedback path it is a 503 (nothing stored).
void AddOperationsObservers(ServerObservers& observers,
                            const std::shared_ptr<store::FeedbackStore>& store,
                            const std::shared_ptr<Metrics>& metrics);

}  // namespace http
