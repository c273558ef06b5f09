// Reads the facts of one CDS Hooks request: the orders (draft and active) and, for a reference
// time, the patient's facts. Knows which prefetch key holds which resources.
#pragma once

#include "anakinra/facts.h"
#include "anakinra/knowledge.h"
#include "cdshooks/error.h"
#include "cdshooks/request.h"
#include "fhir/medication_order.h"
#include "fhir/resource.h"

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace anakinra {

namespace prefetch_key {
inline constexpr std::string_view kPatient = "patient";
inline constexpr std::string_view kMedications = "medications";
inline constexpr std::string_view kConditions = "conditions";
inline constexpr std::string_view kAllergies = "allergies";
inline constexpr std::string_view kImmunizations = "immunizations";
inline constexpr std::string_view kObservations = "observations";
}  // namespace prefetch_key

class FactReader {
 public:
  FactReader(const Knowledge& knowledge, const cdshooks::Request& request);

  // Draft orders (in focus per the hook) and active orders from the medications prefetch, each
  // classified. Dosing is read for anakinra orders in focus; a dose that cannot be read (no
  // number, unit we cannot convert) is reported in `problems` as a caller error.
  std::vector<Order> ReadOrders(std::vector<cdshooks::Issue>& problems) const;

  // The patient's facts at `reference_time`.
  PatientFacts ReadPatient(fhir::EpochSeconds reference_time) const;

  DrugClass Classify(const fhir::Json& order) const;

 private:
  void ReadDosing(const fhir::Json& order, const std::string& path, Order& out,
                  std::vector<cdshooks::Issue>& problems) const;
  void ReadObservations(fhir::EpochSeconds t, PatientFacts& facts) const;
  void ReadConditions(PatientFacts& facts) const;

  // The index of every resource of the request, built on first use: only a medicationReference or
  // a reasonReference needs it, and most orders carry neither.
  const fhir::ResourceIndex& Index() const;
  fhir::MedicationView Medication(const fhir::Json& order) const;  // fhir::OrderMedication
  const fhir::CodeSet& ClassSet(std::size_t i) const;  // the value sets of Classify, looked up once

  const Knowledge& k_;
  const cdshooks::Request& request_;
  mutable std::optional<fhir::ResourceIndex> index_;
  mutable const fhir::CodeSet* class_sets_[5] = {};
  mutable std::vector<std::pair<const fhir::Json*, DrugClass>> classified_;  // Classify's answers
};

}  // namespace anakinra
