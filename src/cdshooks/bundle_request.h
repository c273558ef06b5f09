// Builds a CDS Hooks request from a FHIR Bundle that holds a patient's record and draft orders
// (the fhir-samples format). Draft orders become context.draftOrders; everything else is sorted
// into the service's prefetch keys by the resource type and simple filters (status=, code=) of
// each prefetch template. Used by the CLI and the tests to evaluate a sample directly.
#pragma once

#include "cdshooks/service.h"
#include "fhir/json.h"

#include <rapidjson/document.h>

#include <memory>
#include <string>

namespace cdshooks {

// Returns the request document, or nullptr with `error` set (no Patient, not a Bundle).
std::shared_ptr<rapidjson::Document> RequestFromBundle(const fhir::Json& bundle,
                                                       const ServiceDefinition& service,
                                                       std::string& error);

// True for a body that looks like a CDS Hooks request rather than a FHIR resource.
bool LooksLikeHookRequest(const fhir::Json& body);

}  // namespace cdshooks
