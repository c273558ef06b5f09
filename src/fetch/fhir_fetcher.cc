#include "fetch/fhir_fetcher.h"

#include "base/json.h"
#include "base/log.h"
#include "cdshooks/prefetch_assess.h"
#include "cdshooks/prefetch_template.h"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>

namespace fetch {
namespace {

using Clock = std::chrono::steady_clock;

// What one key's fetch produced.
struct KeyOutcome {
  bool done = false;
  bool ok = false;                   // obtained: complete (kResource) or, with `incomplete`, partly
  bool incomplete = false;           // ok, but more pages could not be followed (kIncomplete)
  cdshooks::PrefetchValue assessed;  // how AssessPrefetch classified `doc`
  std::string reason = fetch_reason::kTimeout;
  std::string why;  // a fragment for the OperationOutcome, without patient data
  std::shared_ptr<rapidjson::Document> doc;
  double seconds = 0;
};

// A key to fetch, with everything its task needs (tasks may outlive the call: at the deadline the
// caller stops waiting for them).
struct Job {
  std::string key;  // a prefetch key, or "Medication" for a reference read
  net::Url url;
  bool search = false;
  std::string resource_type;
  cdshooks::AssessOptions assess;
  // Following a client-sent page: its entries (an independent copy), merged with what follows.
  std::shared_ptr<rapidjson::Document> first_page;
};

// State shared between the caller and the tasks of one request (tasks may outlive the call: at
// the deadline the caller stops waiting for them).
struct Shared {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<KeyOutcome> outcomes;
  std::size_t remaining = 0;
  bool cancelled = false;     // the caller has moved on: results are dropped
  net::Cancellation sockets;  // shuts the GETs in flight at the deadline

  std::shared_ptr<const net::HttpClient> client;
  net::Url fhir_server;
  std::string authorization;  // "Bearer <token>", empty when none; never logged
  std::shared_ptr<const net::UrlAllowlist> allowlist;
  std::size_t max_pages = 5;
  std::size_t max_json_depth = 64;
  Clock::time_point start;
  Clock::time_point deadline;
  int deadline_ms = 0;
};

struct Failure {
  std::string reason;
  std::string why;
};

std::string DeadlineWhy(int deadline_ms) {
  return "no complete answer within the " + std::to_string(deadline_ms) +
         " ms fetch deadline (--fetch-deadline-ms)";
}

// The fetch_reason label and the OperationOutcome fragment of a failed GET (net/http_client.h
// says which code means what).
Failure FailureOf(const base::Status& status, int deadline_ms) {
  using Code = base::Status::Code;
  switch (status.code()) {
    case Code::kDeadlineExceeded:
      return {fetch_reason::kTimeout, DeadlineWhy(deadline_ms)};
    case Code::kResourceExhausted:
      return {fetch_reason::kTooLarge, status.message()};
    case Code::kFailedPrecondition:
      return {fetch_reason::kRedirect, status.message()};
    case Code::kUnauthenticated:
      return {fetch_reason::kTls, status.message() +
                                      "; the certificate must verify against "
                                      "the configured CA bundle (fhir_ca_file) or the system CAs"};
    default:
      return {fetch_reason::kConnect, status.message()};
  }
}

// One GET of one page. Returns the parsed document or a failure.
std::shared_ptr<rapidjson::Document> GetPage(Shared& shared, const net::Url& url,
                                             Failure& failure) {
  net::HttpHeaders headers = {{"Accept", "application/fhir+json"}};
  if (!shared.authorization.empty() && net::SameOrigin(url, shared.fhir_server))
    headers.emplace_back("Authorization", shared.authorization);
  auto response = shared.client->Get(url, headers, shared.deadline, &shared.sockets);
  if (!response.ok()) {
    failure = FailureOf(response.status(), shared.deadline_ms);
    return nullptr;
  }
  const int status = response->status;
  if (status < 200 || status >= 300) {
    std::string what = "the server answered HTTP " + std::to_string(status);
    if (status == 401 || status == 403)
      what += " (not authorised: check fhirAuthorization)";
    else if (status == 404)
      what += " (not found on that server)";
    failure = {fetch_reason::kHttpStatus, what};
    return nullptr;
  }
  auto doc = std::make_shared<rapidjson::Document>();
  if (base::Status e = base::ParseJson(response->body, shared.max_json_depth, *doc); !e.ok()) {
    failure = {fetch_reason::kNotFhir, "the answer is not FHIR JSON (" + e.message() + ")"};
    return nullptr;
  }
  const auto type = doc->IsObject() ? base::StringMember(*doc, "resourceType") : std::nullopt;
  if (!type || type->empty()) {
    failure = {fetch_reason::kNotFhir, "the answer is not FHIR JSON (no resourceType)"};
    return nullptr;
  }
  return doc;
}

// Checks a `next` link before it is followed: a valid URL, the fhirServer's origin, allowlisted.
std::optional<net::Url> FollowableNext(const Shared& shared, const std::string& next,
                                       Failure& failure) {
  auto url = net::ParseUrl(next);
  if (!url.ok()) {
    failure = {fetch_reason::kNextRefused,
               "its searchset next link is not a valid URL (" + url.status().message() + ")"};
    return std::nullopt;
  }
  if (!net::SameOrigin(*url, shared.fhir_server)) {
    failure = {fetch_reason::kNextRefused, "its searchset next link points to another origin (" +
                                               url->Origin() + "), which is refused"};
    return std::nullopt;
  }
  if (!shared.allowlist->Allows(*url)) {
    failure = {fetch_reason::kNextRefused,
               "its searchset next link is not on this service's allowlist"};
    return std::nullopt;
  }
  return std::move(*url);
}

// Fetches one key: a read, or a search with its pages merged, each step classified by
// AssessPrefetch (the same rules as for client-sent prefetch). Pages that cannot be followed
// (limit, refused link, failure after the first page) leave the key incomplete with the entries
// merged so far, never failed.
KeyOutcome FetchKey(Shared& shared, const Job& job) {
  KeyOutcome out;
  Failure failure;
  std::shared_ptr<rapidjson::Document> merged = job.first_page;
  std::size_t pages = merged ? 1 : 0;
  auto incomplete = [&](const Failure& f) {
    out.ok = true;
    out.incomplete = true;
    out.reason = f.reason;
    out.why = f.why;
    out.assessed = cdshooks::AssessPrefetch(*merged, job.assess);
    if (out.assessed.state == cdshooks::PrefetchState::kIncomplete) out.assessed.why = f.why;
    out.doc = merged;
    return out;
  };
  auto fail = [&](std::string reason, std::string why) {
    out.reason = std::move(reason);
    out.why = std::move(why);
    return out;
  };
  std::optional<net::Url> url = job.url;
  if (merged) {  // a client page: follow its `next` under the same rules as our own pages
    url = FollowableNext(shared, cdshooks::NextLink(*merged), failure);
    if (!url) return incomplete(failure);
  }
  for (;;) {
    if (merged && pages >= shared.max_pages)
      return incomplete({fetch_reason::kTooManyPages, "the search has more than " +
                                                          std::to_string(shared.max_pages) +
                                                          " pages (--fetch-max-pages)"});
    auto doc = GetPage(shared, *url, failure);
    if (!doc) return merged ? incomplete(failure) : fail(failure.reason, failure.why);
    ++pages;
    const std::string type(*base::StringMember(*doc, "resourceType"));
    if (!job.search) {
      out.assessed = cdshooks::AssessPrefetch(*doc, job.assess);
      if (out.assessed.state == cdshooks::PrefetchState::kFailed)
        return type == "OperationOutcome"
                   ? fail(fetch_reason::kOutcome, "the server answered with an OperationOutcome")
                   : fail(fetch_reason::kNotFhir, "the answer is unreadable: " + out.assessed.why);
      if (type != job.resource_type)
        return fail(fetch_reason::kNotFhir,
                    "a read of " + job.resource_type + " answered with a " + type);
      out.ok = true;
      out.reason = fetch_reason::kOk;
      out.doc = std::move(doc);
      return out;
    }
    if (type == "OperationOutcome") {
      if (merged) return incomplete({fetch_reason::kOutcome, "a later page failed"});
      return fail(fetch_reason::kOutcome, "the server answered with an OperationOutcome");
    }
    if (type != "Bundle") {
      Failure f{fetch_reason::kNotFhir, "a search answered with a " + type + ", not a Bundle"};
      return merged ? incomplete(f) : fail(f.reason, f.why);
    }
    const base::Json* entries = base::Member(*doc, "entry");
    if (entries != nullptr && !entries->IsArray()) {
      Failure f{fetch_reason::kNotFhir, "the searchset Bundle's entry is not an array"};
      return merged ? incomplete(f) : fail(f.reason, f.why);
    }
    if (!merged) {
      merged = doc;
      if (!merged->HasMember("entry"))
        merged->AddMember("entry", rapidjson::Value(rapidjson::kArrayType), merged->GetAllocator());
    } else {
      auto& target = (*merged)["entry"];
      if (entries != nullptr)
        for (const auto& e : entries->GetArray())
          target.PushBack(rapidjson::Value(e, merged->GetAllocator()), merged->GetAllocator());
      // The paging links of the latest page are the ones that apply.
      merged->RemoveMember("link");
      if (const base::Json* link = base::Member(*doc, "link"))
        merged->AddMember("link", rapidjson::Value(*link, merged->GetAllocator()),
                          merged->GetAllocator());
    }
    const cdshooks::PrefetchValue assessed = cdshooks::AssessPrefetch(*merged, job.assess);
    if (assessed.state == cdshooks::PrefetchState::kFailed)
      return fail(
          base::DuplicateKeyWithin(*merged) ? fetch_reason::kNotFhir : fetch_reason::kOutcome,
          assessed.why);
    if (assessed.state != cdshooks::PrefetchState::kIncomplete) break;  // complete
    url = FollowableNext(shared, assessed.next, failure);
    if (!url) return incomplete(failure);
  }
  merged->RemoveMember("link");  // the pages are merged: the paging links no longer apply
  out.ok = true;
  out.reason = fetch_reason::kOk;
  out.assessed = cdshooks::AssessPrefetch(*merged, job.assess);
  out.doc = std::move(merged);
  return out;
}

}  // namespace

base::StatusOr<std::shared_ptr<FhirFetcher>> FhirFetcher::Create(FetchOptions options) {
  if (options.deadline_ms <= 0 || options.deadline_ms > 60000)
    return base::Status::InvalidArgument("the fetch deadline must be between 1 and 60000 ms");
  if (options.max_pages == 0 || options.max_pages > 1000)
    return base::Status::InvalidArgument("the fetch page limit must be between 1 and 1000");
  if (options.max_concurrent_fetches == 0 || options.max_concurrent_fetches > 1024)
    return base::Status::InvalidArgument(
        "the number of concurrent fetches must be between 1 and 1024");
  auto allowlist = net::UrlAllowlist::Create(options.allowed_fhir_servers);
  if (!allowlist.ok()) return allowlist.status();
  return std::shared_ptr<FhirFetcher>(new FhirFetcher(
      std::move(options), std::make_shared<const net::UrlAllowlist>(std::move(*allowlist))));
}

FhirFetcher::FhirFetcher(FetchOptions options, std::shared_ptr<const net::UrlAllowlist> allowlist)
    : options_(std::move(options)),
      allowlist_(std::move(allowlist)),
      client_(std::make_shared<const net::HttpClient>(
          net::HttpClientOptions{options_.ca_file, /*allow_http=*/true, options_.max_body_bytes})),
      pool_(std::make_unique<base::ThreadPool>(options_.max_concurrent_fetches)) {}

FhirFetcher::~FhirFetcher() = default;  // pool_ joins its workers

service::PrefetchFetcher FhirFetcher::Hook(const std::shared_ptr<const FhirFetcher>& fetcher) {
  return [fetcher](const cdshooks::ServiceDefinition& service, const service::FetchWork& work,
                   cdshooks::Request& request) { return fetcher->Fetch(service, work, request); };
}

service::FetchResult FhirFetcher::Fetch(const cdshooks::ServiceDefinition& service,
                                        const service::FetchWork& work,
                                        cdshooks::Request& request) const {
  const auto start = Clock::now();
  service::FetchResult result;
  result.deadline = work.deadline.value_or(start + std::chrono::milliseconds(options_.deadline_ms));
  auto& issues = result.issues;
  const auto& keys = work.keys;
  auto report = [&](const std::string& key, bool ok, const std::string& reason, double seconds,
                    const std::string& origin) {
    if (options_.on_fetch) options_.on_fetch(key, ok, reason, seconds);
    base::LogEvent(ok ? base::LogLevel::kInfo : base::LogLevel::kWarn, "prefetch-fetch",
                   "key=" + key + " origin=" + origin + " result=" + reason +
                       " ms=" + std::to_string(std::llround(seconds * 1000.0)));
  };
  // A Medication reference that cannot be had: counted and logged, never with its id.
  auto unresolved = [&](const std::string& reason, const std::string& origin) {
    ++result.unresolved_medications;
    base::LogEvent(base::LogLevel::kWarn, "medication-unresolved",
                   "a draft order's Medication reference could not be read (origin=" + origin +
                       " result=" + reason + "); the order is not identified");
  };
  auto diagnostics = [&](const std::string& key, const std::string& origin,
                         const std::string& why) {
    const bool incomplete = request.Prefetch(key).state == cdshooks::PrefetchState::kIncomplete;
    return "key \"" + key + "\" " +
           (incomplete
                ? "is incomplete: its next page could not be fetched" +
                      (origin.empty() ? std::string() : " from " + origin)
                : "could not be fetched" + (origin.empty() ? std::string() : " from " + origin)) +
           ": " + why;
  };
  auto fail = [&](const std::string& key, const std::string& reason, const std::string& why,
                  const std::string& origin) {
    issues.push_back(cdshooks::Issue{"processing", diagnostics(key, "", why), "prefetch." + key});
    report(key, false, reason, std::chrono::duration<double>(Clock::now() - start).count(), origin);
  };
  auto fail_all = [&](const std::string& reason, const std::string& why,
                      const std::string& origin) {
    for (const auto& key : keys) fail(key, reason, why, origin);
    for (std::size_t i = 0; i < work.medications.size(); ++i) unresolved(reason, origin);
    return result;
  };

  if (request.fhir_server.empty())
    return fail_all(fetch_reason::kNoFhirServer, "the request has no fhirServer", "-");
  auto base = net::ParseUrl(request.fhir_server);
  if (!base.ok())
    return fail_all(fetch_reason::kBadFhirServer,
                    "fhirServer is not usable: " + base.status().message(), "-");
  if (!base->query.empty())
    return fail_all(fetch_reason::kBadFhirServer, "fhirServer is not usable: it has a query", "-");
  if (!allowlist_->Allows(*base))
    return fail_all(fetch_reason::kNotAllowed,
                    "fhirServer " + base->Origin() + base->path +
                        " is not on this service's allowlist (setting allowed_fhir_servers)",
                    base->Origin());
  const std::string origin = base->Origin();

  auto shared = std::make_shared<Shared>();
  shared->fhir_server = *base;
  if (request.fhir_authorization && !request.fhir_authorization->access_token.empty())
    shared->authorization = "Bearer " + request.fhir_authorization->access_token;
  shared->client = client_;
  shared->allowlist = allowlist_;
  shared->max_pages = options_.max_pages;
  shared->max_json_depth = options_.max_json_depth;
  shared->start = start;
  shared->deadline_ms = options_.deadline_ms;
  shared->deadline = result.deadline;

  std::string base_path = base->path;
  while (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
  std::vector<Job> jobs;
  for (const auto& key : keys) {
    const auto tmpl = service.prefetch.find(key);
    if (tmpl == service.prefetch.end()) {
      fail(key, fetch_reason::kTemplate, "the service has no prefetch template for it", origin);
      continue;
    }
    Job job;
    job.key = key;
    job.assess.sorted_by_date = cdshooks::SortedByDate(tmpl->second);
    job.assess.cutoff = work.cutoff;
    const cdshooks::PrefetchValue current = request.Prefetch(key);
    if (current.state == cdshooks::PrefetchState::kIncomplete && current.value != nullptr) {
      // Follow the client's `next` link; its page is copied (the worker may outlive the request).
      auto copy = std::make_shared<rapidjson::Document>();
      if (!base::ParseJson(base::ToString(*current.value), options_.max_json_depth, *copy).ok()) {
        fail(key, fetch_reason::kNotFhir, "the client's page could not be copied", origin);
        continue;
      }
      if (!copy->HasMember("entry"))
        copy->AddMember("entry", rapidjson::Value(rapidjson::kArrayType), copy->GetAllocator());
      job.first_page = std::move(copy);
      job.search = true;
      job.resource_type = "Bundle";
      jobs.push_back(std::move(job));
      continue;
    }
    auto expanded = cdshooks::ExpandPrefetchTemplate(tmpl->second, request, work.reference_time);
    if (!expanded.ok()) {
      fail(key, fetch_reason::kTemplate, expanded.status().message(), origin);
      continue;
    }
    auto url = net::ParseUrl(origin + base_path + "/" + expanded->query);
    if (!url.ok()) {
      fail(key, fetch_reason::kTemplate,
           "the filled template is not a valid URL (" + url.status().message() + ")", origin);
      continue;
    }
    job.url = std::move(*url);
    job.search = expanded->search;
    job.resource_type = expanded->resource_type;
    jobs.push_back(std::move(job));
  }
  const std::size_t key_jobs = jobs.size();
  for (const auto& reference : work.medications) {
    const std::string prefix = "Medication/";
    const std::string id = reference.rfind(prefix, 0) == 0 ? reference.substr(prefix.size()) : "";
    std::optional<net::Url> url;
    if (!id.empty() && id.find('/') == std::string::npos) {
      auto parsed =
          net::ParseUrl(origin + base_path + "/Medication/" + cdshooks::PercentEncode(id));
      if (parsed.ok()) url = std::move(*parsed);
    }
    if (!url) {
      unresolved(fetch_reason::kTemplate, origin);
      continue;
    }
    Job job;
    job.key = "Medication";
    job.url = std::move(*url);
    job.resource_type = "Medication";
    jobs.push_back(std::move(job));
  }
  if (jobs.empty()) return result;

  shared->outcomes.resize(jobs.size());
  shared->remaining = jobs.size();
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    pool_->Submit([shared, job = jobs[i], i] {
      {
        std::lock_guard lock(shared->mutex);
        // Started after the deadline (the pool was busy): the caller has given up on it.
        if (shared->cancelled || Clock::now() >= shared->deadline) return;
      }
      KeyOutcome outcome = FetchKey(*shared, job);
      outcome.seconds = std::chrono::duration<double>(Clock::now() - shared->start).count();
      std::lock_guard lock(shared->mutex);
      if (shared->cancelled) return;  // the caller has moved on
      outcome.done = true;
      shared->outcomes[i] = std::move(outcome);
      if (--shared->remaining == 0) shared->cv.notify_all();
    });
  }

  std::vector<KeyOutcome> outcomes;
  bool timed_out = false;
  {
    std::unique_lock lock(shared->mutex);
    shared->cv.wait_until(lock, shared->deadline, [&] { return shared->remaining == 0; });
    timed_out = shared->remaining != 0;
    shared->cancelled = timed_out;
    outcomes = std::move(shared->outcomes);
  }
  if (timed_out) shared->sockets.Cancel();  // shuts the sockets of the GETs still in flight
  const double deadline_seconds = options_.deadline_ms / 1000.0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    auto& o = outcomes[i];
    if (!o.done) {
      o.ok = false;
      o.reason = fetch_reason::kTimeout;
      o.why = "no answer within the " + std::to_string(options_.deadline_ms) +
              " ms fetch deadline (--fetch-deadline-ms)";
      o.seconds = deadline_seconds;
    }
    if (i >= key_jobs) {  // a Medication read
      if (o.ok)
        request.AddFetchedResource(o.doc);
      else
        unresolved(o.reason, origin);
      continue;
    }
    const std::string& key = jobs[i].key;
    if (o.ok) {
      request.SetPrefetch(key, o.doc, o.assessed);
      report(key, !o.incomplete, o.incomplete ? o.reason : std::string(fetch_reason::kOk),
             o.seconds, origin);
      if (o.incomplete)
        issues.push_back(cdshooks::Issue{
            "processing",
            "key \"" + key + "\" is incomplete: more pages could not be fetched from " + origin +
                ": " + o.why,
            "prefetch." + key});
    } else {
      issues.push_back(
          cdshooks::Issue{"processing", diagnostics(key, origin, o.why), "prefetch." + key});
      report(key, false, o.reason, o.seconds, origin);
    }
  }
  return result;
}

}  // namespace fetch
