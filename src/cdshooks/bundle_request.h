// Builds a CDS Hooks request from a FHIR Bundle that holds a patient's record and draft orders
// (the fhir-samples format). Draft orders become context.draftOrders; everything else is sorted
// into the service's prefetch keys by the resource type and simple filters (status=, code=) of
// each prefetch template. Used by the CLI and the tests to evaluate a sample directly.
//
// Thread safety: a pure function of its arguments. Ownership: the returned document copies what
// it needs from `bundle`. Errors: a kInvalidArgument Status saying why; never throws on FHIR
// content.
#pragma once

#include "base/json.h"
#include "base/status.h"
#include "cdshooks/service.h"

#include <rapidjson/document.h>

#include <memory>
#include <string>

namespace cdshooks {

struct BundleRequestOptions {
  // Client-sent paging (0 = off): each searchset prefetch holds only its first `page_size`
  // entries and, when more match, a `next` link under https://fhir.invalid/ that no server
  // answers. Without fhirServer such a key is incomplete (policy v2 section 0).
  std::size_t page_size = 0;
};

// Returns the request document (never null), or kInvalidArgument (not a Bundle, no draft order).
// Template filters understood: status=a,b (any of), code=system|code,... and _sort=-date
// (entries newest first, as a server would sort them).
base::StatusOr<std::shared_ptr<rapidjson::Document>> RequestFromBundle(
    const base::Json& bundle, const ServiceDefinition& service,
    const BundleRequestOptions& options = {});

// True for a body that looks like a CDS Hooks request rather than a FHIR resource.
bool LooksLikeHookRequest(const base::Json& body);

}  // namespace cdshooks
