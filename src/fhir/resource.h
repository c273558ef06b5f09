// Generic FHIR resource helpers: identity, Bundle traversal, reference resolution, and the
// status rules that decide whether a clinical record counts (active, completed, usable).
// Thread safety: pure functions over const JSON; returned pointers point into the caller's
// document and live as long as it does. Errors: a missing or wrongly typed element reads as
// absent (nullptr / nullopt); deciding whether that matters is the caller's job.
#pragma once

#include "base/json.h"
#include "fhir/date.h"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fhir {

std::string_view ResourceType(const base::Json& resource);  // "" when absent
std::string_view ResourceId(const base::Json& resource);    // "" when absent
std::string ReferenceKey(const base::Json& resource);       // "Type/id", or "" without both

// Calls fn(resource) for each entry resource of a Bundle, or once for any other resource.
template <typename Fn>
void ForEachResource(const base::Json* bundle_or_resource, Fn&& fn) {
  if (bundle_or_resource == nullptr || !bundle_or_resource->IsObject()) return;
  if (ResourceType(*bundle_or_resource) == "Bundle") {
    base::ForEachObject(base::Member(*bundle_or_resource, "entry"), [&](const base::Json& entry) {
      if (const base::Json* r = base::Member(entry, "resource"); r != nullptr && r->IsObject())
        fn(*r);
    });
  } else if (!ResourceType(*bundle_or_resource).empty()) {
    fn(*bundle_or_resource);
  }
}

// Resources by "Type/id", for resolving references inside one request.
class ResourceIndex {
 public:
  void Add(const base::Json& resource);
  void AddAll(const base::Json* bundle_or_resource);
  // Resolves "Type/id" or an absolute URL ending in Type/id. `container` resolves "#id" against
  // its contained resources.
  const base::Json* Resolve(std::string_view reference,
                            const base::Json* container = nullptr) const;

 private:
  std::unordered_map<std::string, const base::Json*> by_key_;
};

// The id part of a "Type/id" reference (or the whole string when it has no slash).
std::string_view ReferenceId(std::string_view reference);

// Condition counts when clinicalStatus is active/recurrence/relapse (or absent) and
// verificationStatus is not refuted/entered-in-error. Handles R4 CodeableConcepts and STU3/DSTU2
// plain strings.
bool IsActiveCondition(const base::Json& condition);
// AllergyIntolerance counts unless refuted, entered-in-error, resolved or inactive.
bool IsActiveAllergy(const base::Json& allergy);
// Immunization counts when status is completed (DSTU2: wasNotGiven is not true).
bool IsCompletedImmunization(const base::Json& immunization);
// Observation counts unless entered-in-error, cancelled or preliminary-free statuses we reject.
bool IsUsableObservation(const base::Json& observation);

// When an observation was made: effectiveDateTime, effectiveInstant, effectivePeriod (end, else
// start), else issued.
std::optional<EpochSeconds> ObservationTime(const base::Json& observation);
// When an immunization was given: occurrenceDateTime (R4) or date (STU3/DSTU2).
std::optional<EpochSeconds> ImmunizationTime(const base::Json& immunization);

// The "status" code string of a resource, or "".
std::string_view Status(const base::Json& resource);

}  // namespace fhir
