// The test FHIR server (tests/fhir-server/server.js: medplum's in-memory repository behind a
// small Node HTTP front) as a child process on a loopback port, for the fetch tests.
#pragma once

#include <sys/types.h>

#include <string>

namespace testing_support {

class FhirServerProcess {
 public:
  // True when node and tests/fhir-server/node_modules are there (scripts/setup installs them).
  static bool Available(std::string& why);

  // Starts `node tests/fhir-server/server.js` and waits (bounded) for its port; throws on failure.
  FhirServerProcess();
  ~FhirServerProcess();  // closes its stdin, SIGTERM, waits
  FhirServerProcess(const FhirServerProcess&) = delete;
  FhirServerProcess& operator=(const FhirServerProcess&) = delete;

  int port() const { return port_; }
  std::string base_url() const;  // http://127.0.0.1:<port>

  // POSTs a transaction Bundle at the base URL; throws unless 200.
  void LoadBundle(const std::string& bundle_json) const;

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int port_ = 0;
};

// A loopback port that nothing listens on (bound, then closed).
int ClosedLoopbackPort();

}  // namespace testing_support
