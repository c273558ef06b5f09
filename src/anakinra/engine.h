// The anakinra CDS engine: a validated CDS Hooks request in, cards out (policy v2).
//
// The request path flows one way:
//   Plan(request)            which prefetch keys the rules need, and which Medication references
//                            must be fetched to know what a draft order is;
//   (the caller fetches what is missing or incomplete: service/hook_service + the fetcher);
//   Evaluate(request, now)   facts read once per reference time -> findings -> cards.
//
// Section 0 ("never lose a card") is decided here, in one place: nothing inside a FHIR resource
// makes Evaluate fail. When needed keys are still missing or incomplete, the rules run on what
// was read; if that gives at least one warning or critical card the answer is those cards plus a
// `data-not-checked` card naming each check that could not run and the key it needed; otherwise
// the evaluation asks for 412 (`precondition_failed`), naming each key.
//
// Thread-safe: the engine holds only immutable knowledge; every call has its own state.
#pragma once

#include "anakinra/facts.h"
#include "anakinra/knowledge.h"
#include "cdshooks/card.h"
#include "cdshooks/request.h"
#include "fhir/date.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace anakinra {

struct Plan {
  // No anakinra order and no interacting order in focus: answer {"cards": []} at once.
  bool nothing_to_do = true;
  std::vector<std::string> needed_keys;  // prefetch keys the rules read, by name
  // Keys among needed_keys that are absent, failed or incomplete in the request: to fetch.
  std::vector<std::string> keys_to_fetch;
  // "Medication/{id}" references of draft orders in the request that it cannot resolve: fetch
  // them from fhirServer to know whether the order is anakinra (policy §1).
  std::vector<std::string> medications_to_fetch;
};

// A check that could not run because the data it needs was missing or incomplete.
struct NotChecked {
  std::string check;  // what could not be checked, for the data-not-checked card
  std::string key;    // the prefetch key it needed
};

struct Evaluation {
  std::vector<cdshooks::Card> cards;
  // True when needed data is missing and the data at hand gives no warning or critical card:
  // answer 412, one issue per key in missing_keys (policy §0).
  bool precondition_failed = false;
  std::vector<std::string> missing_keys;  // needed keys still missing or incomplete
  std::vector<NotChecked> not_checked;
};

// The prefetch keys the rules of a hook read: every key for the order hooks; patient, medications,
// conditions and observations for patient-view (no allergy or immunisation card there). A service
// must have a template for each (checked when hooks/ is loaded).
std::vector<DataKey> KeysReadBy(std::string_view hook);

class Engine {
 public:
  explicit Engine(std::shared_ptr<const Knowledge> knowledge);

  Plan MakePlan(const cdshooks::Request& request) const;

  // `now` is the reference time for orders without authoredOn.
  Evaluation Evaluate(const cdshooks::Request& request, fhir::EpochSeconds now) const;

  const Knowledge& knowledge() const { return *knowledge_; }

 private:
  std::shared_ptr<const Knowledge> knowledge_;
};

}  // namespace anakinra
