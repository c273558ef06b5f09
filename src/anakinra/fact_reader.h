// Reads the facts of one CDS Hooks request (policy v2 §0-§2): the orders (drafts and the
// patient's active and on-hold orders), the patient's facts at a reference time, the treatment an
// anakinra order belongs to, and what the draft orders already do.
//
// Knows which prefetch key holds which resources and how complete each key is. Nothing inside a
// FHIR resource makes reading fail: a value that cannot be read (wrong type, unknown unit,
// implausible; a draft order that gives a JSON key twice has no readable dose) is never a fact;
// it becomes a note or a named reason (DoseLine::unreadable,
// weight_notes, renal_notes, neutrophil_notes) and the rest is read as usual.
//
// A FactReader borrows the knowledge and the request, which must outlive it (and the Orders and
// facts it returns point into the request). Not thread-safe (it memoises classifications and
// builds its reference index lazily); use one per request and thread.
#pragma once

#include "anakinra/facts.h"
#include "anakinra/knowledge.h"
#include "cdshooks/request.h"
#include "fhir/code_set.h"
#include "fhir/medication_order.h"
#include "fhir/resource.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anakinra {

// The prefetch key name of a DataKey: "patient", "medications", "conditions", "allergies",
// "immunizations", "observations".
std::string_view KeyName(DataKey key);

// The coverage a prefetch state gives (kResource/kNull: complete; kIncomplete: partial;
// kAbsent/kFailed: missing).
Coverage CoverageOf(cdshooks::PrefetchState state);

class FactReader {
 public:
  FactReader(const Knowledge& knowledge, const cdshooks::Request& request);

  // Drafts first (in request order; `evaluated` per the hook), then the active and on-hold
  // medication orders of the `medications` prefetch (a draft with the same key as one of them is
  // its revision: one Order, the draft, with revision=true). Dosing and reasons are read for
  // anakinra orders in focus.
  std::vector<Order> ReadOrders() const;

  // The patient's facts at `reference_time`.
  PatientFacts ReadPatient(fhir::EpochSeconds reference_time) const;

  // The treatment of an anakinra order in focus, among `orders` (from ReadOrders).
  Treatment TreatmentOf(const Order& order, const std::vector<Order>& orders) const;

  // What the draft orders (any status) already order: vaccines, a blood count.
  DraftFacts ReadDrafts() const;

  // Classification of a medication order (or Immunization) by the typed value sets: anakinra
  // first, then TNF antagonist, IL-1 blocker, live vaccine, antibacterial. Memoised.
  DrugClass Classify(const base::Json& order) const;

  // Whether a draft order resource is in focus for the request's hook.
  bool InFocus(const base::Json& draft) const;

  // "Medication/{id}" references of draft orders in focus that the request cannot resolve.
  std::vector<std::string> UnresolvedMedicationReferences() const;

 private:
  struct MedicationInfo {
    const base::Json* cc = nullptr;  // the medication's CodeableConcept
    std::string_view display;        // medicationReference.display
    bool unresolved = false;         // a medicationReference the request cannot resolve
    std::string reference;           // that reference, as sent
  };
  MedicationInfo Medication(const base::Json& order) const;
  void ReadDosing(const base::Json& order, Order& out) const;
  void ReadReasons(const base::Json& order, Order& out) const;
  void ReadObservations(fhir::EpochSeconds t, PatientFacts& facts) const;
  void ReadConditions(fhir::EpochSeconds t, PatientFacts& facts) const;
  void ReadAllergies(PatientFacts& facts) const;
  void ReadImmunizations(PatientFacts& facts) const;
  // A condition's concept, read once (fhir::Concept) with whether its text or a display starts
  // negated ("no history of ..."): matched against every value set the readers ask about.
  struct ConditionConcept {
    explicit ConditionConcept(const base::Json& cc, const std::vector<std::string>& phrases);
    fhir::Concept read;
    bool negated;
  };
  // Matches a condition's concept: codes always, text and display only when none is negated.
  static bool MatchesCondition(const ValueSet* set, const ConditionConcept& c);
  const base::Json* KeyValue(DataKey key) const;  // readable value (complete or partial), or null

  // The index of every resource of the request, built on first use: only a medicationReference or
  // a reasonReference needs it, and most orders carry neither.
  const fhir::ResourceIndex& Index() const;

  const Knowledge& k_;
  const cdshooks::Request& request_;
  mutable std::optional<fhir::ResourceIndex> index_;
  mutable std::vector<std::pair<const base::Json*, DrugClass>> classified_;  // Classify's answers
};

}  // namespace anakinra
