// The real HTTP server on an ephemeral loopback port, running in a background thread.
#pragma once

#include "config/server_config.h"
#include "http/http_server.h"

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace testing_support {

class LiveServer {
 public:
  explicit LiveServer(config::ServerConfig config = {}, http::ServerObservers observers = {});
  // With `setup`: serves a copy of the real handler that `setup` may change first (e.g.
  // set_fetcher), so other tests' shared handler stays as it is.
  LiveServer(config::ServerConfig config, http::ServerObservers observers,
             const std::function<void(service::HookService&)>& setup);
  ~LiveServer();

  int port() const { return http_->port(); }
  std::string base_url() const;
  httplib::Client client() const;  // plain HTTP client for this server

 private:
  std::unique_ptr<http::HttpServer> http_;
  std::thread thread_;
};

// A loopback port free right now (bound and released).
int FreePort();
// Polls GET /healthz on 127.0.0.1:port for up to 6 s; true once it answers 200.
bool WaitHealthy(int port);

}  // namespace testing_support
