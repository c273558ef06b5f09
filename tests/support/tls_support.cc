#include "support/tls_support.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace testing_support {
namespace {

void Run(const std::string& cmd) {
  if (std::system((cmd + " 2>/dev/null").c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}

}  // namespace

TestCa MakeTestCa(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  TestCa ca{(dir / "ca.pem").string(), (dir / "server.pem").string(),
            (dir / "server.key").string()};
  const std::string ca_key = (dir / "ca.key").string();
  const std::string csr = (dir / "server.csr").string();
  const std::string ext = (dir / "server.ext").string();
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  Run("openssl req -x509 " + ec + " -days 1 -subj /CN=anakinra-test-ca" +
      " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign" +
      " -keyout " + ca_key + " -out " + ca.ca_file);
  Run("openssl req " + ec + " -subj /CN=localhost -keyout " + ca.key_file + " -out " + csr);
  std::ofstream(ext) << "basicConstraints=CA:FALSE\n"
                        "keyUsage=critical,digitalSignature\n"
                        "extendedKeyUsage=serverAuth\n"
                        "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  Run("openssl x509 -req -in " + csr + " -CA " + ca.ca_file + " -CAkey " + ca_key +
      " -set_serial 2 -days 1 -extfile " + ext + " -out " + ca.cert_file);
  return ca;
}

HttpsTestServer::HttpsTestServer(const TestCa& ca,
                                 const std::function<void(httplib::Server&)>& routes)
    : server_(std::make_unique<httplib::SSLServer>(ca.cert_file.c_str(), ca.key_file.c_str())) {
  if (!server_->is_valid()) throw std::runtime_error("SSLServer: bad certificate or key");
  server_->set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
    ++requests_;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  routes(*server_);
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("SSLServer: cannot bind");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  for (int i = 0; i < 500 && !server_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!server_->is_running()) {
    server_->stop();
    thread_.join();
    throw std::runtime_error("SSLServer did not start");
  }
}

HttpsTestServer::~HttpsTestServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace testing_support
