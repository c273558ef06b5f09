#include "app/evaluate.h"

#include "base/file.h"

#include "app/card_text.h"
#include "base/json.h"
#include "cdshooks/bundle_request.h"
#include "cdshooks/request.h"
#include "fhir/date.h"
#include "service/loader.h"

#include <chrono>
#include <iostream>

namespace app {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitRefused = 3;

// The handler and the input file, or nullptr after saying on stderr what failed.
std::shared_ptr<service::HookService> LoadInputs(const std::string& hooks_dir,
                                                 const std::string& file, std::string& body) {
  auto handler = service::LoadHookService(hooks_dir, 256);
  if (!handler.ok()) {
    std::cerr << "anakinra-cds: " << handler.status().message() << "\n";
    return nullptr;
  }
  auto text = base::ReadFile(file);
  if (!text.ok()) {
    std::cerr << "anakinra-cds: " << text.status().message() << "\n";
    return nullptr;
  }
  body = std::move(*text);
  return std::move(*handler);
}

}  // namespace

const cdshooks::ServiceDefinition* FindServiceForHook(const cdshooks::ServiceCatalog& catalog,
                                                      std::string_view hook) {
  for (const auto& service : catalog.services())
    if (service.hook == hook) return &service;
  return nullptr;
}

int RunEvaluate(const std::string& hooks_dir, const std::string& hook, const std::string& format,
                const std::string& file, const std::string& now_text, std::size_t page_size) {
  std::string body;
  auto handler = LoadInputs(hooks_dir, file, body);
  if (!handler) return kExitFailure;
  auto now = std::chrono::system_clock::now();
  if (!now_text.empty()) {
    auto t = fhir::ParseDateTime(now_text);
    if (!t) {
      std::cerr << "anakinra-cds: --now must be a FHIR dateTime, e.g. 2026-11-20T09:00:00Z\n";
      return 2;
    }
    now = std::chrono::system_clock::time_point(std::chrono::seconds(*t));
  }
  auto doc = std::make_shared<rapidjson::Document>();
  service::HookResult result;
  if (base::Status e = base::ParseJson(body, 256, *doc); !e.ok()) {
    result = service::ErrorResult(
        base::Status::FromProblems(base::Status::Code::kInvalidArgument,
                                   {base::Status::Problem{"structure", e.message(), {}}}));
  } else {
    std::string wanted = hook;
    if (cdshooks::LooksLikeHookRequest(*doc)) {
      if (auto h = base::StringMember(*doc, "hook"); h && hook.empty()) wanted = std::string(*h);
    } else if (hook.empty()) {
      wanted = "order-sign";
    }
    const auto* service = FindServiceForHook(handler->catalog(), wanted);
    if (service == nullptr) {
      std::cerr << "anakinra-cds: no service for hook \"" << wanted << "\"\n";
      return 2;
    }
    if (!cdshooks::LooksLikeHookRequest(*doc)) {
      cdshooks::BundleRequestOptions options;
      options.page_size = page_size;
      auto built = cdshooks::RequestFromBundle(*doc, *service, options);
      if (!built.ok()) {
        std::cerr << "anakinra-cds: " << file << ": " << built.status().message() << "\n";
        return kExitRefused;
      }
      doc = std::move(*built);
    }
    cdshooks::Request request;
    if (base::Status invalid = cdshooks::ReadRequest(doc, *service, request); !invalid.ok()) {
      result = service::ErrorResult(invalid);
    } else {
      result = handler->Evaluate(*service, request, now);
    }
  }
  if (format == "text") {
    std::cout << ResponseAsText(result.body);
  } else {
    std::cout << result.body << "\n";
  }
  return result.status == 200 ? 0 : kExitRefused;
}

int RunRequest(const std::string& hooks_dir, const std::string& hook, const std::string& file,
               std::size_t page_size) {
  std::string body;
  auto handler = LoadInputs(hooks_dir, file, body);
  if (!handler) return kExitFailure;
  rapidjson::Document bundle;
  if (base::Status e = base::ParseJson(body, 256, bundle); !e.ok()) {
    std::cerr << "anakinra-cds: " << file << ": " << e.message() << "\n";
    return kExitRefused;
  }
  const std::string wanted = hook.empty() ? std::string("order-sign") : hook;
  const auto* service = FindServiceForHook(handler->catalog(), wanted);
  if (service == nullptr) {
    std::cerr << "anakinra-cds: no service for hook \"" << wanted << "\"\n";
    return 2;
  }
  cdshooks::BundleRequestOptions options;
  options.page_size = page_size;
  auto request = cdshooks::RequestFromBundle(bundle, *service, options);
  if (!request.ok()) {
    std::cerr << "anakinra-cds: " << file << ": " << request.status().message() << "\n";
    return kExitRefused;
  }
  std::cout << base::ToString(**request) << "\n";
  return 0;
}

}  // namespace app
