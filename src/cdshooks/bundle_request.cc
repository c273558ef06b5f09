#include "cdshooks/bundle_request.h"

#include "cdshooks/uuid.h"
#include "fhir/code_set.h"
#include "fhir/resource.h"

#include <set>
#include <vector>

namespace cdshooks {
namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

struct Template {
  std::string type;
  bool single = false;
  std::string status;           // status=X filter
  std::set<std::string> codes;  // code=system|code,... filter (normalised keys)
};

Template ParseTemplate(const std::string& t) {
  Template out;
  const auto q = t.find('?');
  const std::string path = t.substr(0, q);
  const auto slash = path.find('/');
  out.type = path.substr(0, slash);
  out.single = slash != std::string::npos;
  if (q == std::string::npos) return out;
  std::string query = t.substr(q + 1);
  std::size_t pos = 0;
  while (pos <= query.size()) {
    auto amp = query.find('&', pos);
    const std::string param =
        query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    const auto eq = param.find('=');
    if (eq != std::string::npos) {
      const std::string name = param.substr(0, eq), value = param.substr(eq + 1);
      if (name == "status") out.status = value;
      if (name == "code") {
        std::size_t p = 0;
        while (p <= value.size()) {
          auto comma = value.find(',', p);
          const std::string token =
              value.substr(p, comma == std::string::npos ? std::string::npos : comma - p);
          const auto bar = token.find('|');
          if (bar != std::string::npos) {
            const std::string sys = fhir::NormalizeSystem(token.substr(0, bar));
            out.codes.insert(sys + "|" + fhir::NormalizeCode(sys, token.substr(bar + 1)));
          }
          if (comma == std::string::npos) break;
          p = comma + 1;
        }
      }
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

bool CodeMatches(const fhir::Json& resource, const std::set<std::string>& codes) {
  if (codes.empty()) return true;
  bool found = false;
  if (const fhir::Json* code = fhir::Member(resource, "code"))
    fhir::ForEachCoding(*code, [&](const fhir::Json& c) {
      auto s = fhir::StringMember(c, "system");
      auto v = fhir::StringMember(c, "code");
      if (s && v) {
        const std::string sys = fhir::NormalizeSystem(*s);
        found = found || codes.count(sys + "|" + fhir::NormalizeCode(sys, *v)) != 0;
      }
    });
  return found;
}

bool IsOrder(const fhir::Json& r) {
  const auto type = fhir::ResourceType(r);
  return type.size() > 7 &&
         (type.substr(type.size() - 7) == "Request" || type == "MedicationOrder");
}

Value Str(std::string_view s, Alloc& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

}  // namespace

bool LooksLikeHookRequest(const fhir::Json& body) {
  return body.IsObject() && fhir::Member(body, "hook") != nullptr &&
         fhir::Member(body, "resourceType") == nullptr;
}

std::shared_ptr<rapidjson::Document> RequestFromBundle(const fhir::Json& bundle,
                                                       const ServiceDefinition& service,
                                                       std::string& error) {
  if (fhir::ResourceType(bundle) != "Bundle") {
    error = "not a FHIR Bundle or a CDS Hooks request";
    return nullptr;
  }
  std::vector<const fhir::Json*> drafts, others;
  const fhir::Json* patient = nullptr;
  fhir::ForEachResource(&bundle, [&](const fhir::Json& r) {
    if (IsOrder(r) && fhir::Status(r) == "draft") {
      drafts.push_back(&r);
    } else {
      if (fhir::ResourceType(r) == "Patient" && patient == nullptr) patient = &r;
      others.push_back(&r);
    }
  });
  if (drafts.empty()) {
    error = "the bundle holds no draft order (status \"draft\")";
    return nullptr;
  }
  std::string patient_id = patient != nullptr ? std::string(fhir::ResourceId(*patient)) : "";
  if (patient_id.empty()) {
    auto ref = fhir::Member(*drafts.front(), "subject");
    auto r = ref ? fhir::StringMember(*ref, "reference") : std::nullopt;
    patient_id = r ? std::string(fhir::ReferenceId(*r)) : "unknown";
  }

  auto doc = std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
  Alloc& a = doc->GetAllocator();
  doc->AddMember("hook", Str(service.hook, a), a);
  doc->AddMember("hookInstance", Str(NewUuid(), a), a);
  Value context(rapidjson::kObjectType);
  context.AddMember("userId", "Practitioner/cli", a);
  context.AddMember("patientId", Str(patient_id, a), a);
  Value entries(rapidjson::kArrayType);
  Value selections(rapidjson::kArrayType);
  for (const fhir::Json* d : drafts) {
    Value entry(rapidjson::kObjectType);
    Value copy;
    copy.CopyFrom(*d, a);
    entry.AddMember("resource", copy, a);
    entries.PushBack(entry, a);
    selections.PushBack(Str(fhir::ReferenceKey(*d), a), a);
  }
  Value draft_bundle(rapidjson::kObjectType);
  draft_bundle.AddMember("resourceType", "Bundle", a);
  draft_bundle.AddMember("type", "collection", a);
  draft_bundle.AddMember("entry", entries, a);
  if (service.hook == "order-select") context.AddMember("selections", selections, a);
  context.AddMember("draftOrders", draft_bundle, a);
  doc->AddMember("context", context, a);

  Value prefetch(rapidjson::kObjectType);
  for (const auto& [key, text] : service.prefetch) {
    const Template t = ParseTemplate(text);
    std::vector<const fhir::Json*> matches;
    for (const fhir::Json* r : others)
      if (fhir::ResourceType(*r) == t.type && (t.status.empty() || fhir::Status(*r) == t.status) &&
          CodeMatches(*r, t.codes))
        matches.push_back(r);
    Value value;
    if (t.single) {
      if (!matches.empty()) value.CopyFrom(*matches.front(), a);  // else null: no such resource
    } else {
      value.SetObject();
      value.AddMember("resourceType", "Bundle", a);
      value.AddMember("type", "searchset", a);
      value.AddMember("total", static_cast<unsigned>(matches.size()), a);
      Value list(rapidjson::kArrayType);
      for (const fhir::Json* r : matches) {
        Value entry(rapidjson::kObjectType);
        Value copy;
        copy.CopyFrom(*r, a);
        entry.AddMember("resource", copy, a);
        list.PushBack(entry, a);
      }
      value.AddMember("entry", list, a);
    }
    prefetch.AddMember(Str(key, a), value, a);
  }
  doc->AddMember("prefetch", prefetch, a);
  return doc;
}

}  // namespace cdshooks
