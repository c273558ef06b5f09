// The clinical rules of policy v2: facts in, findings out. No HTTP, no JSON output, no FHIR
// reading (the facts are read once, by FactReader, before the rules run).
//
// For each anakinra order in focus the rules check dose (every regimen of concurrent dosage
// lines), frequency and route, weight, renal and hepatic function, prerequisites at a start
// (immunisations), prophylaxis, neutrophils by treatment phase, infections, pregnancy and
// breast-feeding, allergy, indication and interactions. For each interacting order in focus
// (TNF antagonist, IL-1 blocker, live vaccine) they look for anakinra already in use.
//
// A rule never fires on data it could not read: a rule that fires on the absence of something
// runs only when the key it needs is complete; a rule that fires on presence runs on what was
// read. Every check that could not run fully is reported in `not_checked` (policy §0).
//
// Stateless; RunRules is thread-safe for distinct inputs.
#pragma once

#include "anakinra/engine.h"
#include "anakinra/facts.h"
#include "anakinra/finding.h"
#include "anakinra/knowledge.h"

#include <string>
#include <vector>

namespace anakinra {

// An anakinra order in focus with the facts at its reference time.
struct AnakinraInFocus {
  const Order* order = nullptr;
  const PatientFacts* patient = nullptr;  // at the order's reference time
  Treatment treatment;
};

struct RuleInput {
  const Knowledge& knowledge;
  const std::vector<Order>& orders;  // every order: drafts, then active and on-hold ones
  std::vector<AnakinraInFocus> anakinra;
  // Facts at the request time, for interacting orders in focus (the reverse direction): only
  // their coverage of the medications key is read.
  const PatientFacts* request_time_facts = nullptr;
  DraftFacts drafts;
  std::string hook;        // order-select | order-sign
  std::string patient_id;  // context.patientId, for new orders
};

std::vector<Finding> RunRules(const RuleInput& input, std::vector<NotChecked>& not_checked);

}  // namespace anakinra
