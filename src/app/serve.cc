#include "app/serve.h"

#include "config/config_file.h"
#include "config/options.h"
#include "service/loader.h"

#include "auth/authenticator.h"
#include "auth/replay_guard.h"
#include "base/log.h"
#include "fetch/fhir_fetcher.h"
#include "http/admin_server.h"
#include "http/governance.h"
#include "http/http_server.h"
#include "http/metrics.h"
#include "http/operations.h"
#include "store/store.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>
#include <iostream>
#include <thread>

namespace app {
namespace {

constexpr int kExitFailure = 1;

// SIGTERM and SIGINT, taken by a dedicated thread (sigtimedwait) instead of a signal handler.
// Block() must run before any other thread starts, so every thread inherits the mask. The first
// signal stops the server (stop accepting, drain requests in flight); a second one exits at once.
class ShutdownSignals {
 public:
  static void Block() {
    sigset_t set = Set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

  void Start(http::HttpServer& http) {
    thread_ = std::thread([this, &http] {
      const sigset_t set = Set();
      const timespec tick{0, 100L * 1000 * 1000};
      bool stopping = false;
      while (!done_.load()) {
        const int sig = sigtimedwait(&set, nullptr, &tick);
        if (sig == SIGTERM || sig == SIGINT) {
          const std::string name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
          if (stopping) {
            base::LogEvent(base::LogLevel::kWarn, "shutdown", name + " again: exiting now");
            std::_Exit(kExitFailure);
          }
          stopping = true;
          base::LogEvent(base::LogLevel::kInfo, "shutdown",
                         name + " received: no new connections; finishing requests in flight");
        }
        // Repeated: a Stop() before Run() has started listening would be lost.
        if (stopping) http.Stop();
      }
    });
  }

  // After Run() returned.
  void Finish() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
  }

  ~ShutdownSignals() { Finish(); }

 private:
  static sigset_t Set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
  }

  std::atomic<bool> done_{false};
  std::thread thread_;
};

// The store's replay set as the authenticator's ReplayGuard: it outlives a restart (SQLite: in the
// data dir's file; PostgreSQL: one set for every replica). The authenticator refuses the token on
// any error (fail closed).
class StoreReplayGuard : public auth::ReplayGuard {
 public:
  explicit StoreReplayGuard(std::shared_ptr<store::Store> store) : store_(std::move(store)) {}
  base::Status Remember(const std::string& iss, const std::string& jti, std::int64_t forget_after,
                        std::int64_t now) override {
    auto fresh = store_->RecordJti(iss, jti, forget_after, now);
    if (!fresh.ok()) return base::Status::Unavailable(fresh.status().message());
    if (!*fresh) return base::Status::Unauthenticated("replayed jti");
    return base::Status::Ok();
  }

 private:
  std::shared_ptr<store::Store> store_;
};

}  // namespace

int RunServe(const config::ServerConfig& config) {
  // The configuration has passed config::CheckConfig (LoadConfig), which refuses other names.
  base::LogLevel level = base::LogLevel::kInfo;
  base::ParseLogLevel(config.log_level, level);
  base::SetLogLevel(level);
  ShutdownSignals::Block();
  std::string error;
  auto loaded = service::LoadHookService(config.hooks_dir, config.max_json_depth);
  if (!loaded.ok()) {
    error = loaded.status().message();
    base::LogEvent(base::LogLevel::kError, "startup", error);
    std::cerr << "anakinra-cds: " << error << "\n";
    return kExitFailure;
  }
  std::shared_ptr<service::HookService> handler = std::move(*loaded);
  http::ServerObservers observers;
  // The store (issued cards, feedback; with PostgreSQL also the JWT replay set) and metrics.
  // `metrics` is shared: the FHIR fetcher reports with metrics->RecordFetch(key, ok, reason).
  // Issued cards go through the store's writer thread (group commit); feedback is durable before
  // its 200 (docs/operations.md).
  auto metrics = std::make_shared<http::Metrics>();
  store::StoreOptions store_options;
  store_options.queue = http::StoreOptions(metrics);
  store_options.queue.store_user_comments = config.store_user_comments != 0;
  auto opened = store::OpenStore(config.store_url, config.data_dir, /*create=*/true,
                                 std::move(store_options));
  if (!opened.ok()) {
    const std::string why = opened.status().message();
    base::LogEvent(base::LogLevel::kError, "startup", why);
    std::cerr << "anakinra-cds: " << why << "\n";
    return kExitFailure;
  }
  std::shared_ptr<store::Store> store = std::move(*opened);
  base::LogEvent(base::LogLevel::kInfo, "startup", "feedback store: " + store->Describe());
  for (const auto& warning : config::ExposureWarnings(config))
    base::LogEvent(base::LogLevel::kWarn, "startup", warning);
  std::shared_ptr<auth::Authenticator> auth;
  if (!config.trusted_issuers.empty() || !config.trusted_jku.empty()) {
    // The jti values are remembered in the store, across restarts (PostgreSQL: for all replicas).
    auto replay = std::make_shared<StoreReplayGuard>(store);
    auto created = auth::Authenticator::Create(config::AuthOptionsFromConfig(config), replay);
    if (!created.ok()) {
      base::LogEvent(base::LogLevel::kError, "startup", created.status().message());
      std::cerr << "anakinra-cds: " << created.status().message() << "\n";
      return kExitFailure;
    }
    auth = std::move(*created);
    observers.authenticate = [auth](const std::string& method, const std::string& path,
                                    const std::string& authorization) {
      return auth->Check(method, path, authorization).message();  // empty: let in
    };
  }
  http::AddOperationsObservers(observers, store, metrics);
  // Optional parts plug in here, each from its own file: FHIR fetching (handler->set_fetcher).
  auto fetch_options = config::FetchOptionsFromConfig(config);
  fetch_options.on_fetch = [metrics](const std::string& key, bool ok, const std::string& reason,
                                     double) { metrics->RecordFetch(key, ok, reason); };
  auto created_fetcher = fetch::FhirFetcher::Create(std::move(fetch_options));
  if (!created_fetcher.ok()) {
    base::LogEvent(base::LogLevel::kError, "startup", created_fetcher.status().message());
    std::cerr << "anakinra-cds: " << created_fetcher.status().message() << "\n";
    return kExitFailure;
  }
  const std::shared_ptr<fetch::FhirFetcher> fetcher = std::move(*created_fetcher);
  handler->set_fetcher(fetch::FhirFetcher::Hook(fetcher));
  base::LogEvent(base::LogLevel::kInfo, "startup",
                 "missing prefetch is fetched from fhirServer within " +
                     std::to_string(config.fetch_deadline_ms) +
                     " ms; allowed FHIR servers: " + fetcher->allowlist().Describe());
  http::HttpServer http(config::HttpOptionsFromConfig(config), handler, std::move(observers));
  if (base::Status bound = http.Bind(); !bound.ok()) {
    error = bound.message();
    base::LogEvent(base::LogLevel::kError, "startup", error);
    std::cerr << "anakinra-cds: " << error << "\n";
    return kExitFailure;
  }
  // The admin listener (governance page): loopback only unless a token is set (CheckConfig).
  http::AdminOptions admin_options = config::AdminOptionsFromConfig(config);
  admin_options.knowledge_version = handler->knowledge_version();
  http::AdminServer admin(std::move(admin_options), store);
  if (base::Status bound = admin.Bind(); !bound.ok()) {
    if (config.admin_port != 0) {  // asked for: a listener that cannot start is a failed start
      error = bound.message();
      base::LogEvent(base::LogLevel::kError, "startup", error);
      std::cerr << "anakinra-cds: " << error << "\n";
      return kExitFailure;
    }
    // The default (port + 1) is taken: the CDS services do not depend on the page.
    base::LogEvent(base::LogLevel::kWarn, "startup",
                   "governance page not served: " + bound.message());
  } else {
    admin.Start();
    base::LogEvent(base::LogLevel::kInfo, "startup",
                   "governance page on " + std::string(admin.tls() ? "https" : "http") + "://" +
                       config.admin_host + ":" + std::to_string(admin.port()) + "/governance (" +
                       (config.admin_token.empty() ? "loopback only, no token"
                                                   : "Bearer admin_token required") +
                       "; knowledge " + handler->knowledge_version() + ")");
  }
  ShutdownSignals signals;
  signals.Start(http);
  const std::string scheme = http.tls() ? "https" : "http";
  base::LogEvent(
      base::LogLevel::kInfo, "startup",
      "serving " + scheme + "://" + config.host + ":" + std::to_string(http.port()) +
          "/cds-services (" + std::to_string(handler->catalog().services().size()) + " services; " +
          (auth ? "authentication on: Bearer JWT from " + std::to_string(auth->issuer_count()) +
                      " trusted issuer(s), aud under " + config.public_url
                : "authentication off: every caller is trusted") +
          ")");
  const bool ok = http.Run();  // returns once requests in flight are answered
  signals.Finish();
  admin.Stop();
  store->Close();  // queued issued cards written (SQLite: WAL checkpointed into the file)
  base::LogEvent(base::LogLevel::kInfo, "shutdown",
                 std::string(ok ? "stopped" : "server failed") + "; feedback store closed");
  return ok ? 0 : kExitFailure;
}

}  // namespace app
