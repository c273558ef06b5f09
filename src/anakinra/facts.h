// What the rules know about the patient and the orders, read from FHIR once per request.
//
// Facts are plain values with the evidence (label and date) the card text needs. A record that
// cannot be read (unknown unit, no date) is not a fact; it is kept as a note so the card can say
// what was ignored and why.
#pragma once

#include "fhir/date.h"
#include "fhir/json.h"
#include "fhir/timing.h"

#include <optional>
#include <string>
#include <vector>

namespace anakinra {

enum class DrugClass {
  kAnakinra,
  kTnfAntagonist,
  kIl1Blocker,
  kLiveVaccine,
  kAntibacterial,
  kOther
};

struct Evidence {
  std::string label;  // e.g. "Pneumonia (SNOMED CT 233604007)"
  std::string date;   // YYYY-MM-DD, or empty
};

struct Measurement {
  double value = 0;  // in the fact's unit (kg, mL/min, 10^9/L)
  fhir::EpochSeconds time = 0;
  std::string label;  // what was measured, e.g. "eGFR (CKD-EPI 2021)"
};

struct Order {
  const fhir::Json* resource = nullptr;
  std::string key;    // "MedicationRequest/123"
  std::string label;  // medication name for card text
  DrugClass drug = DrugClass::kOther;
  bool draft = false;      // in context.draftOrders (deletable by a suggestion)
  bool evaluated = false;  // in focus: selected (order-select) or any draft (order-sign)
  std::optional<fhir::EpochSeconds> authored_on;

  // Dosing, read only for anakinra orders.
  bool has_dose = false;
  std::optional<double> dose_mg;  // per administration
  std::string dose_text;          // as written, e.g. "0.67 mL"
  std::optional<fhir::TimingFrequency> frequency;
  bool has_route = false;
  bool route_subcutaneous = false;
  std::string route_label;
  std::vector<const fhir::Json*> reasons;  // CodeableConcepts from reasonCode / reasonReference
};

struct PatientFacts {
  bool patient_known = false;  // a Patient resource was available
  std::optional<fhir::PartialDate> birth_date;
  std::optional<fhir::AgeRange> age;
  std::string gender;

  std::optional<Measurement> weight_kg;        // latest within the window
  std::optional<Measurement> stale_weight_kg;  // latest of all, when outside the window
  std::vector<std::string> weight_notes;       // unreadable weights

  std::optional<Measurement> renal_ml_min;  // latest CrCl, else eGFR, within the window
  bool renal_is_egfr = false;
  std::vector<Evidence> renal_conditions;

  std::optional<Measurement> neutrophils;  // latest at or before the reference time
  std::vector<std::string> neutrophil_notes;

  std::vector<Evidence> pregnancy, breastfeeding, hepatic, serious_infection, immunosuppression,
      chronic_infection, ecoli_allergy;
  std::vector<Evidence> pneumococcal_vaccines, hib_vaccines;
  std::vector<Evidence> ra, caps, dira, stills, off_label;  // active conditions by indication
};

}  // namespace anakinra
