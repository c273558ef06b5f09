#include "support/test_support.h"

#include "service/loader.h"

#include "base/json.h"
#include "cdshooks/bundle_request.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace testing_support {

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

rapidjson::Document ParseJsonOrDie(const std::string& text) {
  rapidjson::Document doc;
  if (base::Status e = base::ParseJson(text, 512, doc); !e.ok())
    throw std::runtime_error(e.message());
  return doc;
}

std::shared_ptr<const anakinra::Knowledge> RealKnowledge() {
  static const auto knowledge = [] {
    auto k = anakinra::LoadKnowledge(SourcePath("hooks"));
    if (!k.ok()) throw std::runtime_error(k.status().message());
    return std::move(*k);
  }();
  return knowledge;
}

std::shared_ptr<service::HookService> RealHandler() {
  // Loaded the way serve loads it (service::LoadHookService), knowledge version included.
  static const auto handler = [] {
    auto loaded = service::LoadHookService(SourcePath("hooks"), cdshooks::ParseLimits{}.max_depth);
    if (!loaded.ok()) throw std::runtime_error(loaded.status().message());
    return std::move(*loaded);
  }();
  return handler;
}

std::vector<std::string> SampleNames() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(SourcePath("fhir-samples")))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string SampleRequest(const std::string& sample_name, const std::string& hook) {
  auto bundle = ParseJsonOrDie(ReadFile(SourcePath("fhir-samples/" + sample_name + ".json")));
  const auto* service = RealHandler()->catalog().Find("anakinra-" + hook);
  auto doc = cdshooks::RequestFromBundle(bundle, *service);
  if (!doc.ok()) throw std::runtime_error(sample_name + ": " + doc.status().message());
  return base::ToString(**doc);
}

void SetFhirServer(rapidjson::Document& request, const std::string& fhir_server,
                   const std::string& token) {
  auto& a = request.GetAllocator();
  request.RemoveMember("fhirServer");
  request.AddMember("fhirServer", rapidjson::Value(fhir_server.c_str(), a), a);
  request.RemoveMember("fhirAuthorization");
  if (token.empty()) return;
  rapidjson::Value auth(rapidjson::kObjectType);
  auth.AddMember("access_token", rapidjson::Value(token.c_str(), a), a);
  auth.AddMember("token_type", "Bearer", a);
  auth.AddMember("scope", "patient/*.read", a);
  auth.AddMember("subject", "anakinra-cds", a);
  auth.AddMember("expires_in", 300, a);
  request.AddMember("fhirAuthorization", auth, a);
}

}  // namespace testing_support
