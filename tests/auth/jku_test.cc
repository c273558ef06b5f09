// JWT keys from a jku URL, over real HTTPS: the issuer's JWK Set is served by an in-process
// httplib::SSLServer whose certificate is signed by a CA made at test time, and the real service
// (loopback HTTP, authentication on) must fetch it only from a trusted jku prefix, only over
// verified https, cache it, and refetch it for an unknown kid. Requests to the JWKS server are
// counted; no timing is asserted.
#include "auth/authenticator.h"
#include "auth/jwk.h"
#include "config/options.h"
#include "support/jwt_support.h"
#include "support/live_server.h"
#include "support/tls_support.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

namespace {

using namespace testing_support;

class JkuTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("anakinra-jku-" + std::to_string(::getpid()));
    ca_ = new TestCa(MakeTestCa(dir_));
    key1_ = Generate("P-384").release();
    key2_ = Generate("P-384").release();
    std::ofstream(dir_ / "empty.jwks") << R"({"keys":[]})";
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(key1_);
    EVP_PKEY_free(key2_);
    delete ca_;
    ca_ = nullptr;
    std::filesystem::remove_all(dir_);
  }

  static std::string Jwks(EVP_PKEY* key, const std::string& kid) {
    return R"({"keys":[)" + auth::PublicJwkJson(key, kid, "ES384") + "]}";
  }

  void SetUp() override {
    SetJwks(Jwks(key1_, "k1"));
    https_ = std::make_unique<HttpsTestServer>(*ca_, [this](httplib::Server& s) {
      for (const char* path : {"/jwks/keys.json", "/other/keys.json"})
        s.Get(path, [this](const httplib::Request&, httplib::Response& res) {
          std::lock_guard lock(mutex_);
          res.set_content(jwks_, "application/json");
        });
      // A JWK Set host that hangs until the test releases it.
      s.Get("/jwks/slow.json", [this](const httplib::Request&, httplib::Response& res) {
        std::unique_lock lock(mutex_);
        slow_entered_ = true;
        cv_.notify_all();
        cv_.wait(lock, [this] { return slow_released_; });
        res.set_content(jwks_, "application/json");
      });
    });
  }

  void TearDown() override { ReleaseSlow(); }

  void ReleaseSlow() {
    std::lock_guard lock(mutex_);
    slow_released_ = true;
    cv_.notify_all();
  }

  void SetJwks(const std::string& jwks) {
    std::lock_guard lock(mutex_);
    jwks_ = jwks;
  }

  std::string JkuUrl() const { return https_->origin() + "/jwks/keys.json"; }

  // The issuer has an empty JWK Set file; its keys come from https://127.0.0.1:<port>/jwks/.
  config::ServerConfig Config(const std::string& jku_ca_file, int refresh_seconds = 0) const {
    config::ServerConfig c;
    c.trusted_issuers = {std::string(kIss) + "=" + (dir_ / "empty.jwks").string()};
    c.trusted_jku = {std::string(kIss) + "=" + https_->origin() + "/jwks/"};
    c.public_url = kPublicUrl;
    c.jku_ca_file = jku_ca_file;
    c.jwks_refresh_seconds = refresh_seconds;
    return c;
  }

  void Serve(const config::ServerConfig& config) {
    auto created = auth::Authenticator::Create(config::AuthOptionsFromConfig(config));
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    std::shared_ptr<auth::Authenticator> auth = std::move(*created);
    http::ServerObservers o;
    o.authenticate = [auth](const std::string& m, const std::string& p, const std::string& a) {
      return auth->Check(m, p, a).message();
    };
    live_ = std::make_unique<LiveServer>(config, std::move(o));
  }

  // GET /cds-services with a fresh token signed by `key`, naming `kid` and `jku`.
  int Discovery(EVP_PKEY* key, const std::string& kid, const std::string& jku) {
    TokenSpec t;
    t.kid = kid;
    t.jku = jku;
    auto r = live_->client().Get(
        "/cds-services", httplib::Headers{{"Authorization", "Bearer " + SignedToken(key, t)}});
    EXPECT_TRUE(r) << httplib::to_string(r.error());
    return r ? r->status : 0;
  }

  void ExpectHealthy() {
    auto health = live_->client().Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
  }

  static inline std::filesystem::path dir_;
  static inline TestCa* ca_ = nullptr;
  static inline EVP_PKEY* key1_ = nullptr;
  static inline EVP_PKEY* key2_ = nullptr;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool slow_entered_ = false;
  bool slow_released_ = false;
  std::string jwks_;
  std::unique_ptr<HttpsTestServer> https_;
  std::unique_ptr<LiveServer> live_;
};

TEST_F(JkuTest, KeyFromTrustedJkuIsAcceptedAndCached) {
  Serve(Config(ca_->ca_file));
  EXPECT_EQ(Discovery(key1_, "k1", JkuUrl()), 200);
  EXPECT_EQ(https_->requests(), 1);
  EXPECT_EQ(Discovery(key1_, "k1", JkuUrl()), 200);  // a new jti, the cached key
  EXPECT_EQ(https_->requests(), 1);
}

TEST_F(JkuTest, JkuOnlyIssuerWithoutJwksFileIsAccepted) {
  auto config = Config(ca_->ca_file);
  config.trusted_issuers.clear();
  Serve(config);
  EXPECT_EQ(Discovery(key1_, "k1", JkuUrl()), 200);
  EXPECT_EQ(https_->requests(), 1);
}

TEST_F(JkuTest, NewKidIsRefetched) {
  Serve(Config(ca_->ca_file, /*refresh_seconds=*/0));
  EXPECT_EQ(Discovery(key1_, "k1", JkuUrl()), 200);
  EXPECT_EQ(https_->requests(), 1);
  SetJwks(Jwks(key2_, "k2"));  // key rotation
  EXPECT_EQ(Discovery(key2_, "k2", JkuUrl()), 200);
  EXPECT_EQ(https_->requests(), 2);
  EXPECT_EQ(Discovery(key2_, "k2", JkuUrl()), 200);
  EXPECT_EQ(https_->requests(), 2);
}

TEST_F(JkuTest, UnknownKidIsNotRefetchedWithinTheRefreshInterval) {
  Serve(Config(ca_->ca_file, /*refresh_seconds=*/3600));
  EXPECT_EQ(Discovery(key1_, "k1", JkuUrl()), 200);
  SetJwks(Jwks(key2_, "k2"));
  EXPECT_EQ(Discovery(key2_, "k2", JkuUrl()), 401);
  EXPECT_EQ(https_->requests(), 1);
  ExpectHealthy();
}

TEST_F(JkuTest, JkuOutsideTheTrustedPrefixIsRefusedWithoutFetching) {
  Serve(Config(ca_->ca_file));
  const std::string port = std::to_string(https_->port());
  for (const std::string& jku :
       {https_->origin() + "/other/keys.json",            // another path
        "https://localhost:" + port + "/jwks/keys.json",  // another host
        https_->origin() + "/jwksx/keys.json", "http://127.0.0.1:" + port + "/jwks/keys.json"}) {
    EXPECT_EQ(Discovery(key1_, "k1", jku), 401) << jku;
  }
  EXPECT_EQ(Discovery(key1_, "k1", ""), 401);  // no jku: the empty JWK Set file has no k1
  EXPECT_EQ(https_->requests(), 0);
  ExpectHealthy();
}

// Tokens naming ever new jku URLs under the allowed prefix (garbage kids, so none can verify) cause
// at most the issuer's fetch budget of outbound requests per refresh interval, not one each.
TEST_F(JkuTest, FreshJkuUrlsCostAtMostTheIssuersFetchBudget) {
  Serve(Config(ca_->ca_file, /*refresh_seconds=*/3600));
  for (int i = 0; i < 12; ++i)
    EXPECT_EQ(
        Discovery(key1_, "garbage-" + std::to_string(i), JkuUrl() + "?n=" + std::to_string(i)),
        401);
  EXPECT_EQ(https_->requests(), static_cast<int>(auth::Authenticator::kMaxJkuFetchesPerInterval));
  ExpectHealthy();
}

// While one issuer's jku host hangs, another issuer's tokens are answered, both one whose key is
// pinned and one whose key needs a jku fetch of its own: a fetch holds only its issuer's lock.
TEST_F(JkuTest, HangingJkuHostBlocksNoOtherIssuer) {
  const std::string other = "https://other-ehr.example.org/";
  std::ofstream(dir_ / "pinned.jwks") << Jwks(key2_, "p2");
  SetJwks(R"({"keys":[)" + auth::PublicJwkJson(key1_, "k1", "ES384") + "," +
          auth::PublicJwkJson(key2_, "j2", "ES384") + "]}");
  auto config = Config(ca_->ca_file);
  config.trusted_issuers.push_back(other + "=" + (dir_ / "pinned.jwks").string());
  config.trusted_jku.push_back(other + "=" + https_->origin() + "/other/");
  Serve(config);
  int slow_status = 0;
  std::thread slow(
      [&] { slow_status = Discovery(key1_, "k1", https_->origin() + "/jwks/slow.json"); });
  {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(20), [this] { return slow_entered_; }));
  }
  for (const auto& [kid, jku] : {std::pair<std::string, std::string>{"p2", ""},
                                 {"j2", https_->origin() + "/other/keys.json"}}) {
    TokenSpec t;
    t.iss = other;
    t.kid = kid;
    t.jku = jku;
    auto r = live_->client().Get(
        "/cds-services", httplib::Headers{{"Authorization", "Bearer " + SignedToken(key2_, t)}});
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200) << kid;
  }
  {
    std::lock_guard lock(mutex_);
    EXPECT_FALSE(slow_released_);  // answered while the first jku fetch was still hanging
  }
  ReleaseSlow();
  slow.join();
  EXPECT_EQ(slow_status, 200);
}

TEST_F(JkuTest, JwksServerNotVerifiableWithoutTheCaIsRefused) {
  Serve(Config(""));  // the system's CA store, which does not know the test CA
  EXPECT_EQ(Discovery(key1_, "k1", JkuUrl()), 401);
  EXPECT_EQ(https_->requests(), 0);  // the TLS handshake failed: no request was made
  ExpectHealthy();
}

TEST(JkuConfig, IssuerWithoutKeysOrJkuWarnsAtStartup) {
  const auto dir = std::filesystem::path(::testing::TempDir()) /
                   ("anakinra-jku-warn-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "empty.jwks") << R"({"keys":[]})";
  config::ServerConfig c;
  c.public_url = kPublicUrl;
  c.trusted_issuers = {"https://keyless.example/=" + (dir / "empty.jwks").string()};
  ::testing::internal::CaptureStderr();
  auto a = auth::Authenticator::Create(config::AuthOptionsFromConfig(c));
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_NE(log.find("https://keyless.example/ has no keys"), std::string::npos) << log;
  c.trusted_jku = {"https://keyless.example/=https://keys.keyless.example/"};
  ::testing::internal::CaptureStderr();
  a = auth::Authenticator::Create(config::AuthOptionsFromConfig(c));
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(::testing::internal::GetCapturedStderr().find("has no keys"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
