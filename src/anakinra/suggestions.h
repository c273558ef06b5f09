// Suggestions whose actions carry complete FHIR R4 resources: an updated copy of a draft order,
// new draft orders (vaccine, blood count), or the deletion of a draft order.
#pragma once

#include "base/json.h"
#include "cdshooks/card.h"

#include <optional>
#include <string>
#include <vector>

namespace anakinra {

struct DoseChange {
  std::optional<double> dose_mg;      // new dose per administration, when it changes
  std::optional<double> period_days;  // 1 = once daily, 2 = every other day, when it changes
  bool subcutaneous = false;          // set the route to subcutaneous
  // The dosageInstruction entries the change covers (a regimen of concurrent entries): they
  // are replaced by one entry (a copy of the first, changed); other entries are kept. Empty:
  // the first entry.
  std::vector<std::size_t> entries;
};

// Labels and descriptions are passed through as given (the rules pass label keys of
// hooks/cards.json; the card writer renders them). Stateless and thread-safe.
//
// The whole draft `order` with the change applied, same id; `label` and `description` explain it.
cdshooks::Suggestion UpdateOrder(const base::Json& order, const DoseChange& change,
                                 std::string label, std::string description);

// A new draft MedicationRequest for a vaccine, for the patient; `note` (card text from the
// knowledge) becomes the order's note for whoever gives it.
cdshooks::Suggestion CreateVaccineOrder(const std::string& patient_id,
                                        const cdshooks::Coding& vaccine, std::string label,
                                        const std::string& note);

// A new draft ServiceRequest for a laboratory test, for the patient.
cdshooks::Suggestion CreateLabOrder(const std::string& patient_id, const cdshooks::Coding& test,
                                    std::string label);

// Deletes the draft order "Type/id".
cdshooks::Suggestion DeleteOrder(const std::string& order_key, std::string label);

}  // namespace anakinra
