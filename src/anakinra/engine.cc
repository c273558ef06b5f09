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

// What the draft orders in focus are: the rules only ever fire for an anakinra order in focus or
// an interacting one (TNF antagonist, IL-1 blocker, live vaccine), and only an anakinra order can
// be refused (400); any other request answers no cards.
struct Focus {
  bool anakinra = false;
  bool interacting = false;
};

Focus FocusOf(const FactReader& reader, const cdshooks::Request& request) {
  Focus focus;
  const bool select = request.hook == "order-select";
  fhir::ForEachResource(request.draft_orders, [&](const fhir::Json& r) {
    if (!fhir::IsMedicationOrder(r)) return;
    bool in_focus = !select;
    if (!in_focus) {
      const std::string key = fhir::ReferenceKey(r);
      for (const auto& s : request.selections)
        in_focus = in_focus || s == key || s == fhir::ResourceId(r);
    }
    if (!in_focus) return;
    const DrugClass drug = reader.Classify(r);
    focus.anakinra |= drug == DrugClass::kAnakinra;
    focus.interacting |= drug == DrugClass::kTnfAntagonist || drug == DrugClass::kIl1Blocker ||
                         drug == DrugClass::kLiveVaccine;
  });
  return focus;
}

std::vector<std::string> Needed(const Focus& focus) {
  if (focus.anakinra)
    return {std::string(prefetch_key::kPatient),       std::string(prefetch_key::kMedications),
            std::string(prefetch_key::kConditions),    std::string(prefetch_key::kAllergies),
            std::string(prefetch_key::kImmunizations), std::string(prefetch_key::kObservations)};
  if (focus.interacting) return {std::string(prefetch_key::kMedications)};
  return {};
}

std::vector<std::string> Missing(const cdshooks::Request& request,
                                 std::vector<std::string> needed) {
  std::vector<std::string> missing;
  for (auto& key : needed) {
    auto state = request.Prefetch(key).state;
    if (state == cdshooks::PrefetchState::kAbsent || state == cdshooks::PrefetchState::kFailed)
      missing.push_back(std::move(key));
  }
  return missing;
}

}  // namespace

Engine::Engine(std::shared_ptr<const Knowledge> knowledge) : knowledge_(std::move(knowledge)) {}

Evaluation Engine::Evaluate(const cdshooks::Request& request, fhir::EpochSeconds now) const {
  Evaluation result;
  FactReader reader(*knowledge_, request);  // one reader: the drafts are classified once
  const Focus focus = FocusOf(reader, request);
  result.missing_prefetch = Missing(request, Needed(focus));
  if (!result.missing_prefetch.empty()) return result;
  if (!focus.anakinra && !focus.interacting) return result;  // the fast path: {"cards": []}
  std::vector<cdshooks::Issue> problems;
  const std::vector<Order> orders = reader.ReadOrders(problems);
  for (const Order& o : orders)
    if (o.evaluated && o.drug == DrugClass::kAnakinra && !o.has_dose &&
        request.hook == "order-sign" && problems.empty())
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
