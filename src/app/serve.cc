#include "app/serve.h"

#include "app/loader.h"
#include "server/http_server.h"
#include "server/request_log.h"

#include <csignal>
#include <iostream>

namespace app {
namespace {

constexpr int kExitFailure = 1;

server::HttpServer* g_server = nullptr;

void OnSignal(int) {
  if (g_server != nullptr) g_server->Stop();
}

}  // namespace

int RunServe(const server::ServerConfig& config) {
  server::LogLevel level;
  if (!server::ParseLogLevel(config.log_level, level)) {
    std::cerr << "unknown log level \"" << config.log_level << "\" (debug, info, warn, error, off)\n";
    return 2;
  }
  server::SetLogLevel(level);
  std::string error;
  auto handler = LoadHandler(config.hooks_dir, config.max_json_depth, error);
  if (!handler) {
    server::LogEvent(server::LogLevel::kError, "startup", error);
    std::cerr << "anakinra-cds: " << error << "\n";
    return kExitFailure;
  }
  server::ServerObservers observers;
  // Optional parts plug in here, each from its own file: feedback store and metrics (observers),
  // FHIR fetching (handler->set_fetcher), authentication (observers.authenticate).
  server::HttpServer http(config, handler, std::move(observers));
  if (!http.Bind(error)) {
    server::LogEvent(server::LogLevel::kError, "startup", error);
    std::cerr << "anakinra-cds: " << error << "\n";
    return kExitFailure;
  }
  g_server = &http;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  const std::string scheme = http.tls() ? "https" : "http";
  server::LogEvent(server::LogLevel::kInfo, "startup",
                   "serving " + scheme + "://" + config.host + ":" + std::to_string(http.port()) +
                       "/cds-services (" + std::to_string(handler->catalog().services().size()) +
                       " services; authentication off: every caller is trusted)");
  const bool ok = http.Run();
  g_server = nullptr;
  server::LogEvent(server::LogLevel::kInfo, "shutdown", "stopped");
  return ok ? 0 : kExitFailure;
}

}  // namespace app
