// HAProxy (the Debian package) as a child process balancing HTTP round robin over loopback
// backends, with a health check on GET /healthz, for the scale-out tests. The configuration is
// written to a temporary folder; the process runs in the foreground (-db) and is stopped (SIGTERM,
// then waited for) by the destructor.
//
// Thread safety: none. Ownership: owns the child and the folder. Errors: the constructor throws
// std::runtime_error (with HAProxy's output) when it does not start or no backend becomes healthy.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace testing_support {

class HaproxyProcess {
 public:
  // True when haproxy is installed (scripts/setup: haproxy); else `why`.
  static bool Available(std::string& why);

  // Listens on a free loopback port; waits until every backend passes its health check.
  explicit HaproxyProcess(const std::vector<int>& backend_ports);
  ~HaproxyProcess();
  HaproxyProcess(const HaproxyProcess&) = delete;
  HaproxyProcess& operator=(const HaproxyProcess&) = delete;

  int port() const { return port_; }
  std::string Output() const;

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace testing_support
