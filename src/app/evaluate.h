// `anakinra-cds evaluate`: one CDS Hooks request, or a fhir-samples Bundle, through the same
// handler the server uses; prints the response as JSON or as text for a person.
//
// Thread safety: each call loads its own handler; nothing is shared. Errors are reported on
// stderr and as the exit code; nothing throws. Services are found by their hook in
// hooks/services.json, never by a built service id.
#pragma once

#include "cdshooks/service.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace app {

// The catalog's service for `hook`, or nullptr when none serves it.
const cdshooks::ServiceDefinition* FindServiceForHook(const cdshooks::ServiceCatalog& catalog,
                                                      std::string_view hook);

// Returns the process exit code: 0 cards, 1 cannot load, 2 usage, 3 request refused.
// `page_size` > 0 pages a Bundle's searchset prefetch (see cdshooks::BundleRequestOptions).
int RunEvaluate(const std::string& hooks_dir, const std::string& hook, const std::string& format,
                const std::string& file, const std::string& now_text, std::size_t page_size = 0);

// Prints the CDS Hooks request that `evaluate` would build from a fhir-samples Bundle (for curl,
// the sandbox or load tests). Same exit codes.
int RunRequest(const std::string& hooks_dir, const std::string& hook, const std::string& file,
               std::size_t page_size = 0);

}  // namespace app
