#include "anakinra/engine.h"

#include "anakinra/card_writer.h"
#include "anakinra/fact_reader.h"
#include "anakinra/rules.h"
#include "fhir/medication_order.h"

#include <algorithm>

namespace anakinra {
namespace {

int Severity(const std::string& indicator) {
  return indicator == "critical" ? 0 : indicator == "warning" ? 1 : 2;
}

}  // namespace

Engine::Engine(std::shared_ptr<const Knowledge> knowledge) : knowledge_(std::move(knowledge)) {}

std::vector<std::string> Engine::NeededPrefetch(const cdshooks::Request& request) const {
  FactReader reader(*knowledge_, request);
  bool anakinra = false, interacting = false;
  std::size_t i = 0;
  fhir::ForEachResource(request.draft_orders, [&](const fhir::Json& r) {
    ++i;
    if (!fhir::IsMedicationOrder(r)) return;
    bool in_focus = request.hook != "order-select";
    const std::string key = fhir::ReferenceKey(r);
    for (const auto& s : request.selections)
      in_focus = in_focus || s == key || s == fhir::ResourceId(r);
    const DrugClass drug = reader.Classify(r);
    anakinra |= in_focus && drug == DrugClass::kAnakinra;
    interacting |= in_focus && (drug == DrugClass::kTnfAntagonist || drug == DrugClass::kIl1Blocker ||
                                drug == DrugClass::kLiveVaccine);
  });
  if (anakinra)
    return {std::string(prefetch_key::kPatient),       std::string(prefetch_key::kMedications),
            std::string(prefetch_key::kConditions),    std::string(prefetch_key::kAllergies),
            std::string(prefetch_key::kImmunizations), std::string(prefetch_key::kObservations)};
  if (interacting) return {std::string(prefetch_key::kMedications)};
  return {};
}

std::vector<std::string> Engine::MissingPrefetch(const cdshooks::Request& request) const {
  std::vector<std::string> missing;
  for (const auto& key : NeededPrefetch(request)) {
    auto state = request.Prefetch(key).state;
    if (state == cdshooks::PrefetchState::kAbsent || state == cdshooks::PrefetchState::kOutcome)
      missing.push_back(key);
  }
  return missing;
}

Evaluation Engine::Evaluate(const cdshooks::Request& request, fhir::EpochSeconds now) const {
  Evaluation result;
  result.missing_prefetch = MissingPrefetch(request);
  if (!result.missing_prefetch.empty()) return result;
  FactReader reader(*knowledge_, request);
  std::vector<cdshooks::Issue> problems;
  const std::vector<Order> orders = reader.ReadOrders(problems);
  for (const Order& o : orders)
    if (o.evaluated && o.drug == DrugClass::kAnakinra && !o.has_dose && request.hook == "order-sign" &&
        problems.empty())
      problems.push_back(cdshooks::Issue{
          "required", o.key + " has no doseQuantity; order-sign expects a complete order.",
          "context.draftOrders"});
  if (!problems.empty()) {
    result.error = cdshooks::Error{400, std::move(problems)};
    return result;
  }
  const RuleContext ctx{*knowledge_, reader, orders, request.hook, request.patient_id, now};
  for (const Finding& f : RunRules(ctx)) result.cards.push_back(WriteCard(f, *knowledge_));
  std::stable_sort(result.cards.begin(), result.cards.end(),
                   [](const cdshooks::Card& a, const cdshooks::Card& b) {
                     return Severity(a.indicator) < Severity(b.indicator);
                   });
  return result;
}

}  // namespace anakinra
