// `anakinra-cds evaluate`: one CDS Hooks request, or a fhir-samples Bundle, through the same
// handler the server uses; prints the response as JSON or as text for a person.
#pragma once

#include <string>

namespace app {

// Returns the process exit code: 0 cards, 1 cannot load, 2 usage, 3 request refused.
int RunEvaluate(const std::string& hooks_dir, const std::string& hook, const std::string& format,
                const std::string& file, const std::string& now_text);

// Prints the CDS Hooks request that `evaluate` would build from a fhir-samples Bundle (for curl,
// the sandbox or load tests). Same exit codes.
int RunRequest(const std::string& hooks_dir, const std::string& hook, const std::string& file);

}  // namespace app
