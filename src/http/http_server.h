// The HTTP(S) service: routes, CORS, limits, errors as OperationOutcome, and a log
// line per request. Plain HTTP or TLS is a matter of configuration (HttpOptions::tls_*).
//
//   GET  /cds-services                  discovery
//   POST /cds-services/{id}             a hook call
//   POST /cds-services/{id}/feedback    card outcomes
//   GET  /healthz                       liveness
//   OPTIONS on every route              CORS preflight
#pragma once

#include "base/status.h"
#include "cdshooks/feedback.h"
#include "service/hook_service.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace http {

namespace wire {
class Server;
struct Request;
struct Response;
}  // namespace wire

// The listener and its limits (made from the settings by config::HttpOptionsFromConfig).
struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  std::size_t max_body_bytes = std::size_t{2} * 1024 * 1024;
  std::size_t max_json_depth = 64;
  std::size_t max_header_bytes = 8192;  // request line + header fields (431 above)
  std::size_t max_headers = 64;         // header fields (431 above)
  int header_timeout_ms = 5000;         // total for a request's head (408 after)
  int read_timeout_seconds = 5;         // total for a whole request (408 after)
  int write_timeout_seconds = 5;        // total for writing an answer
  int keep_alive_timeout_seconds = 5;   // an idle keep-alive connection is closed after
  std::size_t keep_alive_max_requests = 10000;
  std::size_t max_connections = 1024;  // open connections; beyond: a quick 503 and close
  std::size_t io_threads = 0;          // event loops; 0: one per core (at most 8)
  std::size_t threads = 0;             // workers (for what may block); 0: derived from the cores
  std::size_t max_pending_connections = 256;  // complete requests waiting for a worker (503)
  int shutdown_grace_ms = 5000;               // Stop(): requests in progress get this long
  // Open connections from one client address; beyond: a quick 503 and close.
  std::size_t max_connections_per_client = 256;
  std::vector<std::string> allowed_origins = {"*"};  // CORS; "*": any origin
  // CORS: request headers a browser may send (Access-Control-Allow-Headers of the preflight).
  std::vector<std::string> allowed_headers = {"Authorization",   "Content-Type",  "Accept",
                                              "Accept-Language", "Cache-Control", "Prefer",
                                              "X-Requested-With"};
  std::string tls_cert_file;  // both set: HTTPS
  std::string tls_key_file;
};

// Called with every successful hook answer (cards issued) and the valid entries of every feedback
// body.
struct ServerObservers {
  // A hook answer with cards (200), or any answer with unresolved Medication references.
  std::function<void(const service::HookResult&)> on_cards;
  // Stores the valid entries of a feedback body (never called without one); an error Status is
  // answered as its OperationOutcome (service::ErrorResult: unavailable becomes 503).
  std::function<base::Status(const std::string& service_id, const std::vector<cdshooks::Feedback>&)>
      on_feedback;
  // For the feedback log line, after on_feedback stored them: the code of each card uuid as this
  // service issued it, "unknown" when it never did. Unset: every code is "unknown".
  std::function<std::vector<std::string>(const std::vector<std::string>& card_uuids)> card_codes;
  // Called once per request with its route pattern, status and latency.
  std::function<void(const std::string& route, int status, double seconds,
                     const std::string& service)>
      on_request;
  // Authenticates a request before routing (not OPTIONS preflights, not /healthz). Returns an
  // empty string to let it in, else the reason (logged, never sent): the caller gets a bare 401.
  std::function<std::string(const std::string& method, const std::string& path,
                            const std::string& authorization)>
      authenticate;
  // GET /readyz: OK when the service can take traffic (the store answers); an error Status is a
  // 503 naming it. Unset: always ready.
  std::function<base::Status()> ready;
  // Extra GET routes (e.g. /metrics): path → handler producing (content type, body).
  std::vector<std::pair<std::string, std::function<std::pair<std::string, std::string>()>>>
      extra_gets;
};

// Thread safety: Bind, then Run on one thread; Stop may be called from any thread (a signal
// watcher) and makes Run return; connections are read and written by the event loops
// (wire_server.h, io_threads of them). A complete request that needs no disk or network
// (discovery, /healthz, a preflight, a hook call whose data is all there and whose caller needs
// no authentication, a body up to 64 KiB) is answered on its loop (TryInline); the rest (a fetch,
// feedback, authentication, /readyz, /metrics) runs on a bounded worker pool. Both share the
// (thread-safe) HookService and observers. Ownership: shares the hook service; owns the listener.
// Feedback is judged entry by entry: every entry valid → 200 {}; some → the valid ones stored and
// 200 with an OperationOutcome naming each refused entry; none → 400 with it; the store failing
// → 503 (nothing acknowledged that was not committed).
// Errors: Bind returns a Status; every error answer is an OperationOutcome made by
// service::ErrorResult from a base::Status, at most 20 issues and 64 KiB (the HTTP layer's own
// refusals, 400/404/405/408/411/413/415/431/501/503/505, keep their status); a handler's
// exception becomes a 500 and is logged.
class HttpServer {
 public:
  HttpServer(HttpOptions options, std::shared_ptr<service::HookService> handler,
             ServerObservers observers = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket (port 0 picks a free port). kFailedPrecondition when TLS cannot
  // start (unreadable or mismatched PEM files), kUnavailable when the address cannot be bound.
  base::Status Bind();
  int port() const { return port_; }
  // Serves until Stop(); returns false if the server failed.
  bool Run();
  // Stops accepting, lets requests in flight finish (for up to shutdown_grace_ms), closes every
  // connection and makes Run return.
  void Stop();
  bool tls() const;

 private:
  using Clock = std::chrono::steady_clock;
  wire::Response Handle(const wire::Request& req);
  // With may_block false (the event loop): the answer when it needs no disk or network, as the
  // endpoint table in http_server.cc (Blocking) says; nullopt: run it again with may_block true,
  // on a worker.
  std::optional<wire::Response> Route(const wire::Request& req, Clock::time_point start,
                                      bool may_block);
  std::optional<wire::Response> TryInline(const wire::Request& req);
  // (card code, outcome) of each stored feedback entry, for the request's log line.
  using FeedbackLog = std::vector<std::pair<std::string, std::string>>;
  service::HookResult Feedback(const std::string& id, const std::string& body, FeedbackLog& logged);
  wire::Response Refuse(const wire::Request& req, int status, const std::string& message) const;
  wire::Response Answer(const wire::Request& req, service::HookResult r, Clock::time_point start,
                        const std::string& message = "", FeedbackLog logged = {}) const;
  void Cors(const wire::Request& req, wire::Response& res) const;

  std::string allow_headers_;  // config_.allowed_headers, joined for the preflight
  HttpOptions config_;
  std::shared_ptr<service::HookService> handler_;
  ServerObservers observers_;
  std::unique_ptr<wire::Server> wire_;
  int port_ = 0;
};

}  // namespace http
