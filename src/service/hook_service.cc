#include "service/hook_service.h"

#include "base/log.h"
#include "cdshooks/prefetch_assess.h"
#include "cdshooks/uuid.h"

#include <map>

namespace service {
namespace {

using cdshooks::PrefetchState;

// Why a needed key is still missing or incomplete, for its 412 issue: the state the request left
// it in, then what the fetcher said.
std::string KeyWhy(const cdshooks::Request& request, const std::string& key,
                   const std::map<std::string, std::string>& fetch_why, bool can_fetch) {
  const cdshooks::PrefetchValue value = request.Prefetch(key);
  std::string why;
  switch (value.state) {
    case PrefetchState::kIncomplete:
      why = "incomplete: more pages that could not be followed";
      break;
    case PrefetchState::kFailed:
      why = value.why.empty() ? "the client sent a failed query for it" : value.why;
      break;
    default:
      why = "it was not sent";
      break;
  }
  if (auto it = fetch_why.find(key); it != fetch_why.end())
    why += "; " + it->second;
  else if (request.fhir_server.empty())
    why += "; the request has no fhirServer to fetch it from";
  else if (!can_fetch)
    why += "; this service does not fetch from fhirServer here";
  return why;
}

}  // namespace

int HttpStatusOf(base::Status::Code code) {
  using Code = base::Status::Code;
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kNotFound:
      return 404;
    case Code::kFailedPrecondition:
      return 412;
    case Code::kResourceExhausted:
      return 413;
    case Code::kUnavailable:
    case Code::kDeadlineExceeded:
    case Code::kIoError:
      return 503;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

int HttpStatusOf(const base::Status& status) {
  // The one distinction a code does not make: an operation the server does not support at all.
  if (status.code() == base::Status::Code::kInvalidArgument) {
    const auto problems = status.problems();
    if (!problems.empty() && problems.front().kind == "not-supported") return 405;
  }
  return HttpStatusOf(status.code());
}

namespace {

const char* IssueTypeOf(base::Status::Code code) {
  using Code = base::Status::Code;
  switch (code) {
    case Code::kInvalidArgument:
      return "invalid";
    case Code::kUnauthenticated:
      return "login";
    case Code::kNotFound:
    case Code::kFailedPrecondition:
      return "not-found";
    case Code::kResourceExhausted:
      return "too-costly";
    case Code::kUnavailable:
      return "transient";
    case Code::kDeadlineExceeded:
      return "timeout";
    case Code::kOk:
    case Code::kIoError:
    case Code::kInternal:
      return "exception";
  }
  return "exception";
}

}  // namespace

HookResult ErrorResult(const base::Status& status) {
  const base::Status s =
      status.ok() ? base::Status::Internal("An answer was made from a success.") : status;
  std::vector<cdshooks::Issue> issues;
  for (auto& p : s.problems()) {
    issues.push_back(cdshooks::Issue{p.kind.empty() ? IssueTypeOf(s.code()) : std::move(p.kind),
                                     std::move(p.message), std::move(p.where)});
    // The FHIR issue type "informational" (e.g. how many feedback entries were stored) is the one
    // issue that is not an error.
    if (issues.back().code == "informational") issues.back().severity = "information";
  }
  HookResult r;
  r.status = HttpStatusOf(s);
  constexpr std::size_t kReasons = 3;
  for (std::size_t i = 0; i < issues.size() && i < kReasons; ++i) {
    if (!r.reason.empty()) r.reason += "; ";
    r.reason += issues[i].code;
    if (!issues[i].expression.empty()) r.reason += " " + issues[i].expression;
  }
  if (issues.size() > kReasons) r.reason += "; +" + std::to_string(issues.size() - kReasons);
  r.body = cdshooks::OperationOutcomeJson(issues);
  return r;
}

HookService::HookService(std::shared_ptr<const anakinra::Engine> engine,
                         cdshooks::ServiceCatalog catalog, cdshooks::ParseLimits limits)
    : engine_(std::move(engine)), catalog_(std::move(catalog)), limits_(limits) {}

HookResult HookService::Call(std::string_view service_id, std::string_view body,
                             std::chrono::system_clock::time_point now, bool may_block) const {
  const cdshooks::ServiceDefinition* service = catalog_.Find(service_id);
  if (service == nullptr) {
    return ErrorResult(
        base::Status::NotFound("Unknown CDS service \"" + std::string(service_id) +
                               "\". GET /cds-services lists the services of this server."));
  }
  cdshooks::Request request;
  if (base::Status error = cdshooks::ParseRequest(body, *service, limits_, request); !error.ok()) {
    auto r = ErrorResult(error);
    r.service_id = service->id;
    return r;
  }
  return Evaluate(*service, request, now, may_block);
}

HookResult HookService::Evaluate(const cdshooks::ServiceDefinition& service,
                                 cdshooks::Request& request,
                                 std::chrono::system_clock::time_point now, bool may_block) const {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  HookResult result;
  result.service_id = service.id;
  // Logged later: keep it only when it is the UUID the spec asks for, so a client cannot smuggle
  // other text (an identifier, a token) into the log through it.
  if (cdshooks::IsUuid(request.hook_instance)) result.hook_instance = request.hook_instance;

  // A client-sent page with a `next` link may already reach past every look-back (date-sorted):
  // assessed again, in the same place, now that the cutoff is known.
  const auto cutoff =
      cdshooks::PrefetchCutoff(request, seconds, engine_->knowledge().dosing.longest_lookback_days);
  for (auto& [key, value] : request.prefetch) {
    if (value.state != PrefetchState::kIncomplete || value.value == nullptr) continue;
    const auto tmpl = service.prefetch.find(key);
    cdshooks::AssessOptions options;
    options.sorted_by_date = tmpl != service.prefetch.end() && cdshooks::SortedByDate(tmpl->second);
    options.cutoff = cutoff;
    value = cdshooks::AssessPrefetch(*value.value, options);
  }

  anakinra::Plan plan = engine_->MakePlan(request);
  auto empty = [&] {
    result.body = cdshooks::ResponseJson({});
    return result;
  };
  if (plan.nothing_to_do) return empty();

  std::map<std::string, std::string> fetch_why;  // key -> what the fetcher said
  if (fetcher_ && !may_block &&
      (!plan.medications_to_fetch.empty() || !plan.keys_to_fetch.empty())) {
    HookResult later;
    later.would_block = true;
    return later;
  }
  if (fetcher_) {
    FetchWork work;
    work.cutoff = cutoff;
    work.reference_time = cdshooks::ReferenceTime(request, seconds);
    if (!plan.medications_to_fetch.empty()) {
      // First: whether an order is anakinra decides which keys are needed.
      work.medications = plan.medications_to_fetch;
      FetchResult fetched = fetcher_(service, work, request);
      result.unresolved_medications += fetched.unresolved_medications;
      work.medications.clear();
      work.deadline = fetched.deadline;
      plan = engine_->MakePlan(request);
      if (plan.nothing_to_do) return empty();
    }
    if (!plan.keys_to_fetch.empty()) {
      work.keys = plan.keys_to_fetch;
      for (auto& issue : fetcher_(service, work, request).issues) {
        const std::string prefix = "prefetch.";
        if (issue.expression.rfind(prefix, 0) == 0)
          fetch_why[issue.expression.substr(prefix.size())] = std::move(issue.diagnostics);
      }
    }
  } else if (!plan.medications_to_fetch.empty()) {
    result.unresolved_medications += plan.medications_to_fetch.size();
    base::LogEvent(
        base::LogLevel::kWarn, "medication-unresolved",
        std::to_string(plan.medications_to_fetch.size()) +
            " Medication reference(s) of draft orders cannot be resolved (no FHIR fetching "
            "configured); those orders are not identified");
  }

  const anakinra::Evaluation evaluation = engine_->Evaluate(request, seconds);  // once
  if (evaluation.precondition_failed) {
    std::vector<base::Status::Problem> missing;
    for (const auto& key : evaluation.missing_keys) {
      const auto tmpl = service.prefetch.find(key);
      missing.push_back(base::Status::Problem{
          "processing",
          "Prefetch \"" + key + "\" (" +
              (tmpl == service.prefetch.end() ? std::string() : tmpl->second) +
              ") is required: " + KeyWhy(request, key, fetch_why, static_cast<bool>(fetcher_)) +
              ". Send it in prefetch (null when there is no data, every page of a search), or "
              "give a reachable, allowed fhirServer.",
          "prefetch." + key});
    }
    auto r = ErrorResult(
        base::Status::FromProblems(base::Status::Code::kFailedPrecondition, std::move(missing)));
    r.service_id = result.service_id;
    r.hook_instance = result.hook_instance;
    r.unresolved_medications = result.unresolved_medications;
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

}  // namespace service
