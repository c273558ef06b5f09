#include "http/http_server.h"

#include "base/log.h"

#include <httplib.h>

#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace http {
namespace {

constexpr const char* kJson = "application/json";
constexpr const char* kFhirJson = "application/fhir+json";

using Clock = std::chrono::steady_clock;

std::string RoutePattern(const httplib::Request& req) {
  const std::string& p = req.path;
  if (p == "/cds-services" || p == "/healthz" || p == "/metrics") return p;
  if (p.rfind("/cds-services/", 0) == 0)
    return p.size() > 9 && p.compare(p.size() - 9, 9, "/feedback") == 0
               ? "/cds-services/{id}/feedback"
               : "/cds-services/{id}";
  return "(unmatched)";
}

// An error httplib answered by itself, as a Status whose problem's kind is the issue code of
// the answer (service::ErrorResult makes the body; the HTTP status stays httplib's).
base::Status StatusOfHttpError(int status, std::string message) {
  using Code = base::Status::Code;
  auto one = [&](Code code, const char* kind) {
    return base::Status::FromProblems(code, {base::Status::Problem{kind, std::move(message), {}}});
  };
  switch (status) {
    case 404:
      return one(Code::kNotFound, "not-found");
    case 405:
      return one(Code::kInvalidArgument, "not-supported");
    case 413:
      return one(Code::kResourceExhausted, "too-costly");
    case 400:
      return one(Code::kInvalidArgument, "invalid");
    default:
      return status >= 500 ? one(Code::kInternal, "exception")
                           : one(Code::kInvalidArgument, "processing");
  }
}

std::string StatusMessage(int status, const httplib::Request& req) {
  switch (status) {
    case 404:
      return "No such endpoint: " + req.method + " " + RoutePattern(req) +
             ". Endpoints: GET /cds-services, POST /cds-services/{id}, POST "
             "/cds-services/{id}/feedback, GET /healthz.";
    case 405:
      return "Method " + req.method + " is not allowed here.";
    case 413:
      return "The request body is larger than this server accepts.";
    case 400:
      return "The HTTP request is malformed.";
    case 414:
      return "The request URI is too long.";
    case 431:
      return "The request headers are too large.";
    default:
      return status >= 500 ? "Internal error; the request was not processed. See the server log."
                           : "The request could not be processed.";
  }
}

// TLS 1.2 minimum (1.3 preferred by negotiation); for 1.2 only ECDHE key exchange with AEAD
// ciphers; no renegotiation, no compression. TLS 1.3 suites are OpenSSL's (all AEAD).
void HardenTls(SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(ctx,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
}

// httplib's ThreadPool with a bound on accepted connections waiting for a worker. When the
// queue is full, the accepting thread waits (new connections stay in the kernel's listen
// backlog) instead of queueing sockets without limit. In flight: threads + max_pending.
class BoundedThreadPool : public httplib::TaskQueue {
 public:
  BoundedThreadPool(std::size_t threads, std::size_t max_pending) : max_pending_(max_pending) {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~BoundedThreadPool() override = default;

  void enqueue(std::function<void()> fn) override {
    std::unique_lock<std::mutex> lock(mutex_);
    space_.wait(lock, [this] { return jobs_.size() < max_pending_ || shutdown_; });
    jobs_.push_back(std::move(fn));
    lock.unlock();
    work_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      shutdown_ = true;
    }
    work_.notify_all();
    space_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        work_.wait(lock, [this] { return !jobs_.empty() || shutdown_; });
        if (jobs_.empty()) return;  // shutdown with nothing left
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      space_.notify_one();
      fn();
    }
  }

  const std::size_t max_pending_;
  std::vector<std::thread> threads_;
  std::deque<std::function<void()>> jobs_;
  bool shutdown_ = false;
  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable space_;
};

}  // namespace

HttpServer::HttpServer(HttpOptions config, std::shared_ptr<service::HookService> handler,
                       ServerObservers observers)
    : config_(std::move(config)), handler_(std::move(handler)), observers_(std::move(observers)) {
  if (!config_.tls_cert_file.empty() && !config_.tls_key_file.empty()) {
    auto tls = std::make_unique<httplib::SSLServer>(config_.tls_cert_file.c_str(),
                                                    config_.tls_key_file.c_str());
    if (tls->is_valid()) HardenTls(tls->ssl_context());
    http_ = std::move(tls);
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  std::size_t threads = config_.threads;
  if (threads == 0) threads = std::max(4u, std::thread::hardware_concurrency() * 4);
  const std::size_t pending = std::max<std::size_t>(1, config_.max_pending_connections);
  http_->new_task_queue = [threads, pending] { return new BoundedThreadPool(threads, pending); };
  http_->set_tcp_nodelay(true);
  http_->set_keep_alive_max_count(config_.keep_alive_max_requests);
  http_->set_keep_alive_timeout(config_.keep_alive_timeout_seconds);
  http_->set_read_timeout(config_.read_timeout_seconds, 0);
  http_->set_write_timeout(config_.write_timeout_seconds, 0);
  http_->set_payload_max_length(config_.max_body_bytes);
  Routes();
}

HttpServer::~HttpServer() { Stop(); }

bool HttpServer::tls() const { return !config_.tls_cert_file.empty(); }

base::Status HttpServer::Bind() {
  if (!http_->is_valid())
    return base::Status::FailedPrecondition(
        "cannot start TLS: check --tls-cert and --tls-key (readable PEM files that match)");
  if (config_.port == 0) {
    port_ = http_->bind_to_any_port(config_.host);
  } else {
    port_ = http_->bind_to_port(config_.host, config_.port) ? config_.port : -1;
  }
  if (port_ <= 0)
    return base::Status::Unavailable("cannot listen on " + config_.host + ":" +
                                     std::to_string(config_.port) +
                                     " (address in use, or not a local address)");
  return base::Status::Ok();
}

bool HttpServer::Run() { return http_->listen_after_bind(); }

void HttpServer::Stop() {
  if (http_) http_->stop();
}

void HttpServer::Routes() {
  auto cors = [this](const httplib::Request& req, httplib::Response& res) {
    const auto& origins = config_.allowed_origins;
    const bool any = std::find(origins.begin(), origins.end(), "*") != origins.end();
    const std::string origin = req.get_header_value("Origin");
    if (any) {
      res.set_header("Access-Control-Allow-Origin", "*");
    } else if (!origin.empty() &&
               std::find(origins.begin(), origins.end(), origin) != origins.end()) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Vary", "Origin");
    }
    res.set_header("Access-Control-Expose-Headers", "Content-Type");
    // Access-Control-Allow-Credentials is never sent: clients authenticate with a bearer JWT in
    // the Authorization header, not cookies, and credentials with "*" are invalid (Fetch).
  };

  // Runs a route: timing, CORS, the log line and observers; exceptions stay inside.
  auto wrap = [this, cors](const std::function<service::HookResult(const httplib::Request&)>& fn) {
    return [this, cors, fn](const httplib::Request& req, httplib::Response& res) {
      const auto start = Clock::now();
      service::HookResult r = fn(req);
      res.status = r.status;
      res.set_content(r.body, r.status >= 400 ? kFhirJson : kJson);
      cors(req, res);
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      base::LogRequest({req.method, RoutePattern(req), r.status, seconds * 1000, r.service_id,
                        r.hook_instance, r.card_codes, ""});
      if (observers_.on_request)
        observers_.on_request(RoutePattern(req), r.status, seconds, r.service_id);
    };
  };

  if (observers_.authenticate) {
    http_->set_pre_routing_handler(
        [this, cors](const httplib::Request& req, httplib::Response& res) {
          if (req.method == "OPTIONS" || req.path == "/healthz")
            return httplib::Server::HandlerResponse::Unhandled;
          const std::string reason =
              observers_.authenticate(req.method, req.path, req.get_header_value("Authorization"));
          if (reason.empty()) return httplib::Server::HandlerResponse::Unhandled;
          const service::HookResult r =
              service::ErrorResult(base::Status::Unauthenticated("Authentication required."));
          res.status = r.status;
          res.set_header("WWW-Authenticate", "Bearer");
          res.set_content(r.body, kFhirJson);
          cors(req, res);
          base::LogRequest(
              {req.method, RoutePattern(req), 401, 0, "", "", {}, "unauthorized: " + reason});
          if (observers_.on_request) observers_.on_request(RoutePattern(req), 401, 0, "");
          return httplib::Server::HandlerResponse::Handled;
        });
  }

  http_->Get("/cds-services", wrap([this](const httplib::Request&) {
               service::HookResult r;
               r.body = handler_->catalog().discovery_json();
               return r;
             }));

  http_->Get("/healthz", wrap([](const httplib::Request&) {
               service::HookResult r;
               r.body = R"({"status":"ok"})";
               return r;
             }));

  for (const auto& [path, producer] : observers_.extra_gets) {
    auto produce = producer;
    http_->Get(path, [produce, cors](const httplib::Request& req, httplib::Response& res) {
      auto [type, body] = produce();
      res.set_content(body, type);
      cors(req, res);
    });
  }

  http_->Post(R"(/cds-services/([^/]+)/feedback)", wrap([this](const httplib::Request& req) {
                const std::string id = req.matches[1];
                const auto* service = handler_->catalog().Find(id);
                if (service == nullptr)
                  return service::ErrorResult(
                      base::Status::NotFound("Unknown CDS service \"" + id + "\"."));
                std::vector<cdshooks::Feedback> feedback;
                if (base::Status error =
                        cdshooks::ParseFeedback(req.body, config_.max_json_depth, feedback);
                    !error.ok()) {
                  auto r = service::ErrorResult(error);
                  r.service_id = service->id;
                  return r;
                }
                if (observers_.on_feedback) {
                  if (base::Status stored = observers_.on_feedback(service->id, feedback);
                      !stored.ok()) {
                    auto r = service::ErrorResult(stored);
                    r.service_id = service->id;
                    return r;
                  }
                }
                service::HookResult r;
                r.service_id = service->id;
                r.body = "{}";
                return r;
              }));

  http_->Post(R"(/cds-services/([^/]+))", wrap([this](const httplib::Request& req) {
                service::HookResult r = handler_->Call(std::string(req.matches[1]), req.body,
                                                       std::chrono::system_clock::now());
                if ((r.status == 200 || r.unresolved_medications > 0) && observers_.on_cards)
                  observers_.on_cards(r);
                return r;
              }));

  auto not_allowed = wrap([](const httplib::Request& req) {
    return service::ErrorResult(base::Status::FromProblems(
        base::Status::Code::kInvalidArgument,
        {base::Status::Problem{
            "not-supported",
            "Method " + req.method + " is not allowed on " + RoutePattern(req) + ".",
            {}}}));
  });
  http_->Get(R"(/cds-services/([^/]+)(/feedback)?)", not_allowed);
  http_->Post("/cds-services", not_allowed);
  http_->Put(R"(/.*)", not_allowed);
  http_->Delete(R"(/.*)", not_allowed);

  http_->Options(R"(/.*)", [cors](const httplib::Request& req, httplib::Response& res) {
    cors(req, res);
    res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept");
    res.set_header("Access-Control-Max-Age", "600");
    res.status = 204;
  });

  // Errors httplib produces itself (404 unmatched route, 413 too large, 400 bad HTTP).
  http_->set_error_handler(httplib::Server::HandlerWithResponse([this, cors](
                                                                    const httplib::Request& req,
                                                                    httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    res.set_content(
        service::ErrorResult(StatusOfHttpError(res.status, StatusMessage(res.status, req))).body,
        kFhirJson);
    cors(req, res);
    base::LogRequest(
        {req.method, RoutePattern(req), res.status, 0, "", "", {}, StatusMessage(res.status, req)});
    if (observers_.on_request) observers_.on_request(RoutePattern(req), res.status, 0, "");
    return httplib::Server::HandlerResponse::Handled;
  }));

  http_->set_exception_handler(
      [cors](const httplib::Request& req, httplib::Response& res, const std::exception_ptr& ep) {
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        const service::HookResult r =
            service::ErrorResult(base::Status::Internal(StatusMessage(500, req)));
        res.status = r.status;
        res.set_content(r.body, kFhirJson);
        cors(req, res);
        base::LogRequest({req.method, RoutePattern(req), 500, 0, "", "", {}, "exception: " + what});
      });
}

}  // namespace http
