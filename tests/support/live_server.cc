#include "support/live_server.h"

#include "config/options.h"
#include "support/test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace testing_support {

LiveServer::LiveServer(config::ServerConfig config, http::ServerObservers observers)
    : LiveServer(std::move(config), std::move(observers), nullptr) {}

LiveServer::LiveServer(config::ServerConfig config, http::ServerObservers observers,
                       const std::function<void(service::HookService&)>& setup) {
  config.host = "127.0.0.1";
  config.port = 0;
  auto handler = RealHandler();
  if (setup) {
    handler = std::make_shared<service::HookService>(*handler);
    setup(*handler);
  }
  http_ = std::make_unique<http::HttpServer>(config::HttpOptionsFromConfig(config), handler,
                                             std::move(observers));
  if (base::Status bound = http_->Bind(); !bound.ok()) throw std::runtime_error(bound.message());
  thread_ = std::thread([this] { http_->Run(); });
  // Wait until the server answers.
  for (int i = 0; i < 200; ++i) {
    if (config.tls_cert_file.empty()) {
      httplib::Client c("127.0.0.1", port());
      if (auto r = c.Get("/healthz"); r && r->status == 200) return;
    } else {
      // Wait for TLS too: Stop() before the accept loop runs would leave Run() blocked forever.
      httplib::SSLClient c("127.0.0.1", port());
      c.enable_server_certificate_verification(false);
      if (auto r = c.Get("/healthz"); r && r->status == 200) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("server did not start");
}

LiveServer::~LiveServer() {
  http_->Stop();
  if (thread_.joinable()) thread_.join();
}

std::string LiveServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

httplib::Client LiveServer::client() const {
  httplib::Client c("127.0.0.1", port());
  c.set_read_timeout(10, 0);
  return c;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool WaitHealthy(int port) {
  for (int i = 0; i < 300; ++i) {
    httplib::Client c("127.0.0.1", port);
    if (auto r = c.Get("/healthz"); r && r->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace testing_support
