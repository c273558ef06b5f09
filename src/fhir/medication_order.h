// Reading medication orders across FHIR versions: R4 and STU3 MedicationRequest, DSTU2
// MedicationOrder. Finds the medication cc (coded, contained, referenced, or text only) and
// reads every dosage instruction (an array or a single object; doseAndRate as an array or an
// object, or STU3/DSTU2 doseQuantity/doseRange on the dosage).
//
// Pure functions over the JSON; thread-safe. Nothing here fails: what cannot be read in a dosage
// (a dose range, a missing, zero, negative or implausible dose, a string where a number belongs,
// a unit that is neither mass nor volume, an implausible timing) is a phrase in
// DosageLine::unreadable, and the value stays unset.
#pragma once

#include "base/json.h"
#include "fhir/quantity.h"
#include "fhir/resource.h"
#include "fhir/timing.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fhir {

bool IsMedicationOrder(const base::Json& resource);  // MedicationRequest or MedicationOrder

struct MedicationView {
  const base::Json* cc = nullptr;   // CodeableConcept, when one was found
  std::string_view reference_text;  // medicationReference.display, when present
};

// The order's medication. `index` resolves references to Medications elsewhere in the request.
MedicationView OrderMedication(const base::Json& order, const ResourceIndex& index);

// What a plausible dose is (from the dosing policy).
struct DoseLimits {
  double concentration_mg_per_ml = 0;  // a volume dose is read as mg with it; 0: volume unreadable
  double max_plausible_dose_mg = 0;    // above: implausible (0: no bound)
  double max_plausible_per_day = 0;    // timing bound (0: no bound)
};

// One dosageInstruction entry.
struct DosageLine {
  std::size_t index = 0;               // position in dosageInstruction
  const base::Json* dosage = nullptr;  // the entry (nullptr when it is not an object)
  std::optional<int> sequence;
  bool dose_given = false;        // a doseQuantity or a doseRange was sent (readable or not)
  std::optional<double> dose_mg;  // per administration: read and plausible
  std::string dose_text;          // as written, e.g. "0.67 mL"
  TimingReading timing;
  const base::Json* route = nullptr;    // the route CodeableConcept, when an object
  std::vector<std::string> unreadable;  // one phrase per thing that could not be read
};

// Every dosage instruction of the order, in order. Empty when there is none.
std::vector<DosageLine> ReadDosageLines(const base::Json& order, const DoseLimits& limits);

// Patient reference id of an order (subject or DSTU2 patient), or "".
std::string_view OrderPatientId(const base::Json& order);

}  // namespace fhir
