#include "server/hook_handler.h"

#include "cdshooks/uuid.h"

namespace server {

HookResult ErrorResult(const cdshooks::Error& error) {
  HookResult r;
  r.status = error.http_status;
  r.body = cdshooks::OperationOutcomeJson(error.issues);
  return r;
}

HookHandler::HookHandler(std::shared_ptr<const anakinra::Engine> engine,
                         cdshooks::ServiceCatalog catalog, cdshooks::ParseLimits limits)
    : engine_(std::move(engine)), catalog_(std::move(catalog)), limits_(limits) {}

HookResult HookHandler::Call(std::string_view service_id, std::string_view body,
                             std::chrono::system_clock::time_point now) const {
  const cdshooks::ServiceDefinition* service = catalog_.Find(service_id);
  if (service == nullptr) {
    auto r = ErrorResult(
        cdshooks::MakeError(404, "not-found",
                            "Unknown CDS service \"" + std::string(service_id) +
                                "\". GET /cds-services lists the services of this server."));
    return r;
  }
  cdshooks::Request request;
  if (auto error = cdshooks::ParseRequest(body, *service, limits_, request)) {
    auto r = ErrorResult(*error);
    r.service_id = service->id;
    return r;
  }
  return Evaluate(*service, request, now);
}

HookResult HookHandler::Evaluate(const cdshooks::ServiceDefinition& service,
                                 cdshooks::Request& request,
                                 std::chrono::system_clock::time_point now) const {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  // Evaluate reports the prefetch it needs and lacks; fetch that, then evaluate once more.
  anakinra::Evaluation evaluation = engine_->Evaluate(request, seconds);
  std::vector<cdshooks::Issue> fetch_issues;
  if (!evaluation.missing_prefetch.empty() && fetcher_) {
    fetch_issues = fetcher_(service, evaluation.missing_prefetch, request);
    evaluation = engine_->Evaluate(request, seconds);
  }
  const std::vector<std::string>& missing = evaluation.missing_prefetch;
  HookResult result;
  result.service_id = service.id;
  // Logged later: keep it only when it is the UUID the spec asks for, so a client cannot smuggle
  // other text (an identifier, a token) into the log through it.
  if (cdshooks::IsUuid(request.hook_instance)) result.hook_instance = request.hook_instance;
  if (!missing.empty()) {
    cdshooks::Error error{412, {}};
    for (const auto& key : missing) {
      std::string why;
      for (const auto& issue : fetch_issues)
        if (issue.expression == "prefetch." + key) why = issue.diagnostics;
      if (why.empty()) {
        const auto state = request.Prefetch(key).state;
        why = state == cdshooks::PrefetchState::kFailed
                  ? "the client reported an OperationOutcome for it"
                  : "it was not sent";
        why += request.fhir_server.empty() ? " and the request has no fhirServer to fetch it from"
                                           : " and it could not be fetched";
      }
      const auto tmpl = service.prefetch.find(key);
      error.issues.push_back(cdshooks::Issue{
          "processing",
          "Prefetch \"" + key + "\" (" + (tmpl == service.prefetch.end() ? "" : tmpl->second) +
              ") is required: " + why +
              ". Send it in prefetch (null when there is no data), or give a reachable, allowed "
              "fhirServer.",
          "prefetch." + key});
    }
    auto r = ErrorResult(error);
    r.service_id = result.service_id;
    r.hook_instance = result.hook_instance;
    return r;
  }
  if (evaluation.error) {
    auto r = ErrorResult(*evaluation.error);
    r.service_id = result.service_id;
    r.hook_instance = result.hook_instance;
    return r;
  }
  for (const auto& card : evaluation.cards) {
    result.card_codes.push_back(card.source.topic.code);
    result.indicators.push_back(card.indicator);
    result.issued.emplace_back(card.uuid, card.source.topic.code);
  }
  result.body = cdshooks::ResponseJson(evaluation.cards);
  return result;
}

}  // namespace server
