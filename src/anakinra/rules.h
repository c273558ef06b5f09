// The clinical rules of the policy: facts in, findings out. No HTTP, no JSON output.
//
// For each anakinra order in focus the rules check dose, frequency and route, weight, renal and
// hepatic function, immunisations, prophylaxis, neutrophils, infections, pregnancy and
// breast-feeding, allergy, indication and interactions. For each interacting order in focus
// (TNF antagonist, IL-1 blocker, live vaccine) they look for anakinra already in use.
#pragma once

#include "anakinra/fact_reader.h"
#include "anakinra/facts.h"
#include "anakinra/finding.h"
#include "anakinra/knowledge.h"

#include <string>
#include <vector>

namespace anakinra {

struct RuleContext {
  const Knowledge& knowledge;
  const FactReader& reader;
  const std::vector<Order>& orders;
  std::string hook;        // order-select | order-sign
  std::string patient_id;  // context.patientId, for new orders
  fhir::EpochSeconds now;  // request time, the reference time when an order has no authoredOn
};

std::vector<Finding> RunRules(const RuleContext& ctx);

}  // namespace anakinra
