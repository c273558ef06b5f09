// The PrefetchSource contract between the hook service and whoever fills missing prefetch (the
// FHIR fetcher in fetch/, or nothing for the CLI): what one fetch phase of a request asks for,
// and what came of it. The service calls the fetcher on the request's thread; the fetcher fills
// the request (SetPrefetch, AddFetchedResource) before it returns and must not keep references
// to it.
#pragma once

#include "cdshooks/error.h"
#include "cdshooks/request.h"
#include "cdshooks/service.h"
#include "fhir/date.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace service {

// What one fetch phase of a request asks for.
struct FetchWork {
  // Prefetch keys: kAbsent / kFailed ones are fetched by the service's template, kIncomplete ones
  // by following their `next` link (the entries already sent are kept and merged).
  std::vector<std::string> keys;
  std::vector<std::string> medications;  // "Medication/{id}" references to read
  // For AssessPrefetch of fetched searchsets (see cdshooks::AssessOptions::cutoff).
  std::optional<fhir::EpochSeconds> cutoff;
  // The request's reference time (cdshooks::ReferenceTime), for today()/now() template tokens.
  std::optional<fhir::EpochSeconds> reference_time;
  // The request's one fetch deadline, shared by its phases; nullopt: start it now.
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct FetchResult {
  // One issue per key still missing or incomplete (expression "prefetch.<key>"), saying why.
  std::vector<cdshooks::Issue> issues;
  std::size_t unresolved_medications = 0;          // references that could not be read
  std::chrono::steady_clock::time_point deadline;  // the deadline used (for the next phase)
};

// Fills what `work` names into the request (SetPrefetch, AddFetchedResource).
using PrefetchFetcher = std::function<FetchResult(
    const cdshooks::ServiceDefinition&, const FetchWork& work, cdshooks::Request& request)>;

}  // namespace service
