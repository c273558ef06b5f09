// Test TLS material and an in-process HTTPS server on loopback, for tests of outgoing https
// (FHIR fetch, jku): a throwaway CA and a server certificate it signs for 127.0.0.1 and localhost,
// made at test time with the openssl CLI.
#pragma once

#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace testing_support {

struct TestCa {
  std::string ca_file;    // the CA certificate (PEM): what a verifying client trusts
  std::string cert_file;  // server certificate signed by the CA, SAN DNS:localhost, IP:127.0.0.1
  std::string key_file;   // its private key
};

// Makes the CA and the server certificate in `dir` (created). Throws when openssl fails.
TestCa MakeTestCa(const std::filesystem::path& dir);

// An httplib::SSLServer on 127.0.0.1, ephemeral port, in a background thread. `routes` installs
// the handlers before it starts; every request to a handler is counted.
class HttpsTestServer {
 public:
  HttpsTestServer(const TestCa& ca, const std::function<void(httplib::Server&)>& routes);
  ~HttpsTestServer();
  HttpsTestServer(const HttpsTestServer&) = delete;
  HttpsTestServer& operator=(const HttpsTestServer&) = delete;

  int port() const { return port_; }
  int requests() const { return requests_.load(); }
  // "https://127.0.0.1:<port>" (no trailing slash)
  std::string origin() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
};

}  // namespace testing_support
