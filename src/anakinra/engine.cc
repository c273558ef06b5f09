#include "anakinra/engine.h"

#include "anakinra/card_writer.h"
#include "anakinra/fact_reader.h"
#include "anakinra/rules.h"
#include "fhir/medication_order.h"

#include <algorithm>
#include <map>

namespace anakinra {
namespace {

using cdshooks::PrefetchState;

int Severity(const std::string& indicator) {
  return indicator == "critical" ? 0 : indicator == "warning" ? 1 : 2;
}

bool Interacting(DrugClass drug) {
  return drug == DrugClass::kTnfAntagonist || drug == DrugClass::kIl1Blocker ||
         drug == DrugClass::kLiveVaccine;
}

// What the draft orders in focus are: the rules only ever fire for an anakinra order in focus or
// an interacting one (TNF antagonist, IL-1 blocker, live vaccine). Classifying the drafts is all
// the fast path does.
struct Focus {
  bool anakinra = false;
  bool interacting = false;
};

bool PatientView(const cdshooks::Request& request) { return request.hook == "patient-view"; }

// patient-view (policy §7): the patient's active or on-hold anakinra orders, from the
// medications prefetch. `complete`: that key was read whole, so "none" means none.
struct OnRecord {
  bool anakinra = false;
  bool complete = false;
};

OnRecord OnRecordOf(const FactReader& reader, const cdshooks::Request& request) {
  OnRecord out;
  const cdshooks::PrefetchValue meds = request.Prefetch(KeyName(DataKey::kMedications));
  out.complete = CoverageOf(meds.state) == Coverage::kComplete;
  fhir::ForEachResource(meds.value, [&](const base::Json& r) {
    if (!fhir::IsMedicationOrder(r)) return;
    const std::string_view status = fhir::Status(r);
    if (status != "active" && status != "on-hold") return;
    out.anakinra = out.anakinra || reader.Classify(r) == DrugClass::kAnakinra;
  });
  return out;
}

std::vector<std::string> PatientViewKeys() {
  std::vector<std::string> keys;
  for (DataKey k : KeysReadBy("patient-view")) keys.emplace_back(KeyName(k));
  return keys;
}

Focus FocusOf(const FactReader& reader, const cdshooks::Request& request) {
  Focus focus;
  fhir::ForEachResource(request.draft_orders, [&](const base::Json& r) {
    const bool order = fhir::IsMedicationOrder(r) || fhir::ResourceType(r) == "Immunization";
    if (!order || !reader.InFocus(r)) return;
    const DrugClass drug = reader.Classify(r);
    focus.anakinra |= drug == DrugClass::kAnakinra;
    focus.interacting |= Interacting(drug);
  });
  return focus;
}

std::vector<std::string> Needed(const Focus& focus) {
  std::vector<std::string> keys;
  if (focus.anakinra) {
    for (std::size_t i = 0; i < kDataKeyCount; ++i)
      keys.emplace_back(KeyName(static_cast<DataKey>(i)));
  } else if (focus.interacting) {
    keys.emplace_back(KeyName(DataKey::kMedications));
  }
  return keys;
}

// Needed keys that are absent, failed or incomplete.
std::vector<std::string> NotComplete(const cdshooks::Request& request,
                                     const std::vector<std::string>& needed) {
  std::vector<std::string> out;
  for (const auto& key : needed) {
    const PrefetchState state = request.Prefetch(key).state;
    if (state == PrefetchState::kAbsent || state == PrefetchState::kFailed ||
        state == PrefetchState::kIncomplete)
      out.push_back(key);
  }
  return out;
}

}  // namespace

std::vector<DataKey> KeysReadBy(std::string_view hook) {
  if (hook == "patient-view")
    return {DataKey::kPatient, DataKey::kMedications, DataKey::kConditions, DataKey::kObservations};
  std::vector<DataKey> keys;
  for (std::size_t i = 0; i < kDataKeyCount; ++i) keys.push_back(static_cast<DataKey>(i));
  return keys;
}

Engine::Engine(std::shared_ptr<const Knowledge> knowledge) : knowledge_(std::move(knowledge)) {}

Plan Engine::MakePlan(const cdshooks::Request& request) const {
  Plan plan;
  const FactReader reader(*knowledge_, request);
  if (PatientView(request)) {
    // Whether the patient is on anakinra is known only from a complete medications key: until
    // then every key the view reads is fetched with it.
    const OnRecord on = OnRecordOf(reader, request);
    if (on.complete && !on.anakinra) return plan;  // nothing to do
    plan.nothing_to_do = false;
    plan.needed_keys = PatientViewKeys();
    plan.keys_to_fetch = NotComplete(request, plan.needed_keys);
    return plan;
  }
  const Focus focus = FocusOf(reader, request);
  // A draft in focus whose medication is a reference the request cannot resolve may be anakinra:
  // it must be fetched before the request can be answered as "nothing to do".
  plan.medications_to_fetch = reader.UnresolvedMedicationReferences();
  plan.needed_keys = Needed(focus);
  plan.nothing_to_do = plan.needed_keys.empty() && plan.medications_to_fetch.empty();
  plan.keys_to_fetch = NotComplete(request, plan.needed_keys);
  return plan;
}

Evaluation Engine::Evaluate(const cdshooks::Request& request, fhir::EpochSeconds now) const {
  Evaluation result;
  const FactReader reader(*knowledge_, request);
  const bool patient_view = PatientView(request);
  std::vector<std::string> needed;
  if (patient_view) {
    const OnRecord on = OnRecordOf(reader, request);
    if (!on.anakinra) {
      // Not on anakinra, as far as a complete list shows; an incomplete list is not "none".
      if (!on.complete) {
        result.precondition_failed = true;
        result.missing_keys = {std::string(KeyName(DataKey::kMedications))};
      }
      return result;
    }
    needed = PatientViewKeys();
  } else {
    const Focus focus = FocusOf(reader, request);
    if (!focus.anakinra && !focus.interacting) return result;  // the fast path: {"cards": []}
    needed = Needed(focus);
  }

  const std::vector<Order> orders = reader.ReadOrders();  // read once
  // Patient facts once per distinct reference time (node-based map: stable addresses).
  std::map<fhir::EpochSeconds, PatientFacts> facts;
  auto facts_at = [&](fhir::EpochSeconds t) -> const PatientFacts* {
    auto it = facts.find(t);
    if (it == facts.end()) it = facts.emplace(t, reader.ReadPatient(t)).first;
    return &it->second;
  };
  RuleInput input{*knowledge_,       orders, {}, nullptr, reader.ReadDrafts(), request.hook,
                  request.patient_id};
  bool interacting_in_focus = false;
  for (const Order& o : orders) {
    if (!o.evaluated) continue;
    if (o.drug == DrugClass::kAnakinra) {
      // Order hooks: the facts when the order was written; patient-view: now (policy §7).
      const fhir::EpochSeconds t = patient_view ? now : o.authored_on.value_or(now);
      input.anakinra.push_back(AnakinraInFocus{&o, facts_at(t), reader.TreatmentOf(o, orders)});
    } else if (Interacting(o.drug)) {
      interacting_in_focus = true;
    }
  }
  if (interacting_in_focus) input.request_time_facts = facts_at(now);

  for (const Finding& f : RunRules(input, result.not_checked))
    result.cards.push_back(WriteCard(f, *knowledge_));

  // Section 0: missing or incomplete data withholds only what needs it.
  result.missing_keys = NotComplete(request, needed);
  if (!result.missing_keys.empty()) {
    const bool serious =
        std::any_of(result.cards.begin(), result.cards.end(), [](const cdshooks::Card& c) {
          return c.indicator == "warning" || c.indicator == "critical";
        });
    if (serious) {
      result.cards.push_back(
          WriteCard(DataNotCheckedFinding(result.not_checked, result.missing_keys), *knowledge_));
    } else {
      result.precondition_failed = true;
      result.cards.clear();
    }
  }
  std::stable_sort(result.cards.begin(), result.cards.end(),
                   [](const cdshooks::Card& a, const cdshooks::Card& b) {
                     return Severity(a.indicator) < Severity(b.indicator);
                   });
  return result;
}

}  // namespace anakinra
