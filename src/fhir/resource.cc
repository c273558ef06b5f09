#include "fhir/resource.h"

#include "fhir/code_set.h"

namespace fhir {
namespace {

// First code of a status that is a CodeableConcept (R4) or a plain string (STU3/DSTU2).
std::string_view StatusCode(const Json& resource, std::string_view name) {
  const Json* v = Member(resource, name);
  if (v == nullptr) return {};
  if (v->IsString()) return View(*v);
  std::string_view code;
  ForEachCoding(*v, [&](const Json& coding) {
    if (code.empty())
      if (auto c = StringMember(coding, "code")) code = *c;
  });
  return code;
}

}  // namespace

std::string_view ResourceType(const Json& resource) {
  return StringMember(resource, "resourceType").value_or(std::string_view{});
}

std::string_view ResourceId(const Json& resource) {
  return StringMember(resource, "id").value_or(std::string_view{});
}

std::string ReferenceKey(const Json& resource) {
  auto type = ResourceType(resource);
  auto id = ResourceId(resource);
  if (type.empty() || id.empty()) return {};
  std::string key(type);
  key += '/';
  key += id;
  return key;
}

void ResourceIndex::Add(const Json& resource) {
  std::string key = ReferenceKey(resource);
  if (!key.empty()) by_key_.emplace(std::move(key), &resource);
}

void ResourceIndex::AddAll(const Json* bundle_or_resource) {
  ForEachResource(bundle_or_resource, [&](const Json& r) { Add(r); });
}

const Json* ResourceIndex::Resolve(std::string_view reference, const Json* container) const {
  if (!reference.empty() && reference.front() == '#') {
    const Json* found = nullptr;
    ForEachObject(Member(container, "contained"), [&](const Json& r) {
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

bool IsActiveCondition(const Json& condition) {
  auto verification = StatusCode(condition, "verificationStatus");
  if (verification == "refuted" || verification == "entered-in-error") return false;
  auto clinical = StatusCode(condition, "clinicalStatus");
  return clinical.empty() || clinical == "active" || clinical == "recurrence" ||
         clinical == "relapse";
}

bool IsActiveAllergy(const Json& allergy) {
  auto verification = StatusCode(allergy, "verificationStatus");
  if (verification == "refuted" || verification == "entered-in-error") return false;
  auto clinical = StatusCode(allergy, "clinicalStatus");
  if (clinical == "resolved" || clinical == "inactive") return false;
  auto status = StatusCode(allergy, "status");  // DSTU2
  return status != "refuted" && status != "entered-in-error" && status != "resolved" &&
         status != "inactive";
}

bool IsCompletedImmunization(const Json& immunization) {
  if (BoolMember(immunization, "wasNotGiven").value_or(false)) return false;
  if (BoolMember(immunization, "notGiven").value_or(false)) return false;
  return Status(immunization) == "completed";
}

bool IsUsableObservation(const Json& observation) {
  auto status = Status(observation);
  return status != "entered-in-error" && status != "cancelled" && status != "registered";
}

std::optional<EpochSeconds> ObservationTime(const Json& observation) {
  for (const char* name : {"effectiveDateTime", "effectiveInstant"})
    if (auto s = StringMember(observation, name)) return ParseDateTime(*s);
  if (const Json* period = Member(observation, "effectivePeriod")) {
    if (auto end = StringMember(*period, "end")) return ParseDateTime(*end);
    if (auto start = StringMember(*period, "start")) return ParseDateTime(*start);
  }
  if (auto issued = StringMember(observation, "issued")) return ParseDateTime(*issued);
  return std::nullopt;
}

std::optional<EpochSeconds> ImmunizationTime(const Json& immunization) {
  for (const char* name : {"occurrenceDateTime", "date"})
    if (auto s = StringMember(immunization, name)) return ParseDateTime(*s);
  return std::nullopt;
}

std::string_view Status(const Json& resource) { return StatusCode(resource, "status"); }

}  // namespace fhir
