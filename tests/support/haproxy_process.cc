#include "support/haproxy_process.h"

#include "support/live_server.h"
#include "support/test_support.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace testing_support {
namespace {

std::string FindHaproxy() {
  for (const char* p : {"/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"})
    if (access(p, X_OK) == 0) return p;
  return "";
}

}  // namespace

bool HaproxyProcess::Available(std::string& why) {
  if (!FindHaproxy().empty()) return true;
  why = "haproxy is not installed: run scripts/setup (Debian package haproxy)";
  return false;
}

HaproxyProcess::HaproxyProcess(const std::vector<int>& backend_ports) {
  const std::string binary = FindHaproxy();
  if (binary.empty()) throw std::runtime_error("haproxy not found");
  char tmpl[] = "/tmp/anakinra-haproxy-XXXXXX";
  dir_ = mkdtemp(tmpl);
  port_ = FreePort();
  {
    std::ofstream cfg(dir_ + "/haproxy.cfg");
    cfg << "global\n  maxconn 512\n"
        << "defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n"
        << "  timeout server 30s\n  retries 2\n  option redispatch\n"
        << "frontend cds\n  bind 127.0.0.1:" << port_ << "\n  default_backend replicas\n"
        << "backend replicas\n  balance roundrobin\n  option httpchk GET /healthz\n";
    for (std::size_t i = 0; i < backend_ports.size(); ++i)
      cfg << "  server r" << i << " 127.0.0.1:" << backend_ports[i]
          << " check inter 500ms fall 2 rise 1\n";
  }
  const std::string cfg = dir_ + "/haproxy.cfg";
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int out = open((dir_ + "/output").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    dup2(out, 2);
    execl(binary.c_str(), binary.c_str(), "-db", "-f", cfg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Up once every backend has answered a request through it (round robin: one per backend).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::size_t ok_in_a_row = 0;
  while (std::chrono::steady_clock::now() < deadline && ok_in_a_row < 2 * backend_ports.size()) {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(1, 0);
    auto r = c.Get("/healthz");
    ok_in_a_row = (r && r->status == 200) ? ok_in_a_row + 1 : 0;
    if (ok_in_a_row == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (ok_in_a_row < 2 * backend_ports.size())
    throw std::runtime_error("haproxy did not become healthy:\n" + Output());
  // Every backend's health check has passed (rise 1, inter 500 ms) by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
}

HaproxyProcess::~HaproxyProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string HaproxyProcess::Output() const { return ReadFile(dir_ + "/output"); }

}  // namespace testing_support
