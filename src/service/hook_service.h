// One CDS Hooks call from body to answer, independent of the transport, in one pass:
//   parse -> Engine::MakePlan -> nothing to do: {"cards": []}
//         -> fetch (optional fetcher): Medication/{id} references first (they decide whether an
//            order is anakinra, so the plan is made again after them; no evaluation happens in
//            between), then the keys to fetch: absent or failed keys by the service's template,
//            incomplete ones by following their `next` link
//         -> Engine::Evaluate ONCE -> precondition_failed: 412 OperationOutcome, one issue per
//            missing key saying why; else 200 with the cards.
// Before planning, client-sent searchsets that AssessPrefetch found incomplete are assessed again
// with the request's cutoff (earliest draft authoredOn, else now, minus the knowledge's longest
// look-back): a date-sorted page that already reaches past it is complete.
// The HTTP server and the CLI both go through it, so they answer the same way. Thread-safe for
// concurrent Calls once configured (set_fetcher before serving).
#pragma once

#include "anakinra/engine.h"
#include "base/status.h"
#include "cdshooks/request.h"
#include "cdshooks/service.h"
#include "service/prefetch_source.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace service {

// One answer: status, body and what the logs and metrics need. A value.
struct HookResult {
  int status = 200;
  std::string body;  // {"cards": [...]} or an OperationOutcome
  std::string service_id;
  std::string hook_instance;
  std::vector<std::string> card_codes;  // source.topic codes, for logs and metrics
  std::vector<std::pair<std::string, std::string>> issued;  // (card uuid, card code)
  std::vector<std::string> indicators;                      // parallel to card_codes
  // Medication/{id} references of draft orders that could neither be resolved nor fetched (for
  // the metric anakinra_unresolved_medication_references_total).
  std::size_t unresolved_medications = 0;
  // Error answers: why, for the log line, as issue codes and the fields they concern (e.g.
  // "required hookInstance; value fhirAuthorization.token_type"): never free text, so never
  // patient data or tokens.
  std::string reason;
  // Call with may_block false: the request needs the fetcher (network), so nothing was answered;
  // call again where blocking is fine.
  bool would_block = false;
};

// Thread safety: Call and Evaluate may run concurrently from many threads once configured;
// set_fetcher is not synchronised and must happen before serving. Ownership: shares the engine
// (and its knowledge), owns its catalog; the fetcher is called on the calling thread. Errors:
// never thrown; every failure is a HookResult whose body is an OperationOutcome (ErrorResult):
// unknown service 404, broken envelope 400, missing prefetch 412.
class HookService {
 public:
  HookService(std::shared_ptr<const anakinra::Engine> engine, cdshooks::ServiceCatalog catalog,
              cdshooks::ParseLimits limits);

  void set_fetcher(PrefetchFetcher fetcher) { fetcher_ = std::move(fetcher); }

  // POST /cds-services/{id}. With `may_block` false a call that needs the fetcher returns at
  // once with would_block set (and nothing else): the HTTP front answers what needs no network
  // on its event loop and hands the rest to a worker.
  HookResult Call(std::string_view service_id, std::string_view body,
                  std::chrono::system_clock::time_point now, bool may_block = true) const;
  // Evaluates an already parsed request (the CLI's path).
  HookResult Evaluate(const cdshooks::ServiceDefinition& service, cdshooks::Request& request,
                      std::chrono::system_clock::time_point now, bool may_block = true) const;

  const cdshooks::ServiceCatalog& catalog() const { return catalog_; }
  // service::KnowledgeVersion of the hooks folder loaded ("" when not loaded from a folder).
  const std::string& knowledge_version() const { return knowledge_version_; }
  void set_knowledge_version(std::string version) { knowledge_version_ = std::move(version); }
  const anakinra::Engine& engine() const { return *engine_; }

 private:
  std::shared_ptr<const anakinra::Engine> engine_;
  cdshooks::ServiceCatalog catalog_;
  cdshooks::ParseLimits limits_;
  PrefetchFetcher fetcher_;
  std::string knowledge_version_;
};

// The HTTP status a Status code becomes (the one place this is decided): invalid argument 400,
// unauthenticated 401, not found 404, resource exhausted 413, failed precondition 412,
// unavailable / deadline exceeded / I/O error 503, internal 500.
int HttpStatusOf(base::Status::Code code);
// The HTTP status of an error answer: HttpStatusOf(code), except an invalid argument whose first
// problem's kind is "not-supported" (a method the route does not allow), which is 405.
int HttpStatusOf(const base::Status& status);
// An error Status as an OperationOutcome answer (the only maker of OperationOutcome bodies): one
// issue per problem, its FHIR issue type the problem's kind, or the code's (invalid, login,
// not-found, too-costly, transient, timeout, exception) when the problem has none, its expression
// the problem's `where`; the status is HttpStatusOf(status). An OK status is a bug and answers 500.
HookResult ErrorResult(const base::Status& status);

}  // namespace service
