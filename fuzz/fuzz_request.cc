// libFuzzer: a hook call body through the whole pipeline (cdshooks::ParseRequest, prefetch
// classification, anakinra::Engine::Evaluate, card writing) via service::HookService::Call, with
// the project's real knowledge and services from hooks/. The first byte picks the service.
#include "anakinra/engine.h"
#include "anakinra/knowledge.h"
#include "cdshooks/service.h"
#include "service/hook_service.h"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace {

std::shared_ptr<service::HookService> Handler() {
  static const auto handler = [] {
    const std::string hooks = ANAKINRA_SOURCE_DIR "/hooks";
    auto knowledge = anakinra::LoadKnowledge(hooks);
    std::ifstream in(hooks + "/services.json");
    std::ostringstream ss;
    ss << in.rdbuf();
    auto catalog = cdshooks::ServiceCatalog::Load(ss.str());
    if (!knowledge.ok() || !catalog.ok()) {
      const base::Status error = knowledge.ok() ? catalog.status() : knowledge.status();
      std::cerr << "fuzz_request: cannot load " << hooks << ": " << error.message() << "\n";
      std::abort();
    }
    auto engine = std::make_shared<anakinra::Engine>(std::move(*knowledge));
    return std::make_shared<service::HookService>(engine, std::move(*catalog),
                                                  cdshooks::ParseLimits{64});
  }();
  return handler;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const char* service = (data[0] & 1) ? "anakinra-order-select" : "anakinra-order-sign";
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  // A fixed clock keeps runs reproducible.
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1795536000));
  auto r = Handler()->Call(service, body, now);
  if (r.status == 0) std::abort();
  return 0;
}
