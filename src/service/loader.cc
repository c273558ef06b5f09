#include "service/loader.h"

#include "service/knowledge_version.h"

#include "anakinra/engine.h"
#include "anakinra/fact_reader.h"
#include "anakinra/knowledge.h"
#include "base/file.h"
#include "cdshooks/service.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace service {

base::StatusOr<std::shared_ptr<HookService>> LoadHookService(const std::string& hooks_dir,
                                                             std::size_t max_depth) {
  auto loaded = anakinra::LoadKnowledge(hooks_dir);
  if (!loaded.ok()) return loaded.status();
  std::shared_ptr<const anakinra::Knowledge> knowledge = std::move(*loaded);
  auto services_json = base::ReadFile(hooks_dir + "/services.json");
  if (!services_json.ok())
    return base::Status::IoError("cannot read " + hooks_dir + "/services.json");
  auto catalog = cdshooks::ServiceCatalog::Load(*services_json);
  if (!catalog.ok()) return catalog.status();
  const auto loincs = knowledge->ObservationLoincCodes();
  for (const auto& s : catalog->services()) {
    // Every key the rules read must have a template, or a request could never be complete.
    for (const anakinra::DataKey k : anakinra::KeysReadBy(s.hook)) {
      const std::string key(anakinra::KeyName(k));
      if (s.prefetch.count(key) == 0)
        return base::Status::InvalidArgument("services.json: " + s.id +
                                             " has no prefetch template for \"" + key +
                                             "\", which the rules read");
    }
    auto it = s.prefetch.find("observations");
    if (it == s.prefetch.end()) continue;
    for (const auto& code : loincs)
      if (it->second.find("http://loinc.org|" + code + ",") == std::string::npos &&
          it->second.find("http://loinc.org|" + code + "&") == std::string::npos)
        return base::Status::InvalidArgument("services.json: " + s.id +
                                             " prefetch.observations lacks LOINC " + code +
                                             ", which the rules read");
  }
  auto version = KnowledgeVersion(hooks_dir);
  if (!version.ok()) return version.status();
  catalog->SetKnowledgeVersion(*version);
  auto engine = std::make_shared<anakinra::Engine>(std::move(knowledge));
  auto service = std::make_shared<HookService>(std::move(engine), std::move(*catalog),
                                               cdshooks::ParseLimits{max_depth});
  service->set_knowledge_version(std::move(*version));
  return service;
}

}  // namespace service
