#include "http/http_server.h"

#include "base/log.h"
#include "http/wire_server.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <thread>

namespace http {
namespace {

constexpr const char* kJson = "application/json";
constexpr const char* kFhirJson = "application/fhir+json";
// An OperationOutcome lists at most this many issues, and an error body is at most this big
// (a larger one, whatever made it, is replaced by one issue saying so).
constexpr std::size_t kMaxIssues = 20;
constexpr std::size_t kMaxErrorBody = std::size_t{64} * 1024;
// Bodies up to this size may be answered on the event loop (bounded CPU: about 0.1 ms).
constexpr std::size_t kMaxInlineBody = std::size_t{64} * 1024;

using Clock = std::chrono::steady_clock;
using wire::Request;
using wire::Response;

std::string RoutePattern(const std::string& p) {
  if (p == "/cds-services" || p == "/healthz" || p == "/readyz" || p == "/metrics") return p;
  if (p.rfind("/cds-services/", 0) == 0)
    return p.size() > 9 && p.compare(p.size() - 9, 9, "/feedback") == 0
               ? "/cds-services/{id}/feedback"
               : "/cds-services/{id}";
  return "(unmatched)";
}

// An error the HTTP layer answers by itself, as a Status whose problem's kind is the issue code
// of the answer (service::ErrorResult makes the body; the HTTP status stays the one given).
base::Status StatusOfHttpError(int status, std::string message) {
  using Code = base::Status::Code;
  auto one = [&](Code code, const char* kind) {
    return base::Status::FromProblems(code, {base::Status::Problem{kind, std::move(message), {}}});
  };
  switch (status) {
    case 404:
      return one(Code::kNotFound, "not-found");
    case 405:
    case 411:
    case 415:
    case 417:
    case 501:
    case 505:
      return one(Code::kInvalidArgument, "not-supported");
    case 408:
    case 413:
    case 431:
      return one(Code::kResourceExhausted, "too-costly");
    case 400:
      return one(Code::kInvalidArgument, "invalid");
    case 503:
      return one(Code::kUnavailable, "transient");
    default:
      return status >= 500 ? one(Code::kInternal, "exception")
                           : one(Code::kInvalidArgument, "processing");
  }
}

// For log lines: printable ASCII only, at most 256 characters.
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 256)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

// The methods a route answers (the Allow header of its 405).
const char* AllowedMethods(const std::string& route) {
  if (route == "/cds-services/{id}" || route == "/cds-services/{id}/feedback")
    return "POST, OPTIONS";
  return "GET, HEAD, OPTIONS";
}

// At most kMaxIssues problems; the rest, and `unlisted` more found but not kept by the caller,
// counted in one more.
base::Status Capped(const base::Status& status, std::size_t unlisted = 0) {
  std::vector<base::Status::Problem> problems = status.problems();
  if (problems.size() <= kMaxIssues && unlisted == 0) return status;
  const std::size_t more = problems.size() - std::min(problems.size(), kMaxIssues) + unlisted;
  problems.resize(std::min(problems.size(), kMaxIssues));
  problems.push_back(base::Status::Problem{
      "too-costly", std::to_string(more) + " more problems are not listed.", {}});
  return base::Status::FromProblems(status.code(), std::move(problems));
}

service::HookResult Error(const base::Status& status, std::size_t unlisted = 0) {
  return service::ErrorResult(Capped(status, unlisted));
}

// Stored feedback entries named in a request's log line (a body may hold thousands).
constexpr std::size_t kMaxLoggedFeedback = 64;

service::HookResult NotAllowed(const Request& req) {
  return Error(base::Status::FromProblems(
      base::Status::Code::kInvalidArgument,
      {base::Status::Problem{
          "not-supported",
          "Method " + req.method + " is not allowed on " + RoutePattern(req.path) + ".",
          {}}}));
}

// /cds-services/{id} or /cds-services/{id}/feedback: the id (one non-empty segment), else "".
std::string ServiceId(const std::string& path, bool* feedback) {
  constexpr std::string_view kPrefix = "/cds-services/";
  if (path.rfind(kPrefix, 0) != 0) return "";
  std::string_view rest = std::string_view(path).substr(kPrefix.size());
  *feedback = false;
  if (rest.size() > 9 && rest.substr(rest.size() - 9) == "/feedback") {
    rest.remove_suffix(9);
    *feedback = true;
  }
  if (rest.empty() || rest.find('/') != std::string_view::npos) return "";
  return std::string(rest);
}

// What Route answers a request with.
enum class Endpoint {
  kPreflight,   // OPTIONS, any path
  kDiscovery,   // GET /cds-services
  kHealth,      // GET /healthz
  kReady,       // GET /readyz
  kExtraGet,    // GET of one of ServerObservers::extra_gets (e.g. /metrics)
  kFeedback,    // POST /cds-services/{id}/feedback
  kHook,        // POST /cds-services/{id}
  kNotAllowed,  // 405
  kNotFound,    // 404
};

// Whether answering an endpoint may wait on disk or network. The one table both paths read: the
// event loop (HttpServer::TryInline) answers what never blocks and gives the rest to a worker
// (HttpServer::Handle), which answers everything. Authentication (any endpoint but a preflight,
// /healthz and /readyz) always blocks too: keys may be fetched, the replay set is a store.
enum class Blocking {
  kNever,
  kAlways,
  kIfFetching,  // tried on the loop; the hook service says would_block when it has to fetch
};

Blocking BlockingOf(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kReady:     // asks the store
    case Endpoint::kExtraGet:  // a producer given by the caller (e.g. /metrics): not known
    case Endpoint::kFeedback:  // committed to disk before its answer
      return Blocking::kAlways;
    case Endpoint::kHook:
      return Blocking::kIfFetching;
    case Endpoint::kPreflight:
    case Endpoint::kDiscovery:
    case Endpoint::kHealth:
    case Endpoint::kNotAllowed:
    case Endpoint::kNotFound:
      return Blocking::kNever;
  }
  return Blocking::kAlways;
}

using ExtraGets = decltype(ServerObservers::extra_gets);

struct Routed {
  Endpoint endpoint = Endpoint::kNotFound;
  bool open = false;                             // answered without authentication
  std::string id;                                // kFeedback, kHook: the service id
  const ExtraGets::value_type* extra = nullptr;  // kExtraGet: its producer
};

// The endpoint of a request (its path already without a trailing slash). Decides nothing else:
// no handler runs.
Routed RouteOf(const Request& req, const ExtraGets& extra_gets) {
  Routed routed;
  const std::string& path = req.path;
  routed.open = req.method == "OPTIONS" || path == "/healthz" || path == "/readyz";
  bool feedback = false;
  routed.id = ServiceId(path, &feedback);
  auto is = [&](Endpoint endpoint) {
    routed.endpoint = endpoint;
    return routed;
  };
  if (req.method == "OPTIONS") return is(Endpoint::kPreflight);
  if (req.method == "GET" || req.method == "HEAD") {  // HEAD: the GET answer without its body
    if (path == "/cds-services") return is(Endpoint::kDiscovery);
    if (path == "/healthz") return is(Endpoint::kHealth);
    if (path == "/readyz") return is(Endpoint::kReady);
    for (const auto& extra : extra_gets) {
      if (path != extra.first) continue;
      routed.extra = &extra;
      return is(Endpoint::kExtraGet);
    }
    return is(routed.id.empty() ? Endpoint::kNotFound : Endpoint::kNotAllowed);
  }
  if (req.method == "POST") {
    if (!routed.id.empty()) return is(feedback ? Endpoint::kFeedback : Endpoint::kHook);
    if (path == "/cds-services" || path == "/healthz" || path == "/readyz")
      return is(Endpoint::kNotAllowed);
    return is(Endpoint::kNotFound);
  }
  return is(Endpoint::kNotAllowed);
}

}  // namespace

HttpServer::HttpServer(HttpOptions config, std::shared_ptr<service::HookService> handler,
                       ServerObservers observers)
    : config_(std::move(config)), handler_(std::move(handler)), observers_(std::move(observers)) {
  for (const auto& h : config_.allowed_headers) {
    if (!allow_headers_.empty()) allow_headers_ += ", ";
    allow_headers_ += h;
  }
  wire::ServerOptions o;
  o.host = config_.host;
  o.port = config_.port;
  o.limits.max_body_bytes = config_.max_body_bytes;
  o.limits.max_header_bytes = config_.max_header_bytes;
  o.limits.max_headers = config_.max_headers;
  o.header_timeout_ms = config_.header_timeout_ms;
  o.read_timeout_ms = config_.read_timeout_seconds * 1000;
  o.write_timeout_ms = config_.write_timeout_seconds * 1000;
  o.idle_timeout_ms = config_.keep_alive_timeout_seconds * 1000;
  o.max_requests = config_.keep_alive_max_requests;
  o.max_connections = config_.max_connections;
  o.max_connections_per_client = config_.max_connections_per_client;
  // Counted with the requests, as route "(connection)" and status 503.
  o.on_connection_refused = [this](const char*) {
    if (observers_.on_request) observers_.on_request("(connection)", 503, 0, "");
  };
  o.threads = config_.threads != 0 ? config_.threads
                                   : std::max(4u, std::thread::hardware_concurrency() * 4);
  o.max_queued = std::max<std::size_t>(1, config_.max_pending_connections);
  o.shutdown_grace_ms = config_.shutdown_grace_ms;
  o.tls_cert_file = config_.tls_cert_file;
  o.tls_key_file = config_.tls_key_file;
  o.io_threads = config_.io_threads != 0
                     ? config_.io_threads
                     : std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  wire_ = std::make_unique<wire::Server>(
      std::move(o), [this](const Request& req) { return Handle(req); },
      [this](const Request& req, int status, const std::string& message) {
        return Refuse(req, status, message);
      },
      [this](const Request& req) { return TryInline(req); });
}

HttpServer::~HttpServer() { Stop(); }

bool HttpServer::tls() const { return wire_->tls(); }

base::Status HttpServer::Bind() {
  base::Status bound = wire_->Bind();
  port_ = bound.ok() ? wire_->port() : -1;
  return bound;
}

bool HttpServer::Run() { return wire_->Run(); }

void HttpServer::Stop() {
  if (wire_) wire_->Stop();
}

void HttpServer::Cors(const Request& req, Response& res) const {
  const auto& origins = config_.allowed_origins;
  const bool any = std::find(origins.begin(), origins.end(), "*") != origins.end();
  const std::string origin(req.Header("origin"));
  if (any) {
    res.headers.emplace_back("Access-Control-Allow-Origin", "*");
  } else if (!origin.empty() &&
             std::find(origins.begin(), origins.end(), origin) != origins.end()) {
    res.headers.emplace_back("Access-Control-Allow-Origin", origin);
    res.headers.emplace_back("Vary", "Origin");
  }
  res.headers.emplace_back("Access-Control-Expose-Headers", "Content-Type");
  // Access-Control-Allow-Credentials is never sent: clients authenticate with a bearer JWT in
  // the Authorization header, not cookies, and credentials with "*" are invalid (Fetch).
}

Response HttpServer::Answer(const Request& req, service::HookResult r, Clock::time_point start,
                            const std::string& message, FeedbackLog logged) const {
  if (r.status >= 400 && r.body.size() > kMaxErrorBody) {
    const int status = r.status;
    r.body = service::ErrorResult(
                 base::Status::FromProblems(
                     base::Status::Code::kInvalidArgument,
                     {base::Status::Problem{
                         "too-costly", "The request has too many problems to list.", {}}}))
                 .body;
    r.status = status;
  }
  Response res;
  res.status = r.status;
  res.headers.emplace_back("Content-Type", r.status >= 400 ? kFhirJson : kJson);
  // Discovery changes only with a deployment; every other answer may carry patient data.
  res.headers.emplace_back(
      "Cache-Control",
      r.status == 200 && RoutePattern(req.path) == "/cds-services" ? "max-age=300" : "no-store");
  res.body = std::move(r.body);
  Cors(req, res);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const std::string route = RoutePattern(req.path);
  if (base::RequestLogged(r.status))
    base::LogRequest({req.method, route, r.status, seconds * 1000, r.service_id, r.hook_instance,
                      r.card_codes, message.empty() ? Printable(r.reason) : message,
                      std::move(logged)});
  if (observers_.on_request) observers_.on_request(route, r.status, seconds, r.service_id);
  return res;
}

Response HttpServer::Refuse(const Request& req, int status, const std::string& message) const {
  service::HookResult r = Error(StatusOfHttpError(status, message));
  r.status = status;
  Response res = Answer(req, std::move(r), Clock::now(), message);
  if (status == 503) res.headers.emplace_back("Retry-After", "1");
  return res;
}

Response HttpServer::Handle(const Request& req) {
  const auto start = Clock::now();
  try {
    return *Route(req, start, true);
  } catch (const std::exception& e) {
    service::HookResult r = service::ErrorResult(base::Status::Internal(
        "Internal error; the request was not processed. See the server log."));
    return Answer(req, std::move(r), start, std::string("exception: ") + e.what());
  } catch (...) {
    service::HookResult r = service::ErrorResult(base::Status::Internal(
        "Internal error; the request was not processed. See the server log."));
    return Answer(req, std::move(r), start, "exception: unknown");
  }
}

std::optional<Response> HttpServer::TryInline(const Request& req) {
  // A large body is parsed on a worker: the event loop stays quick for the other connections.
  if (req.body.size() > kMaxInlineBody) return std::nullopt;
  const auto start = Clock::now();
  try {
    return Route(req, start, false);
  } catch (...) {
    return std::nullopt;  // the worker runs it again and answers (and logs) the error
  }
}

std::optional<Response> HttpServer::Route(const Request& req_in, Clock::time_point start,
                                          bool may_block) {
  // "/cds-services/" is "/cds-services" (one trailing slash, as clients and the sandbox send it).
  Request trimmed;
  const bool trailing = req_in.path.size() > 1 && req_in.path.back() == '/';
  if (trailing) {
    trimmed = req_in;
    trimmed.path.pop_back();
  }
  const Request& req = trailing ? trimmed : req_in;
  const std::string& path = req.path;
  const Routed routed = RouteOf(req, observers_.extra_gets);
  const bool authenticate = observers_.authenticate && !routed.open;
  // The one place the event loop gives a request up to a worker (see Blocking).
  if (!may_block && (authenticate || BlockingOf(routed.endpoint) == Blocking::kAlways))
    return std::nullopt;
  if (authenticate) {  // never a preflight (open)
    const std::string reason =
        observers_.authenticate(req.method, path, std::string(req.Header("authorization")));
    if (!reason.empty()) {
      Response res = Answer(
          req, service::ErrorResult(base::Status::Unauthenticated("Authentication required.")),
          start, "unauthorized: " + reason);
      res.headers.emplace_back("WWW-Authenticate", "Bearer");
      return res;
    }
  }
  switch (routed.endpoint) {
    case Endpoint::kPreflight: {
      Response res;
      res.status = 204;
      Cors(req, res);
      res.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      res.headers.emplace_back("Access-Control-Allow-Headers", allow_headers_);
      res.headers.emplace_back("Access-Control-Max-Age", "600");
      return res;
    }
    case Endpoint::kDiscovery: {
      service::HookResult r;
      r.body = handler_->catalog().discovery_json();
      return Answer(req, std::move(r), start);
    }
    case Endpoint::kHealth: {
      service::HookResult r;
      r.body = R"({"status":"ok"})";
      return Answer(req, std::move(r), start);
    }
    case Endpoint::kReady: {  // readiness: the store too (a load balancer's or Kubernetes' probe)
      const base::Status ready = observers_.ready ? observers_.ready() : base::Status::Ok();
      if (!ready.ok()) {
        service::HookResult r = Error(base::Status::Unavailable("Not ready: " + ready.message()));
        return Answer(req, std::move(r), start, "not ready: " + ready.message());
      }
      service::HookResult r;
      r.body = R"({"status":"ready"})";
      return Answer(req, std::move(r), start);
    }
    case Endpoint::kExtraGet: {
      auto [type, body] = routed.extra->second();
      Response res;
      res.headers.emplace_back("Content-Type", type);
      res.body = std::move(body);
      Cors(req, res);
      return res;
    }
    case Endpoint::kFeedback: {
      FeedbackLog logged;
      service::HookResult r = Feedback(routed.id, req.body, logged);
      return Answer(req, std::move(r), start, "", std::move(logged));
    }
    case Endpoint::kHook: {
      service::HookResult r =
          handler_->Call(routed.id, req.body, std::chrono::system_clock::now(), may_block);
      if (r.would_block) return std::nullopt;
      if ((r.status == 200 || r.unresolved_medications > 0) && observers_.on_cards)
        observers_.on_cards(r);
      return Answer(req, std::move(r), start);
    }
    case Endpoint::kNotAllowed: {
      Response res = Answer(req, NotAllowed(req), start);
      res.headers.emplace_back("Allow", AllowedMethods(RoutePattern(path)));
      return res;
    }
    case Endpoint::kNotFound:
      break;
  }
  const std::string message = "No such endpoint: " + req.method + " " + RoutePattern(path) +
                              ". Endpoints: GET /cds-services, POST /cds-services/{id}, POST "
                              "/cds-services/{id}/feedback, GET /healthz.";
  service::HookResult r = Error(StatusOfHttpError(404, message));
  r.status = 404;
  return Answer(req, std::move(r), start, message);
}

service::HookResult HttpServer::Feedback(const std::string& id, const std::string& body,
                                         FeedbackLog& logged) {
  const auto* service = handler_->catalog().Find(id);
  if (service == nullptr)
    return Error(base::Status::NotFound("Unknown CDS service \"" + id + "\"."));
  auto batch = cdshooks::ParseFeedback(body, config_.max_json_depth);
  if (!batch.ok()) {  // not {"feedback":[...]}: nothing to judge
    auto r = Error(batch.status());
    r.service_id = service->id;
    return r;
  }
  const std::vector<cdshooks::Feedback>& valid = batch->valid;
  if (!valid.empty() && observers_.on_feedback) {
    if (base::Status stored = observers_.on_feedback(service->id, valid); !stored.ok()) {
      auto r = Error(stored);
      r.service_id = service->id;
      return r;
    }
  }
  // The log line names each stored entry by its card's code (looked up only when it is written).
  const std::size_t n_logged = std::min(valid.size(), kMaxLoggedFeedback);
  if (n_logged > 0 && base::RequestLogged(200)) {
    std::vector<std::string> uuids;
    uuids.reserve(n_logged);
    for (std::size_t i = 0; i < n_logged; ++i) uuids.push_back(valid[i].card);
    std::vector<std::string> codes =
        observers_.card_codes ? observers_.card_codes(uuids) : std::vector<std::string>{};
    codes.resize(n_logged, "unknown");
    for (std::size_t i = 0; i < n_logged; ++i)
      logged.emplace_back(std::move(codes[i]), valid[i].outcome);
  }
  if (batch->refused() == 0) {
    service::HookResult r;
    r.service_id = service->id;
    r.body = "{}";
    if (valid.size() > n_logged)
      r.reason = "stored " + std::to_string(valid.size()) + " entries; the first " +
                 std::to_string(n_logged) + " logged";
    return r;
  }
  // Some or all refused: one information issue saying how many were stored, then the problems of
  // each refused entry (capped like every OperationOutcome). 200 when some were stored (an EHR
  // that retries a non-2xx would store them twice), 400 when none was.
  std::vector<base::Status::Problem> issues;
  issues.reserve(batch->problems.size() + 1);
  issues.push_back(base::Status::Problem{
      "informational",
      "Stored " + std::to_string(valid.size()) + " of " + std::to_string(batch->total) +
          " entries; each entry refused is named below (fix and resend only those).",
      "feedback"});
  for (auto& p : batch->problems) issues.push_back(std::move(p));
  auto r =
      Error(base::Status::FromProblems(base::Status::Code::kInvalidArgument, std::move(issues)),
            batch->unlisted);
  if (!valid.empty()) r.status = 200;
  r.service_id = service->id;
  return r;
}

}  // namespace http
