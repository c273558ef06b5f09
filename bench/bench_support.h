// Shared inputs of the micro-benchmarks and of scripts/bench-http: the real knowledge and hook
// handler loaded from the source tree, and CDS Hooks request bodies built from fhir-samples.
#pragma once

#include "service/hook_service.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace bench {

// One request the benchmarks send.
struct Case {
  std::string name;    // e.g. "ra-clean-sign"
  std::string sample;  // fhir-samples/<sample>.json
  std::string hook;    // order-sign | order-select
  bool prefetch;       // false: the prefetch member is dropped (an unrelated order alone)
  std::string what;    // one line for people
};

// The cases of the micro-benchmarks and of the HTTP load test.
const std::vector<Case>& Cases();
const Case& FindCase(const std::string& name);  // throws when unknown

// The hooks/ knowledge and services of the source tree, loaded once (the tests' loader).
std::shared_ptr<service::HookService> Handler();

// The request body of a case (compact JSON), as an EHR would POST it.
std::string RequestBody(const Case& c);

// A fixed reference time (2026-11-27), so that every run sees the same findings.
std::chrono::system_clock::time_point FixedNow();

}  // namespace bench
