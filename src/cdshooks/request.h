// The CDS Hooks 2.0 request model (order-select and order-sign), parsed and validated.
//
// ParseRequest accepts a request body for one service and either fills a Request or returns an
// invalid-argument Status whose problems name every problem found (each problem's kind is the
// OperationOutcome issue code, its `where` the expression; service::ErrorResult makes the 400).
// Only a broken CDS Hooks envelope is a 400 (policy v2 §0): malformed JSON, a missing or
// wrong-typed hook, hookInstance or required context field, draftOrders that is not a Bundle,
// selections naming orders not in draftOrders, a broken fhirAuthorization. What is inside a
// prefetch value never is: each key's completeness is decided by AssessPrefetch
// (prefetch_assess.h), and a value of the wrong shape (a string, an object without resourceType, a
// prefetch that is not an object) is a missing key (kFailed, with why). The Request owns its JSON
// document; all resource pointers point into it (or into documents added later with SetPrefetch /
// AddFetchedResource). Not thread-safe to mutate; const use is.
#pragma once

#include "base/json.h"
#include "base/status.h"
#include "cdshooks/service.h"

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cdshooks {

// What the request holds for one prefetch key (policy v2 §0). Decided in one place
// (AssessPrefetch) for client-sent and fetched data alike.
enum class PrefetchState {
  kAbsent,      // key not sent: the service must fetch it
  kNull,        // the client has no data for it: complete, and empty
  kResource,    // a resource, or a complete searchset Bundle
  kIncomplete,  // a searchset with more pages (a `next` link) not yet followed: the entries read
                // are usable by rules that fire on presence, never by those that fire on absence
  kFailed,      // an OperationOutcome, or a searchset holding an error/fatal OperationOutcome
                // entry: a failed query, treated as missing
};

struct PrefetchValue {
  PrefetchState state = PrefetchState::kAbsent;
  const base::Json* value = nullptr;  // set for kResource, kIncomplete and kFailed
  std::string next;                   // kIncomplete: the `next` link to follow
  std::string why;                    // kIncomplete / kFailed: why, for issues and cards
};

struct FhirAuthorization {
  std::string access_token;  // never logged
  std::string token_type;
  std::string scope;
  std::string subject;
  std::string patient;
  std::int64_t expires_in = 0;
};

struct Request {
  std::string hook;
  std::string hook_instance;
  std::string fhir_server;  // empty when absent
  std::optional<FhirAuthorization> fhir_authorization;
  std::string user_id;
  std::string patient_id;
  std::string encounter_id;
  std::vector<std::string> selections;       // order-select only
  const base::Json* draft_orders = nullptr;  // Bundle

  PrefetchValue Prefetch(std::string_view key) const;
  // Records data for a key, e.g. fetched from the FHIR server; the request keeps `doc` alive.
  void SetPrefetch(const std::string& key, std::shared_ptr<rapidjson::Document> doc);
  // The same with the completeness already assessed (AssessPrefetch); `assessed.value` must be
  // null or point into `doc`.
  void SetPrefetch(const std::string& key, std::shared_ptr<rapidjson::Document> doc,
                   PrefetchValue assessed);
  // Records a resource fetched to resolve a reference (e.g. Medication/{id} of a draft order);
  // the request keeps `doc` alive and indexes it with the request's own resources.
  void AddFetchedResource(std::shared_ptr<rapidjson::Document> doc);

  std::shared_ptr<rapidjson::Document> document;  // the parsed body
  std::map<std::string, PrefetchValue, std::less<>> prefetch;
  std::vector<std::shared_ptr<rapidjson::Document>> extra_documents;
  std::vector<const base::Json*> fetched_resources;  // see AddFetchedResource
};

struct ParseLimits {
  std::size_t max_depth = 64;
};

// Parses `body` as a request to `service`. OK and `out` filled when valid; else kInvalidArgument
// with one problem per mistake (`out` may then be partly filled and must not be used).
base::Status ParseRequest(std::string_view body, const ServiceDefinition& service,
                          const ParseLimits& limits, Request& out);

// Validates an already parsed document (used by ParseRequest and by the CLI); the same contract.
base::Status ReadRequest(std::shared_ptr<rapidjson::Document> doc, const ServiceDefinition& service,
                         Request& out);

}  // namespace cdshooks
