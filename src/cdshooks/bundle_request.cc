#include "cdshooks/bundle_request.h"

#include "cdshooks/uuid.h"
#include "fhir/code_set.h"
#include "fhir/resource.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cdshooks {
namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

struct Template {
  std::string type;
  bool single = false;
  std::set<std::string> statuses;  // status=a,b filter (any of); empty = any status
  std::set<std::string> codes;     // code=system|code,... filter (normalised keys)
  bool newest_first = false;       // _sort=-date
  std::size_t count = 0;           // _count=N: the server's page size; 0 = none asked
};

// The comma-separated tokens of a search parameter value.
std::vector<std::string> SplitCommas(const std::string& value) {
  std::vector<std::string> out;
  std::size_t p = 0;
  while (p <= value.size()) {
    const auto comma = value.find(',', p);
    out.push_back(value.substr(p, comma == std::string::npos ? std::string::npos : comma - p));
    if (comma == std::string::npos) break;
    p = comma + 1;
  }
  return out;
}

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
      if (name == "status")
        for (const auto& token : SplitCommas(value))
          if (!token.empty()) out.statuses.insert(token);
      if (name == "_sort") out.newest_first = value == "-date";
      if (name == "_count" && !value.empty() && value.size() < 7 &&
          value.find_first_not_of("0123456789") == std::string::npos)
        out.count = static_cast<std::size_t>(std::stoul(value));
      if (name == "code") {
        for (const auto& token : SplitCommas(value)) {
          const auto bar = token.find('|');
          if (bar != std::string::npos) {
            const std::string sys = fhir::NormalizeSystem(token.substr(0, bar));
            out.codes.insert(sys + "|" + fhir::NormalizeCode(sys, token.substr(bar + 1)));
          }
        }
      }
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

bool CodeMatches(const base::Json& resource, const std::set<std::string>& codes) {
  if (codes.empty()) return true;
  bool found = false;
  if (const base::Json* code = base::Member(resource, "code"))
    fhir::ForEachCoding(*code, [&](const base::Json& c) {
      auto s = base::StringMember(c, "system");
      auto v = base::StringMember(c, "code");
      if (s && v) {
        const std::string sys = fhir::NormalizeSystem(*s);
        found = found || codes.count(sys + "|" + fhir::NormalizeCode(sys, *v)) != 0;
      }
    });
  return found;
}

bool IsOrder(const base::Json& r) {
  const auto type = fhir::ResourceType(r);
  return type.size() > 7 &&
         (type.substr(type.size() - 7) == "Request" || type == "MedicationOrder");
}

// The date a searchset sorted by date orders on: when an Observation was made, when an
// Immunization was given; nullopt otherwise (such entries go last).
std::optional<fhir::EpochSeconds> SortDate(const base::Json& r) {
  const auto type = fhir::ResourceType(r);
  if (type == "Observation") return fhir::ObservationTime(r);
  if (type == "Immunization") return fhir::ImmunizationTime(r);
  return std::nullopt;
}

// The URL of the page after the first `page_size` entries, on a host that never answers.
std::string NextPageUrl(const std::string& query_template, const std::string& patient_id,
                        std::size_t page_size) {
  std::string query = query_template;
  // The template's own _count is replaced by the page size of the link.
  for (auto p = query.find("_count="); p != std::string::npos; p = query.find("_count=")) {
    auto end = query.find('&', p);
    if (end == std::string::npos) {
      query.erase(p > 0 ? p - 1 : p);  // with its '&' (or '?')
    } else {
      query.erase(p, end + 1 - p);
    }
  }
  const std::string placeholder = "{{context.patientId}}";
  for (auto p = query.find(placeholder); p != std::string::npos; p = query.find(placeholder))
    query.replace(p, placeholder.size(), patient_id);
  std::string url = "https://fhir.invalid/fhir/";
  for (const char c : query) {
    if (c == '|') {
      url += "%7C";
    } else if (c == ' ') {
      url += "%20";
    } else {
      url += c;
    }
  }
  url += query.find('?') == std::string::npos ? '?' : '&';
  url += "_count=" + std::to_string(page_size) + "&_offset=" + std::to_string(page_size);
  return url;
}

Value Str(std::string_view s, Alloc& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

}  // namespace

bool LooksLikeHookRequest(const base::Json& body) {
  return body.IsObject() && base::Member(body, "hook") != nullptr &&
         base::Member(body, "resourceType") == nullptr;
}

base::StatusOr<std::shared_ptr<rapidjson::Document>> RequestFromBundle(
    const base::Json& bundle, const ServiceDefinition& service,
    const BundleRequestOptions& options) {
  if (fhir::ResourceType(bundle) != "Bundle")
    return base::Status::InvalidArgument("not a FHIR Bundle or a CDS Hooks request");
  std::vector<const base::Json*> drafts, others;
  const base::Json* patient = nullptr;
  fhir::ForEachResource(&bundle, [&](const base::Json& r) {
    if (IsOrder(r) && fhir::Status(r) == "draft") {
      drafts.push_back(&r);
    } else {
      if (fhir::ResourceType(r) == "Patient" && patient == nullptr) patient = &r;
      others.push_back(&r);
    }
  });
  const bool order_hook = service.hook != "patient-view";  // patient-view has no draft orders
  if (drafts.empty() && order_hook)
    return base::Status::InvalidArgument("the bundle holds no draft order (status \"draft\")");
  std::string patient_id = patient != nullptr ? std::string(fhir::ResourceId(*patient)) : "";
  if (patient_id.empty() && !drafts.empty()) {
    auto ref = base::Member(*drafts.front(), "subject");
    auto r = ref ? base::StringMember(*ref, "reference") : std::nullopt;
    patient_id = r ? std::string(fhir::ReferenceId(*r)) : "unknown";
  }
  if (patient_id.empty()) patient_id = "unknown";

  auto doc = std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
  Alloc& a = doc->GetAllocator();
  doc->AddMember("hook", Str(service.hook, a), a);
  doc->AddMember("hookInstance", Str(NewUuid(), a), a);
  Value context(rapidjson::kObjectType);
  context.AddMember("userId", "Practitioner/cli", a);
  context.AddMember("patientId", Str(patient_id, a), a);
  Value entries(rapidjson::kArrayType);
  Value selections(rapidjson::kArrayType);
  for (const base::Json* d : drafts) {
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
  if (order_hook) context.AddMember("draftOrders", draft_bundle, a);
  doc->AddMember("context", context, a);

  Value prefetch(rapidjson::kObjectType);
  for (const auto& [key, text] : service.prefetch) {
    const Template t = ParseTemplate(text);
    std::vector<const base::Json*> matches;
    for (const base::Json* r : others)
      if (fhir::ResourceType(*r) == t.type &&
          (t.statuses.empty() || t.statuses.count(std::string(fhir::Status(*r))) != 0) &&
          CodeMatches(*r, t.codes))
        matches.push_back(r);
    if (t.newest_first)
      std::stable_sort(matches.begin(), matches.end(),
                       [](const base::Json* x, const base::Json* y) {
                         const auto dx = SortDate(*x), dy = SortDate(*y);
                         if (!dx || !dy) return dx.has_value() && !dy.has_value();
                         return *dx > *dy;
                       });
    // A server pages at the template's _count, or at the sample's page size when smaller.
    std::size_t page_size = options.page_size;
    if (t.count > 0 && (page_size == 0 || t.count < page_size)) page_size = t.count;
    const bool paged = !t.single && page_size > 0 && matches.size() > page_size;
    Value value;
    if (t.single) {
      if (!matches.empty()) value.CopyFrom(*matches.front(), a);  // else null: no such resource
    } else {
      value.SetObject();
      value.AddMember("resourceType", "Bundle", a);
      value.AddMember("type", "searchset", a);
      value.AddMember("total", static_cast<unsigned>(matches.size()), a);
      if (paged) {
        Value links(rapidjson::kArrayType);
        Value next(rapidjson::kObjectType);
        next.AddMember("relation", "next", a);
        next.AddMember("url", Str(NextPageUrl(text, patient_id, page_size), a), a);
        links.PushBack(next, a);
        value.AddMember("link", links, a);
        matches.resize(page_size);
      }
      Value list(rapidjson::kArrayType);
      for (const base::Json* r : matches) {
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
