// The OperationOutcome issue and its JSON: what the hook service writes when it answers with an
// error (service::ErrorResult makes every OperationOutcome from a base::Status; no other layer
// decides an HTTP status).
//
// Thread safety: Issue is a value; OperationOutcomeJson is a pure function. Errors: none.
#pragma once

#include <string>
#include <vector>

namespace cdshooks {

struct Issue {
  std::string code = "invalid";  // FHIR issue-type: invalid, structure, required, not-found, ...
  std::string diagnostics;       // what is wrong and how to fix it, for the caller
  std::string expression;        // JSON path of the offending element, when there is one
  std::string severity = "error";
};

// A FHIR R4 OperationOutcome for the issues, as compact JSON.
std::string OperationOutcomeJson(const std::vector<Issue>& issues);

}  // namespace cdshooks
