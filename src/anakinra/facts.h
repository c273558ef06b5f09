// What the rules know about the patient and the orders, read from FHIR once per request and
// reference time (policy v2, sections 0-2).
//
// Facts are plain values with the evidence (label and date) the card text needs. A record that
// cannot be read is never a fact: it becomes a note that says what could not be read (an
// unreadable or implausible value, an unknown dose unit), so a rule never fires on data it could
// not read and the card can say what was ignored. Whether each prefetch key was read completely
// is a fact too (`Coverage`): rules that fire on the absence of something run only on complete
// data (policy §0).
//
// Text fields that come from the request (labels, displays, condition text) are raw EHR text;
// they are escaped where card text is written (card_writer), never here.
//
// Plain structs: no ownership beyond the `resource` pointers, which point into the request's
// documents and live as long as the request. Not thread-safe to mutate; read-only use is.
#pragma once

#include "base/json.h"
#include "fhir/date.h"
#include "fhir/timing.h"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace anakinra {

// The prefetch keys the rules read. Their names (and templates) come from hooks/services.json;
// knowledge binding maps each DataKey to its key name at load.
enum class DataKey : std::size_t {
  kPatient,
  kMedications,
  kConditions,
  kAllergies,
  kImmunizations,
  kObservations,
};
inline constexpr std::size_t kDataKeyCount = 6;

// How much of a key the reader saw (policy §0).
enum class Coverage {
  kComplete,  // the whole answer (a resource, null, or a searchset without more pages)
  kPartial,   // some entries read, more exist (unfollowed `next`): presence rules only
  kMissing,   // absent, failed (OperationOutcome), or unreadable: nothing read
};

enum class DrugClass {
  kAnakinra,
  kTnfAntagonist,
  kIl1Blocker,  // canakinumab, rilonacept (another anakinra order is kAnakinra)
  kLiveVaccine,
  kAntibacterial,
  kOther
};

struct Evidence {
  std::string label;  // EHR text, e.g. "Pneumonia" (raw: escaped when written into a card)
  std::string date;   // YYYY-MM-DD, or empty
};

struct Measurement {
  double value = 0;  // in the fact's unit (kg, mL/min, 10^9/L)
  fhir::EpochSeconds time = 0;
  std::string label;  // what was measured (EHR text), e.g. "eGFR (CKD-EPI 2021)"
};

// One dosageInstruction entry of an anakinra order (policy §3).
struct DoseLine {
  std::size_t index = 0;        // position in dosageInstruction
  std::optional<int> sequence;  // dosageInstruction.sequence
  // Per administration, when the dose was read and is plausible (0 < mg <= maxPlausibleDoseMg).
  std::optional<double> dose_mg;
  std::string dose_text;                           // as written, e.g. "0.67 mL" (EHR text)
  bool frequency_given = false;                    // a timing (repeat, code or text) was present
  std::optional<fhir::TimingFrequency> frequency;  // read and plausible (0 < per_day <= 24)
  bool has_route = false;
  bool route_subcutaneous = false;
  std::string route_label;  // EHR text, e.g. "Intravenous"
  // What could not be read, one phrase each, for dose-not-checked: e.g. "dose unit \"{syringe}\"
  // is not a unit of mass or volume", "a dose range (doseRange) instead of one dose", "dose 0 mg".
  // A missing frequency is not here (dose-frequency says it).
  std::vector<std::string> unreadable;
};

enum class Phase {
  kStart,         // no active or on-hold anakinra order: a new treatment
  kContinuation,  // the patient already has an active or on-hold anakinra order
};

struct Order {
  const base::Json* resource = nullptr;
  std::string key;    // "MedicationRequest/123"; empty for a draft without an id
  std::string id;     // "123"; empty when absent
  std::string label;  // medication name (EHR text); "an unnamed medication" when none
  DrugClass drug = DrugClass::kOther;
  std::string status;  // the order's status code
  bool draft = false;  // in context.draftOrders (deletable or updatable by a suggestion)
  // In focus: selected (order-select), any draft (order-sign), or an active anakinra order
  // (patient-view).
  bool evaluated = false;
  std::optional<fhir::EpochSeconds> authored_on;  // date-only: the end of that day
  // A medicationReference that could not be resolved from the request (nor fetched): it
  // identifies nothing and is never guessed; counted and logged.
  bool medication_unresolved = false;

  // Anakinra drafts: the relation to the patient's active anakinra orders (policy §2).
  std::string prior_prescription;  // priorPrescription reference key, when given
  bool renewal = false;            // priorPrescription points at an active/on-hold anakinra order
  bool revision = false;  // its id is also an active/on-hold order's id (order-sign re-sign)

  // Dosing, read for anakinra orders in focus.
  bool dose_filled = false;  // any dosageInstruction with a dose or a dose range was sent
  std::vector<DoseLine> dose_lines;
  // Entries that run concurrently (same sequence, or none with a sequence): indexes into
  // dose_lines. Their daily doses add up; different groups are checked one by one.
  std::vector<std::vector<std::size_t>> regimens;
  std::vector<const base::Json*> reasons;  // indication CodeableConcepts (reasonCode/Reference)
};

// The treatment an anakinra order in focus belongs to (policy §2).
struct Treatment {
  Phase phase = Phase::kStart;
  // The earliest authoredOn (or dispenseRequest.validityPeriod.start) of any anakinra order in
  // the request, whatever its status; nullopt when unknown (rules then use the start windows).
  std::optional<fhir::EpochSeconds> began;
};

struct AllergyEvidence {
  Evidence evidence;
  // type "intolerance", or every reaction manifestation an injection-site reaction: a warning,
  // not a contraindication (policy §4).
  bool intolerance_only = false;
};

struct PatientFacts {
  fhir::EpochSeconds reference_time = 0;
  std::array<Coverage, kDataKeyCount> coverage{};  // per DataKey

  bool patient_known = false;  // a Patient resource was available
  std::optional<fhir::PartialDate> birth_date;
  std::optional<fhir::AgeRange> age;   // at reference_time
  bool birth_date_unreadable = false;  // birthDate present but not a valid date

  // Body weight: latest usable within the window (weightMaxAgeDays, or
  // weightMaxAgeDaysVeryYoung when the youngest possible age is under 2 years).
  int weight_window_days = 0;
  std::optional<Measurement> weight_kg;
  std::optional<Measurement> stale_weight_kg;  // latest of all, when outside the window
  std::vector<std::string> weight_notes;       // unreadable or implausible weights

  // Renal function: the most recent CrCl or eGFR within renalMaxAgeDays.
  std::optional<Measurement> renal_ml_min;
  bool renal_is_egfr = false;
  std::vector<std::string> renal_notes;    // unreadable or implausible values
  std::vector<Evidence> renal_conditions;  // CKD 4/5, ESRD, dialysis

  // Absolute neutrophil count: the latest at or before the reference time (any age).
  std::optional<Measurement> neutrophils;
  std::vector<std::string> neutrophil_notes;  // unreadable or implausible values

  std::vector<Evidence> pregnancy, breastfeeding;
  std::vector<Evidence> hepatic, serious_infection, immunosuppression, chronic_infection;
  std::vector<AllergyEvidence> ecoli_allergy;
  std::vector<Evidence> pneumococcal_vaccines, hib_vaccines;  // completed, on record
  // Active conditions by indication (negated and historical text ignored).
  std::vector<Evidence> ra, caps, dira, stills, fmf, off_label;
  bool unspecified_jia = false;  // JIA without its type (not proof of off-label use)
};

// What the draft orders already do that clears a prerequisite card (policy §5).
struct DraftFacts {
  bool pneumococcal_vaccine = false;  // a draft order for a pneumococcal vaccine
  bool hib_vaccine = false;
  bool blood_count = false;  // a draft blood count (CBC with differential, neutrophil count)
};

}  // namespace anakinra
