// CDS Service definitions (the discovery document), loaded from data.
//
// The file holds {"services": [...]} exactly as discovery returns it. Load checks every entry
// (id, hook, description, prefetch templates) and names the entry that is wrong.
//
// Thread safety: a loaded ServiceCatalog is immutable; const use from several threads is safe.
// Ownership: Find returns a pointer into the catalog, valid while the catalog lives (unmoved).
#pragma once

#include "base/status.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cdshooks {

struct ServiceDefinition {
  std::string id;
  std::string hook;
  std::string title;
  std::string description;
  std::string usage_requirements;
  std::map<std::string, std::string> prefetch;  // key → FHIR query template
};

class ServiceCatalog {
 public:
  // Parses and checks a discovery document; on failure kInvalidArgument whose message says which
  // entry is wrong ("service definitions: services[1]: duplicate id \"a\"").
  static base::StatusOr<ServiceCatalog> Load(std::string_view json);

  // The service with this id, or nullptr.
  const ServiceDefinition* Find(std::string_view id) const;
  const std::vector<ServiceDefinition>& services() const { return services_; }
  // The discovery response body, serialized once at load.
  const std::string& discovery_json() const { return discovery_json_; }

  // Adds {"extension": {"org.anakinra-cds.knowledge-version": version}} to the discovery
  // document (the version of the knowledge the services run on; the CDS Hooks 3.0 ballot allows
  // an extension on the discovery response).
  void SetKnowledgeVersion(const std::string& version);

 private:
  std::vector<ServiceDefinition> services_;
  std::string discovery_json_;
};

// Hooks this service understands, with the context fields each one requires.
bool IsKnownHook(std::string_view hook);

}  // namespace cdshooks
