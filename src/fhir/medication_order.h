// Reading medication orders across FHIR versions: R4 and STU3 MedicationRequest, DSTU2
// MedicationOrder. Finds the medication cc (coded, contained, referenced, or text only) and
// the first dosage instruction (doseAndRate as array or object, or STU3/DSTU2 doseQuantity).
#pragma once

#include "fhir/json.h"
#include "fhir/quantity.h"
#include "fhir/resource.h"

#include <optional>
#include <string_view>

namespace fhir {

bool IsMedicationOrder(const Json& resource);  // MedicationRequest or MedicationOrder

struct MedicationView {
  const Json* cc = nullptr;         // CodeableConcept, when one was found
  std::string_view reference_text;  // medicationReference.display, when present
};

// The order's medication. `index` resolves references to Medications elsewhere in the request.
MedicationView OrderMedication(const Json& order, const ResourceIndex& index);

struct DosageView {
  const Json* dosage = nullptr;  // the dosage instruction object
  const Json* dose = nullptr;    // the doseQuantity object, when present
  const Json* timing = nullptr;
  const Json* route = nullptr;
};

// The first dosage instruction of the order, or an empty view.
DosageView FirstDosage(const Json& order);

// Patient reference id of an order (subject or DSTU2 patient), or "".
std::string_view OrderPatientId(const Json& order);

}  // namespace fhir
