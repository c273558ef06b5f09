#include "bench_support.h"

#include "anakinra/engine.h"
#include "anakinra/knowledge.h"
#include "cdshooks/bundle_request.h"
#include "cdshooks/service.h"
#include "fhir/json.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace bench {

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"ra-clean-sign", "adult-ra-clean", "order-sign", true,
       "order-sign, anakinra draft, full prefetch (largest sample)"},
      {"ra-clean-select", "adult-ra-clean", "order-select", true,
       "order-select, anakinra draft selected, full prefetch (largest sample)"},
      {"hiv-infection-sign", "adult-active-infection-hiv", "order-sign", true,
       "order-sign, anakinra draft, full prefetch, two cards (second largest sample)"},
      {"no-anakinra-sign", "no-anakinra-order", "order-sign", true,
       "order-sign, unrelated draft (amoxicillin), full prefetch as an EHR sends it"},
      {"no-anakinra-bare-sign", "no-anakinra-order", "order-sign", false,
       "order-sign, unrelated draft (amoxicillin), no prefetch"},
  };
  return cases;
}

const Case& FindCase(const std::string& name) {
  for (const Case& c : Cases())
    if (c.name == name) return c;
  throw std::runtime_error("unknown case " + name);
}

std::string SourcePath(const std::string& relative) {
  return std::string(ANAKINRA_SOURCE_DIR) + "/" + relative;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<server::HookHandler> Handler() {
  static const auto handler = [] {
    std::string error;
    auto knowledge = anakinra::LoadKnowledge(SourcePath("hooks"), error);
    if (!knowledge) throw std::runtime_error(error);
    auto catalog =
        cdshooks::ServiceCatalog::Load(ReadFile(SourcePath("hooks/services.json")), error);
    if (!catalog) throw std::runtime_error(error);
    auto engine = std::make_shared<anakinra::Engine>(std::move(knowledge));
    return std::make_shared<server::HookHandler>(std::move(engine), std::move(*catalog),
                                                 cdshooks::ParseLimits{});
  }();
  return handler;
}

std::string RequestBody(const Case& c) {
  rapidjson::Document bundle;
  const std::string path = SourcePath("fhir-samples/" + c.sample + ".json");
  if (auto e = fhir::ParseJson(ReadFile(path), 512, bundle))
    throw std::runtime_error(path + ": " + e->message);
  const auto* service = Handler()->catalog().Find("anakinra-" + c.hook);
  if (service == nullptr) throw std::runtime_error("no service for " + c.hook);
  std::string error;
  auto doc = cdshooks::RequestFromBundle(bundle, *service, error);
  if (!doc) throw std::runtime_error(c.sample + ": " + error);
  if (!c.prefetch) doc->RemoveMember("prefetch");
  return fhir::ToString(*doc);
}

std::chrono::system_clock::time_point FixedNow() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1795770000));
}

}  // namespace bench
