// The anakinra CDS engine: a validated CDS Hooks request in, cards out.
//
// Evaluate first works out which prefetch keys the request needs (none when no order concerns
// anakinra) and reports the missing ones instead of guessing; then reads the facts, runs the
// rules and writes one card per finding. Thread-safe: the engine holds only immutable knowledge.
#pragma once

#include "anakinra/knowledge.h"
#include "cdshooks/card.h"
#include "cdshooks/error.h"
#include "cdshooks/request.h"
#include "fhir/date.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace anakinra {

struct Evaluation {
  std::vector<cdshooks::Card> cards;
  std::vector<std::string> missing_prefetch;  // needed keys that are absent or failed: answer 412
  std::optional<cdshooks::Error> error;       // the orders cannot be read: answer 400
};

class Engine {
 public:
  explicit Engine(std::shared_ptr<const Knowledge> knowledge);

  // `now` is the reference time for orders without authoredOn.
  Evaluation Evaluate(const cdshooks::Request& request, fhir::EpochSeconds now) const;

  const Knowledge& knowledge() const { return *knowledge_; }

 private:
  std::shared_ptr<const Knowledge> knowledge_;
};

}  // namespace anakinra
