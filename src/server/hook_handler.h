// One CDS Hooks call from body to answer, independent of the transport: validate the request,
// obtain missing prefetch (through an optional fetcher), evaluate, and produce the HTTP status and
// body. The HTTP server and the CLI both go through it, so they answer the same way.
#pragma once

#include "anakinra/engine.h"
#include "cdshooks/request.h"
#include "cdshooks/service.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace server {

struct HookResult {
  int status = 200;
  std::string body;  // {"cards": [...]} or an OperationOutcome
  std::string service_id;
  std::string hook_instance;
  std::vector<std::string> card_codes;  // source.topic codes, for logs and metrics
  std::vector<std::pair<std::string, std::string>> issued;  // (card uuid, card code)
  std::vector<std::string> indicators;                      // parallel to card_codes
};

// Fills absent prefetch keys from the FHIR server; returns an issue per key it could not fetch.
using PrefetchFetcher = std::function<std::vector<cdshooks::Issue>(
    const cdshooks::ServiceDefinition&, const std::vector<std::string>& keys,
    cdshooks::Request& request)>;

class HookHandler {
 public:
  HookHandler(std::shared_ptr<const anakinra::Engine> engine, cdshooks::ServiceCatalog catalog,
              cdshooks::ParseLimits limits);

  void set_fetcher(PrefetchFetcher fetcher) { fetcher_ = std::move(fetcher); }

  // POST /cds-services/{id}
  HookResult Call(std::string_view service_id, std::string_view body,
                  std::chrono::system_clock::time_point now) const;
  // Evaluates an already parsed request (the CLI's path).
  HookResult Evaluate(const cdshooks::ServiceDefinition& service, cdshooks::Request& request,
                      std::chrono::system_clock::time_point now) const;

  const cdshooks::ServiceCatalog& catalog() const { return catalog_; }
  const anakinra::Engine& engine() const { return *engine_; }

 private:
  std::shared_ptr<const anakinra::Engine> engine_;
  cdshooks::ServiceCatalog catalog_;
  cdshooks::ParseLimits limits_;
  PrefetchFetcher fetcher_;
};

// An OperationOutcome answer with the given status.
HookResult ErrorResult(const cdshooks::Error& error);

}  // namespace server
