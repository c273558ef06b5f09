// HTTPS with a real TLS client: a self-signed certificate made at test time with the openssl
// CLI, the client trusting exactly that certificate; TLS 1.2 minimum; plain HTTP refused.
#include "support/live_server.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <cstdlib>
#include <filesystem>

namespace {

using namespace testing_support;

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("anakinra-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "
        "/CN=localhost"
        " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
        (dir_ / "key.pem").string() + " -out " + (dir_ / "cert.pem").string() + " 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  void SetUp() override {
    config::ServerConfig c;
    c.tls_cert_file = (dir_ / "cert.pem").string();
    c.tls_key_file = (dir_ / "key.pem").string();
    live_ = std::make_unique<LiveServer>(c);
  }

  std::unique_ptr<httplib::SSLClient> Client() {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", live_->port());
    c->set_ca_cert_path((dir_ / "cert.pem").c_str());
    c->enable_server_certificate_verification(true);
    c->set_read_timeout(10, 0);
    return c;
  }

  static inline std::filesystem::path dir_;
  std::unique_ptr<LiveServer> live_;
};

TEST_F(TlsTest, DiscoveryOverHttps) {
  auto c = Client();
  auto r = c->Get("/cds-services");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("anakinra-order-sign"), std::string::npos);
}

TEST_F(TlsTest, BothHooksAndFeedbackOverHttps) {
  auto c = Client();
  auto sign = c->Post("/cds-services/anakinra-order-sign", SampleRequest("adult-tnf-antagonist"),
                      "application/json");
  ASSERT_TRUE(sign) << httplib::to_string(sign.error());
  EXPECT_EQ(sign->status, 200) << sign->body;
  EXPECT_NE(sign->body.find("tnf-antagonist"), std::string::npos);
  auto select = c->Post("/cds-services/anakinra-order-select",
                        SampleRequest("adult-ecoli-allergy", "order-select"), "application/json");
  ASSERT_TRUE(select);
  EXPECT_EQ(select->status, 200) << select->body;
  EXPECT_NE(select->body.find("ecoli-protein-hypersensitivity"), std::string::npos);
  auto fb = c->Post(
      "/cds-services/anakinra-order-sign/feedback",
      R"({"feedback":[{"card":"9368d37b-283f-44a0-93ea-547cebc7b1c4","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})",
      "application/json");
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->status, 200) << fb->body;
}

TEST_F(TlsTest, UntrustedCertificateIsRejectedByAVerifyingClient) {
  httplib::SSLClient c("127.0.0.1", live_->port());
  c.set_ca_cert_path("/nonexistent-ca.pem");
  c.enable_server_certificate_verification(true);
  EXPECT_FALSE(c.Get("/cds-services"));
}

TEST_F(TlsTest, Tls11ClientIsRefused) {
  auto c = Client();
  SSL_CTX_set_min_proto_version(c->ssl_context(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(c->ssl_context(), TLS1_1_VERSION);
  SSL_CTX_set_security_level(c->ssl_context(), 0);
  EXPECT_FALSE(c->Get("/cds-services"));
  EXPECT_EQ(Client()->Get("/healthz")->status, 200);
}

TEST_F(TlsTest, Tls12WithCbcCipherIsRefusedButAeadWorks) {
  auto cbc = Client();
  SSL_CTX_set_max_proto_version(cbc->ssl_context(), TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(cbc->ssl_context(), "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA");
  EXPECT_FALSE(cbc->Get("/healthz"));
  auto gcm = Client();
  SSL_CTX_set_max_proto_version(gcm->ssl_context(), TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(gcm->ssl_context(), "ECDHE-ECDSA-AES256-GCM-SHA384");
  auto r = gcm->Get("/healthz");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
}

TEST_F(TlsTest, PlainHttpToTheTlsPortGetsNoAnswer) {
  httplib::Client plain("127.0.0.1", live_->port());
  plain.set_read_timeout(3, 0);
  auto r = plain.Get("/cds-services");
  EXPECT_TRUE(!r || r->status != 200);
  EXPECT_EQ(Client()->Get("/healthz")->status, 200);
}

}  // namespace
