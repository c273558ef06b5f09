#include "fhir/resource.h"

#include "fhir/code_set.h"

namespace fhir {
namespace {

// First code of a status that is a CodeableConcept (R4) or a plain string (STU3/DSTU2).
std::string_view StatusCode(const base::Json& resource, std::string_view name) {
  const base::Json* v = base::Member(resource, name);
  if (v == nullptr) return {};
  if (v->IsString()) return base::View(*v);
  std::string_view code;
  ForEachCoding(*v, [&](const base::Json& coding) {
    if (code.empty())
      if (auto c = base::StringMember(coding, "code")) code = *c;
  });
  return code;
}

}  // namespace

std::string_view ResourceType(const base::Json& resource) {
  return base::StringMember(resource, "resourceType").value_or(std::string_view{});
}

std::string_view ResourceId(const base::Json& resource) {
  return base::StringMember(resource, "id").value_or(std::string_view{});
}

std::string ReferenceKey(const base::Json& resource) {
  auto type = ResourceType(resource);
  auto id = ResourceId(resource);
  if (type.empty() || id.empty()) return {};
  std::string key(type);
  key += '/';
  key += id;
  return key;
}

void ResourceIndex::Add(const base::Json& resource) {
  std::string key = ReferenceKey(resource);
  if (!key.empty()) by_key_.emplace(std::move(key), &resource);
}

void ResourceIndex::AddAll(const base::Json* bundle_or_resource) {
  ForEachResource(bundle_or_resource, [&](const base::Json& r) { Add(r); });
}

const base::Json* ResourceIndex::Resolve(std::string_view reference,
                                         const base::Json* container) const {
  if (!reference.empty() && reference.front() == '#') {
    const base::Json* found = nullptr;
    base::ForEachObject(base::Member(container, "contained"), [&](const base::Json& r) {
      if (found == nullptr && ResourceId(r) == reference.substr(1)) found = &r;
    });
    return found;
  }
  // Keep the last two path segments of an absolute or relative URL: Type/id.
  std::string_view ref = reference;
  if (auto hist = ref.find("/_history/"); hist != std::string_view::npos) ref = ref.substr(0, hist);
  auto last = ref.rfind('/');
  if (last == std::string_view::npos) return nullptr;
  auto prev = ref.rfind('/', last - 1);
  std::string key(prev == std::string_view::npos ? ref : ref.substr(prev + 1));
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : it->second;
}

std::string_view ReferenceId(std::string_view reference) {
  auto slash = reference.rfind('/');
  return slash == std::string_view::npos ? reference : reference.substr(slash + 1);
}

bool IsActiveCondition(const base::Json& condition) {
  auto verification = StatusCode(condition, "verificationStatus");
  if (verification == "refuted" || verification == "entered-in-error") return false;
  auto clinical = StatusCode(condition, "clinicalStatus");
  return clinical.empty() || clinical == "active" || clinical == "recurrence" ||
         clinical == "relapse";
}

bool IsActiveAllergy(const base::Json& allergy) {
  auto verification = StatusCode(allergy, "verificationStatus");
  if (verification == "refuted" || verification == "entered-in-error") return false;
  auto clinical = StatusCode(allergy, "clinicalStatus");
  if (clinical == "resolved" || clinical == "inactive") return false;
  auto status = StatusCode(allergy, "status");  // DSTU2
  return status != "refuted" && status != "entered-in-error" && status != "resolved" &&
         status != "inactive";
}

bool IsCompletedImmunization(const base::Json& immunization) {
  if (base::BoolMember(immunization, "wasNotGiven").value_or(false)) return false;
  if (base::BoolMember(immunization, "notGiven").value_or(false)) return false;
  return Status(immunization) == "completed";
}

bool IsUsableObservation(const base::Json& observation) {
  auto status = Status(observation);
  return status != "entered-in-error" && status != "cancelled" && status != "registered";
}

std::optional<EpochSeconds> ObservationTime(const base::Json& observation) {
  for (const char* name : {"effectiveDateTime", "effectiveInstant"})
    if (auto s = base::StringMember(observation, name)) return ParseDateTime(*s);
  if (const base::Json* period = base::Member(observation, "effectivePeriod")) {
    if (auto end = base::StringMember(*period, "end")) return ParseDateTime(*end);
    if (auto start = base::StringMember(*period, "start")) return ParseDateTime(*start);
  }
  if (auto issued = base::StringMember(observation, "issued")) return ParseDateTime(*issued);
  return std::nullopt;
}

std::optional<EpochSeconds> ImmunizationTime(const base::Json& immunization) {
  for (const char* name : {"occurrenceDateTime", "date"})
    if (auto s = base::StringMember(immunization, name)) return ParseDateTime(*s);
  return std::nullopt;
}

std::string_view Status(const base::Json& resource) { return StatusCode(resource, "status"); }

}  // namespace fhir
