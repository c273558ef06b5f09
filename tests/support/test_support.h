// Shared helpers for the tests: source-tree paths, files, the real knowledge and handler.
#pragma once

#include "anakinra/engine.h"
#include "anakinra/knowledge.h"
#include "cdshooks/request.h"
#include "service/hook_service.h"

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

namespace testing_support {

std::string SourcePath(const std::string& relative);  // path under the source tree
std::string ReadFile(const std::string& path);
rapidjson::Document ParseJsonOrDie(const std::string& text);

// The project's own hooks/ knowledge and services, loaded once.
std::shared_ptr<const anakinra::Knowledge> RealKnowledge();
std::shared_ptr<service::HookService> RealHandler();

// A request body for `hook` built from a fhir-samples bundle (draft orders + prefetch).
std::string SampleRequest(const std::string& sample_name, const std::string& hook = "order-sign");

// The names of every fhir-samples/*.json bundle, sorted.
std::vector<std::string> SampleNames();

// Points a request at `fhir_server`; with a non-empty `token`, also gives it as fhirAuthorization.
void SetFhirServer(rapidjson::Document& request, const std::string& fhir_server,
                   const std::string& token = "");

}  // namespace testing_support
