// Protocol errors: an HTTP status and the OperationOutcome issues that tell the caller what to fix.
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

struct Error {
  int http_status = 400;
  std::vector<Issue> issues;
};

inline Error MakeError(int status, std::string code, std::string diagnostics,
                       std::string expression = {}) {
  return Error{status, {Issue{std::move(code), std::move(diagnostics), std::move(expression)}}};
}

// A FHIR R4 OperationOutcome for the issues, as compact JSON.
std::string OperationOutcomeJson(const std::vector<Issue>& issues);

}  // namespace cdshooks
