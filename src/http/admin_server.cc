#include "http/admin_server.h"

#include "base/log.h"
#include "fhir/date.h"
#include "http/governance.h"
#include "store/report_json.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <chrono>
#include <ctime>

namespace http {
namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr const char* kJson = "application/json";
constexpr const char* kText = "text/plain; charset=utf-8";

void Harden(httplib::Response& res) {
  res.set_header("Content-Security-Policy", kGovernanceCsp);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-store");
}

// The period and bucket of a request; an error message or "".
struct Period {
  std::string since;
  std::optional<std::int64_t> from;
  std::string bucket = "day";
  std::int64_t bucket_seconds = 86400;
};

std::string ParsePeriod(const httplib::Request& req, Period& p) {
  for (const auto& [key, value] : req.params)
    if (key != "since" && key != "bucket") return "unknown query parameter (since, bucket)";
  p.since = req.get_param_value("since");
  if (!p.since.empty()) {
    p.from = fhir::ParseDateTime(p.since);
    if (!p.from) return "since must be a date (2026-01-31) or dateTime";
  }
  if (req.has_param("bucket")) p.bucket = req.get_param_value("bucket");
  const auto seconds = store::BucketSeconds(p.bucket);
  if (!seconds) return "bucket must be day or week";
  p.bucket_seconds = *seconds;
  return "";
}

std::array<unsigned char, SHA256_DIGEST_LENGTH> Sha256(const std::string& s) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> out{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), out.data());
  return out;
}

}  // namespace

AdminServer::AdminServer(AdminOptions options, std::shared_ptr<store::Store> store)
    : options_(std::move(options)), store_(std::move(store)) {}

AdminServer::~AdminServer() { Stop(); }

bool AdminServer::tls() const { return !options_.tls_cert_file.empty(); }

bool AdminServer::Authorized(const std::string& authorization) const {
  if (options_.token.empty()) return true;
  constexpr std::string_view kBearer = "Bearer ";
  const std::string given =
      authorization.rfind(kBearer, 0) == 0 ? authorization.substr(kBearer.size()) : "";
  const auto a = Sha256(given), b = Sha256(options_.token);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void AdminServer::Routes() {
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    Harden(res);
    if (Authorized(req.get_header_value("Authorization")))
      return httplib::Server::HandlerResponse::Unhandled;
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer realm=\"anakinra-cds admin\"");
    res.set_content("admin token required (Authorization: Bearer ...)\n", kText);
    return httplib::Server::HandlerResponse::Handled;
  });
  auto report = [this](const httplib::Request& req, httplib::Response& res, bool html) {
    Period p;
    if (std::string bad = ParsePeriod(req, p); !bad.empty()) {
      res.status = 400;
      res.set_content(bad + "\n", kText);
      return;
    }
    auto r = store_->Report(p.from, store::kReportTopReasons, p.bucket_seconds);
    if (!r.ok()) {
      base::LogEvent(base::LogLevel::kError, "governance", r.status().message());
      res.status = 503;
      res.set_content("feedback store unavailable\n", kText);
      return;
    }
    if (!html) {
      res.set_content(store::ReportJson(*r, p.since, p.bucket_seconds), kJson);
      return;
    }
    GovernanceView view;
    view.since = p.since;
    view.bucket = p.bucket;
    view.bucket_seconds = p.bucket_seconds;
    view.knowledge_version = options_.knowledge_version;
    view.generated_at = static_cast<std::int64_t>(std::time(nullptr));
    res.set_content(GovernanceHtml(*r, view), kHtml);
  };
  server_->Get("/governance", [report](const httplib::Request& req, httplib::Response& res) {
    report(req, res, true);
  });
  server_->Get(
      "/governance/report.json",
      [report](const httplib::Request& req, httplib::Response& res) { report(req, res, false); });
  server_->Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/governance");
  });
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) res.set_content(std::to_string(res.status) + "\n", kText);
  });
}

base::Status AdminServer::Bind() {
  if (tls()) {
    auto s = std::make_unique<httplib::SSLServer>(options_.tls_cert_file.c_str(),
                                                  options_.tls_key_file.c_str());
    if (!s->is_valid())
      return base::Status::FailedPrecondition("admin listener: cannot load TLS certificate " +
                                              options_.tls_cert_file + " and key");
    server_ = std::move(s);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  server_->set_read_timeout(options_.timeout_seconds, 0);
  server_->set_write_timeout(options_.timeout_seconds, 0);
  server_->set_payload_max_length(4096);
  Routes();
  port_ = options_.port == 0
              ? server_->bind_to_any_port(options_.host)
              : (server_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ < 0)
    return base::Status::Unavailable("admin listener: cannot listen on " + options_.host + ":" +
                                     std::to_string(options_.port) + " (in use? set admin_port)");
  return base::Status::Ok();
}

void AdminServer::Start() {
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    finished_ = true;
  });
}

void AdminServer::Stop() {
  if (!thread_.joinable()) return;
  // Repeated: a stop() before the thread has started listening would be lost.
  while (!finished_.load()) {
    server_->stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  thread_.join();
}

}  // namespace http
