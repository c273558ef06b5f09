#include "cdshooks/service.h"

#include "base/json.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>

namespace cdshooks {

namespace {

// MAJOR.MINOR or MAJOR.MINOR.PATCH, digits only (hook pages publish "1.0").
bool IsSemanticVersion(std::string_view v) {
  int parts = 0;
  std::size_t digits = 0;
  for (char c : v) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '.' && digits > 0) {
      ++parts;
      digits = 0;
    } else {
      return false;
    }
  }
  return digits > 0 && (parts == 1 || parts == 2);
}

}  // namespace

bool IsKnownHook(std::string_view hook) {
  return hook == "order-select" || hook == "order-sign" || hook == "patient-view";
}

base::StatusOr<ServiceCatalog> ServiceCatalog::Load(std::string_view json) {
  rapidjson::Document doc;
  if (base::Status e = base::ParseJson(json, 64, doc); !e.ok()) {
    return base::Status::InvalidArgument("service definitions: " + e.message());
  }
  const base::Json* list = base::Member(doc, "services");
  if (list == nullptr || !list->IsArray() || list->Empty()) {
    return base::Status::InvalidArgument(
        "service definitions: \"services\" must be a non-empty array");
  }
  ServiceCatalog catalog;
  std::set<std::string> ids;
  rapidjson::SizeType i = 0;
  for (const auto& s : list->GetArray()) {
    const std::string where = "service definitions: services[" + std::to_string(i++) + "]";
    ServiceDefinition def;
    auto id = base::StringMember(s, "id");
    auto hook = base::StringMember(s, "hook");
    auto description = base::StringMember(s, "description");
    if (!id || id->empty() || !hook || !description || description->empty()) {
      return base::Status::InvalidArgument(where +
                                           ": id, hook and description are required strings");
    }
    def.id = std::string(*id);
    def.hook = std::string(*hook);
    def.description = std::string(*description);
    if (!IsKnownHook(def.hook)) {
      return base::Status::InvalidArgument(where + " (" + def.id + "): unsupported hook \"" +
                                           def.hook + "\"");
    }
    if (!ids.insert(def.id).second) {
      return base::Status::InvalidArgument(where + ": duplicate id \"" + def.id + "\"");
    }
    // CDS Hooks 3.0 ballot: `version` is the CDS Hooks specification implemented (semantic
    // version), `hookVersion` the version of the published hook definition.
    for (const char* key : {"version", "hookVersion"}) {
      const base::Json* v = base::Member(s, key);
      if (v == nullptr) continue;
      if (!v->IsString() || !IsSemanticVersion(base::View(*v)))
        return base::Status::InvalidArgument(where + " (" + def.id + "): " + key +
                                             " must be a version such as \"2.0.1\" or \"1.0\"");
    }
    def.title = std::string(base::StringMember(s, "title").value_or(""));
    def.usage_requirements = std::string(base::StringMember(s, "usageRequirements").value_or(""));
    if (const base::Json* prefetch = base::Member(s, "prefetch")) {
      if (!prefetch->IsObject()) {
        return base::Status::InvalidArgument(where + " (" + def.id +
                                             "): prefetch must be an object");
      }
      for (const auto& m : prefetch->GetObject()) {
        if (!m.value.IsString() || m.value.GetStringLength() == 0) {
          return base::Status::InvalidArgument(where + " (" + def.id + "): prefetch." +
                                               m.name.GetString() +
                                               " must be a query template string");
        }
        def.prefetch.emplace(m.name.GetString(), m.value.GetString());
      }
    }
    catalog.services_.push_back(std::move(def));
  }
  catalog.discovery_json_ = base::ToString(doc);
  return catalog;
}

void ServiceCatalog::SetKnowledgeVersion(const std::string& version) {
  rapidjson::Document doc;
  if (!base::ParseJson(discovery_json_, 64, doc).ok() || !doc.IsObject()) return;
  auto& a = doc.GetAllocator();
  doc.RemoveMember("extension");
  rapidjson::Value extension(rapidjson::kObjectType);
  extension.AddMember("org.anakinra-cds.knowledge-version", rapidjson::Value(version.c_str(), a),
                      a);
  doc.AddMember("extension", extension, a);
  discovery_json_ = base::ToString(doc);
}

const ServiceDefinition* ServiceCatalog::Find(std::string_view id) const {
  for (const auto& s : services_)
    if (s.id == id) return &s;
  return nullptr;
}

}  // namespace cdshooks
