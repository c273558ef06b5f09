#include "support/fhir_server_process.h"

#include "support/test_support.h"

#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace testing_support {
namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string FindNode() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const auto colon = dirs.find(':', start);
    const std::string dir =
        dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty() && ::access((dir + "/node").c_str(), X_OK) == 0) return dir + "/node";
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return {};
}

}  // namespace

bool FhirServerProcess::Available(std::string& why) {
  if (FindNode().empty()) {
    why = "node is not installed (scripts/setup)";
    return false;
  }
  if (!Exists(SourcePath("tests/fhir-server/node_modules/@medplum/fhir-router"))) {
    why = "tests/fhir-server/node_modules is absent (run scripts/setup)";
    return false;
  }
  return true;
}

FhirServerProcess::FhirServerProcess() {
  const std::string node = FindNode();
  const std::string script = SourcePath("tests/fhir-server/server.js");
  int in_pipe[2], out_pipe[2];
  if (::pipe(in_pipe) != 0 || ::pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    ::execl(node.c_str(), "node", script.c_str(), "0", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  stdin_fd_ = in_pipe[1];
  // The server prints its port when it listens; loading the FHIR definitions takes a few seconds.
  std::string line;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < give_up) {
    pollfd p{out_pipe[0], POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[64];
    const auto n = ::read(out_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out_pipe[0]);  // nothing else is printed on stdout
  port_ = std::atoi(line.c_str());
  if (port_ <= 0) {
    this->~FhirServerProcess();
    throw std::runtime_error("the test FHIR server did not report its port");
  }
}

FhirServerProcess::~FhirServerProcess() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {  // at most ~5 s, then SIGKILL
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
}

std::string FhirServerProcess::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void FhirServerProcess::LoadBundle(const std::string& bundle_json) const {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(30, 0);
  auto r = c.Post("/", bundle_json, "application/fhir+json");
  if (!r || r->status != 200)
    throw std::runtime_error(
        "loading a bundle failed: " +
        (r ? std::to_string(r->status) + " " + r->body : httplib::to_string(r.error())));
}

int ClosedLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("bind failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace testing_support
