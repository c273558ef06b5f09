// JWT authentication of CDS clients, against the real server on loopback: the attack table of
// issue 5. Every token is signed for real with OpenSSL keys generated here (or is the spec's own
// example token); every refusal must be a bare 401 and leave the server healthy.
#include "auth/authenticator.h"
#include "auth/base64url.h"
#include "auth/jwk.h"
#include "auth/jwt.h"
#include "config/options.h"
#include "support/jwt_support.h"
#include "support/live_server.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>

namespace {

using namespace testing_support;
using auth::Base64UrlEncode;

constexpr const char* kSignPath = "/cds-services/anakinra-order-sign";
constexpr const char* kFeedbackPath = "/cds-services/anakinra-order-sign/feedback";

// The CDS Hooks 2.0 example (Trusting CDS Clients): ES384 token, expired in 2015.
constexpr const char* kSpecToken =
    "eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCIsImtpZCI6ImV4YW1wbGUta2lkIiwiamt1IjoiaHR0cHM6Ly9maGlyLWVo"
    "ci5leGFtcGxlLmNvbS9qd2tfdXJpIn0.eyJpc3MiOiJodHRwczovL2ZoaXItZWhyLmV4YW1wbGUuY29tLyIsImF1ZCI6"
    "Imh0dHBzOi8vY2RzLmV4YW1wbGUub3JnL2Nkcy1zZXJ2aWNlcy9zb21lLXNlcnZpY2UiLCJleHAiOjE0MjI1Njg4NjAs"
    "ImlhdCI6MTMxMTI4MDk3MCwianRpIjoiZWUyMmIwMjEtZTFiNy00NjExLWJhNWItOGVlYzZhMzNhYzFlIiwidGVuYW50"
    "IjoiMmRkZDZjM2EtOGU5YS00NGM2LWEzMDUtNTIxMTFhZDMwMmEyIn0.d1WfLjGRKlcWB94l9do4cM8REXeYJLL6SGUB"
    "O8VHZhfM8mwKYP70EMxJ67War4TQblEpaQrp11wx5p7oPFm2ETYgCicS84vXWEIYTdjooZdooCSDf2L8-i4awdoUwiEb";
constexpr const char* kSpecJwks =
    R"({"keys":[{"kty":"EC","use":"sig","crv":"P-384","kid":"example-kid",
  "x":"46SDH7Znh821wblCBglA61sNE9ZrHYKKt3qRtRTmSXyOI_FIGBLWrWa0GPUkDCEk",
  "y":"XMcRuuoGW7CXjQdy-F5i3FeBE0x9hPLdeFdSoDd3ELmx404tLX0VRRcqzAsPhXcI","alg":"ES384"}]})";

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    es384_ = Generate("P-384").release();
    es256_ = Generate("P-256").release();
    rsa_ = Generate("RSA").release();
    dir_ = std::filesystem::temp_directory_path() / ("anakinra-auth-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "client.jwks")
        << R"({"keys":[)" << auth::PublicJwkJson(es384_, "es384", "ES384") << ","
        << auth::PublicJwkJson(es256_, "es256", "ES256") << ","
        << auth::PublicJwkJson(rsa_, "rs384", "RS384") << ","
        << auth::PublicJwkJson(rsa_, "ps384", "PS384") << "]}";
    std::ofstream(dir_ / "spec.jwks") << kSpecJwks;
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(es384_);
    EVP_PKEY_free(es256_);
    EVP_PKEY_free(rsa_);
    std::filesystem::remove_all(dir_);
  }

  static config::ServerConfig AuthConfig() {
    config::ServerConfig c;
    c.trusted_issuers = {std::string(kIss) + "=" + (dir_ / "client.jwks").string(),
                         "https://fhir-ehr.example.com/=" + (dir_ / "spec.jwks").string()};
    c.trusted_jku = {"https://fhir-ehr.example.com/=https://fhir-ehr.example.com/"};
    c.public_url = kPublicUrl;
    c.allowed_tenants = {"tenant-a", "2ddd6c3a-8e9a-44c6-a305-52111ad302a2"};
    c.jwt_clock_skew_seconds = 30;
    return c;
  }

  static http::ServerObservers AuthObservers(std::shared_ptr<auth::Authenticator> auth) {
    http::ServerObservers o;
    o.authenticate = [auth](const std::string& m, const std::string& p, const std::string& a) {
      return auth->Check(m, p, a).message();
    };
    return o;
  }

  void SetUp() override {
    auto created = auth::Authenticator::Create(config::AuthOptionsFromConfig(AuthConfig()));
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    auth_ = std::move(*created);
    auto served = auth::Authenticator::Create(config::AuthOptionsFromConfig(AuthConfig()));
    ASSERT_TRUE(served.ok()) << served.status().ToString();
    live_ = std::make_unique<LiveServer>(AuthConfig(), AuthObservers(std::move(*served)));
  }

  httplib::Result Call(const std::string& path, const std::string& authorization) {
    auto c = live_->client();
    httplib::Headers h;
    if (!authorization.empty()) h.emplace("Authorization", authorization);
    if (path == "/cds-services") return c.Get(path.c_str(), h);
    const std::string body =
        path == kFeedbackPath
            ? R"({"feedback":[{"card":"9368d37b-283f-44a0-93ea-547cebc7b1c4","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})"
            : SampleRequest("adult-ra-clean");
    return c.Post(path.c_str(), h, body, "application/json");
  }

  // The live server refuses with a bare 401 and stays healthy; the authenticator's reason (the
  // log line) contains `reason`, so the row fails for the reason it tests.
  void ExpectRefused(const std::string& path, const std::string& authorization,
                     const std::string& reason) {
    auto r = Call(path, authorization);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer");
    // The same bare body for every refusal: nothing tells the caller what was wrong.
    EXPECT_EQ(r->body,
              R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"login",)"
              R"("diagnostics":"Authentication required."}]})");
    auto health = live_->client().Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    const base::Status why = auth_->Check("GET", path, authorization);
    EXPECT_EQ(why.code(), base::Status::Code::kUnauthenticated) << why.ToString();
    EXPECT_NE(why.message().find(reason), std::string::npos) << "reason was: " << why.message();
  }

  void ExpectAccepted(EVP_PKEY* key, TokenSpec t) {
    for (const std::string path : {"/cds-services", kSignPath, kFeedbackPath}) {
      t.path = path;
      t.jti = NewJti();
      auto r = Call(path, "Bearer " + SignedToken(key, t));
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    }
  }

  static std::string Bearer(EVP_PKEY* key, const TokenSpec& t) {
    return "Bearer " + SignedToken(key, t);
  }

  static inline EVP_PKEY* es384_ = nullptr;
  static inline EVP_PKEY* es256_ = nullptr;
  static inline EVP_PKEY* rsa_ = nullptr;
  static inline std::filesystem::path dir_;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<LiveServer> live_;
};

TEST_F(AuthTest, ValidEs384Accepted) { ExpectAccepted(es384_, TokenSpec{}); }

TEST_F(AuthTest, ValidRs384Accepted) {
  TokenSpec t;
  t.alg = "RS384";
  t.kid = "rs384";
  ExpectAccepted(rsa_, t);
}

TEST_F(AuthTest, ValidEs256AndPs384Accepted) {
  TokenSpec t;
  t.alg = "ES256";
  t.kid = "es256";
  EXPECT_TRUE(auth_->Check("GET", "/cds-services", Bearer(es256_, t)).ok());
  t.alg = "PS384";
  t.kid = "ps384";
  t.jti = NewJti();
  EXPECT_TRUE(auth_->Check("GET", "/cds-services", Bearer(rsa_, t)).ok());
}

TEST_F(AuthTest, AudArrayContainingTheUrlAccepted) {
  TokenSpec t;
  t.path = kSignPath;
  t.aud_json =
      R"(["https://other.example.org/cds-services","https://cds.example.org/cds-services/anakinra-order-sign"])";
  auto r = Call(kSignPath, Bearer(es384_, t));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(AuthTest, AudWithTrailingSlashAccepted) {
  TokenSpec t;
  t.aud_json = R"("https://cds.example.org/cds-services/")";
  EXPECT_TRUE(auth_->Check("GET", "/cds-services", Bearer(es384_, t)).ok());
}

TEST_F(AuthTest, SpecExampleTokenHasAValidSignatureButIsExpired) {
  // At a time inside its lifetime the spec's token verifies with the spec's key...
  config::ServerConfig c = AuthConfig();
  c.public_url = "https://cds.example.org";
  c.jwt_max_lifetime_seconds = 200000000;  // its iat..exp span is 3.5 years
  auto a = auth::Authenticator::Create(config::AuthOptionsFromConfig(c));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1422568000));
  const base::Status verdict =
      (*a)->CheckAt("/cds-services/some-service", std::string("Bearer ") + kSpecToken, when);
  EXPECT_TRUE(verdict.ok()) << verdict.ToString();
  // ...and today it is expired.
  ExpectRefused("/cds-services/some-service", std::string("Bearer ") + kSpecToken, "expired");
}

TEST_F(AuthTest, AlgNoneRefused) {
  TokenSpec t;
  t.alg = "none";
  const std::string token =
      Base64UrlEncode(t.HeaderJson()) + "." + Base64UrlEncode(t.ClaimsJson()) + ".";
  ExpectRefused("/cds-services", "Bearer " + token, "malformed token");
  ExpectRefused("/cds-services", "Bearer " + token + "AAAA", "alg \"none\" is not accepted");
}

TEST_F(AuthTest, Hs384WithThePublicKeyAsSecretRefused) {
  TokenSpec t;
  t.alg = "HS384";
  t.kid = "rs384";
  const std::string input = Base64UrlEncode(t.HeaderJson()) + "." + Base64UrlEncode(t.ClaimsJson());
  const std::string secret = PublicPem(rsa_);
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t mac_len = 0;
  ASSERT_TRUE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA384", nullptr, secret.data(), secret.size(),
                        reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
                        sizeof mac, &mac_len));
  const std::string token =
      input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), mac_len));
  ExpectRefused("/cds-services", "Bearer " + token, "alg \"HS384\" is not accepted");
}

TEST_F(AuthTest, WrongAudRefused) {
  TokenSpec t;
  t.path = "/cds-services/anakinra-order-select";  // aud for another service
  ExpectRefused(kSignPath, Bearer(es384_, t), "aud is not");
  TokenSpec host;
  host.aud_json = R"("https://cds.example.org.evil.test/cds-services")";
  ExpectRefused("/cds-services", Bearer(es384_, host), "aud is not");
}

TEST_F(AuthTest, WrongIssRefused) {
  TokenSpec t;
  t.iss = "https://attacker.example.net/";
  ExpectRefused("/cds-services", Bearer(es384_, t), "untrusted iss");
}

TEST_F(AuthTest, ExpiredRefused) {
  TokenSpec t;
  t.iat = Now() - 600;
  t.exp = Now() - 120;  // beyond the 30 s skew
  ExpectRefused("/cds-services", Bearer(es384_, t), "expired");
}

TEST_F(AuthTest, IatInTheFutureRefused) {
  TokenSpec t;
  t.iat = Now() + 120;
  ExpectRefused("/cds-services", Bearer(es384_, t), "iat in the future");
}

TEST_F(AuthTest, NbfInTheFutureRefused) {
  TokenSpec t;
  t.nbf = Now() + 120;
  ExpectRefused("/cds-services", Bearer(es384_, t), "not yet valid");
}

TEST_F(AuthTest, ExpTooFarAheadRefused) {
  TokenSpec t;
  t.exp = Now() + 86400;
  ExpectRefused("/cds-services", Bearer(es384_, t), "exp too far ahead");
}

TEST_F(AuthTest, UnknownKidRefused) {
  TokenSpec t;
  t.kid = "no-such-key";
  ExpectRefused("/cds-services", Bearer(es384_, t), "unknown kid");
}

TEST_F(AuthTest, KeyOfAnotherTypeRefused) {
  TokenSpec t;  // ES384 header naming the RSA key
  t.kid = "rs384";
  ExpectRefused("/cds-services", Bearer(es384_, t), "alg does not match");
}

TEST_F(AuthTest, TamperedPayloadRefused) {
  TokenSpec t;
  const std::string token = SignedToken(es384_, t);
  TokenSpec other = t;
  other.tenant = "2ddd6c3a-8e9a-44c6-a305-52111ad302a2";
  const auto dot1 = token.find('.');
  const auto dot2 = token.find('.', dot1 + 1);
  const std::string tampered =
      token.substr(0, dot1 + 1) + Base64UrlEncode(other.ClaimsJson()) + token.substr(dot2);
  ExpectRefused("/cds-services", "Bearer " + tampered, "bad signature");
}

TEST_F(AuthTest, SignedByAnotherKeyRefused) {
  auto stranger = Generate("P-384");
  ExpectRefused("/cds-services", Bearer(stranger.get(), TokenSpec{}), "bad signature");
}

TEST_F(AuthTest, ReplayedJtiRefused) {
  const std::string bearer = Bearer(es384_, TokenSpec{});
  auto first = Call("/cds-services", bearer);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_TRUE(auth_->Check("GET", "/cds-services", bearer).ok());  // the other instance: first use
  ExpectRefused("/cds-services", bearer, "replayed jti");
}

// Epic and the CDS Hooks sandbox always send a jku; a site that pins the issuer's keys in a file
// must not be refused for it. The jku is then ignored (never fetched: attacker.example.net does
// not even resolve here) and the key comes from the file.
TEST_F(AuthTest, JkuNotOnTheAllowlistIsIgnoredWhenTheKidIsPinned) {
  TokenSpec t;
  t.jku = "https://attacker.example.net/jwks.json";
  ExpectAccepted(es384_, t);
}

TEST_F(AuthTest, JkuNotOnTheAllowlistRefusedWhenTheKidIsNotPinned) {
  TokenSpec t;
  t.kid = "not-in-the-file";
  t.jku = "https://attacker.example.net/jwks.json";
  ExpectRefused("/cds-services", Bearer(es384_, t), "not on the issuer's allowlist");
  TokenSpec lookalike;
  lookalike.iss = "https://fhir-ehr.example.com/";
  lookalike.tenant = "2ddd6c3a-8e9a-44c6-a305-52111ad302a2";
  lookalike.kid = "example-kid";
  lookalike.jku = "https://fhir-ehr.example.com.attacker.net/jwks";
  // The spec issuer pins example-kid: the lookalike jku is ignored, never fetched, and the
  // token fails on the pinned key (it was signed by another one).
  ExpectRefused("/cds-services", Bearer(es384_, lookalike), "bad signature (kid=example-kid)");
}

// A token shaped like Epic's (RS384, a kid with '+', '/' and '=', sub, nbf, a jku on Epic's host,
// no tenant), against a site that pins Epic's keys and lists two names for itself.
TEST(AuthEpic, EpicShapedTokenAccepted) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("anakinra-auth-epic-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Key rsa = Generate("RSA");
  const std::string kid = "Zx+9fQ/3mA==";
  std::ofstream(dir / "epic.jwks")
      << R"({"keys":[)" << auth::PublicJwkJson(rsa.get(), kid, "RS384") << "]}";
  const std::string iss = "https://fhir.epic.example/interconnect-fhir-oauth/oauth2";
  config::ServerConfig c;
  c.trusted_issuers = {iss + "=" + (dir / "epic.jwks").string()};
  c.public_url = kPublicUrl;
  c.public_url_aliases = {"https://cds-alias.example.org/"};
  auto created = auth::Authenticator::Create(config::AuthOptionsFromConfig(c));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  TokenSpec t;
  t.alg = "RS384";
  t.kid = kid;
  t.iss = iss;
  t.tenant = "";
  t.sub = "ErLaS1fMUd3TJtKN4Oq9ZA3";
  t.nbf = Now() - 5;
  t.jku =
      "https://fhir.epic.example/interconnect-fhir-oauth/api/epic/2019/Security/Open/"
      "PublicKeys/530005/OIDC";
  t.path = kSignPath;
  EXPECT_TRUE((*created)->Check("POST", kSignPath, "Bearer " + SignedToken(rsa.get(), t)).ok());
  // The same token shape addressed to the alias, and to a name the site did not list.
  t.jti = NewJti();
  t.aud_json = std::string("\"https://cds-alias.example.org") + kSignPath + "\"";
  EXPECT_TRUE((*created)->Check("POST", kSignPath, "Bearer " + SignedToken(rsa.get(), t)).ok());
  t.jti = NewJti();
  t.aud_json = std::string("\"https://other.example.org") + kSignPath + "\"";
  const base::Status wrong =
      (*created)->Check("POST", kSignPath, "Bearer " + SignedToken(rsa.get(), t));
  EXPECT_EQ(wrong.code(), base::Status::Code::kUnauthenticated);
  EXPECT_NE(wrong.message().find("(nor an alias)"), std::string::npos) << wrong.message();
  std::filesystem::remove_all(dir);
}

TEST_F(AuthTest, TenantNotAllowedRefused) {
  TokenSpec t;
  t.tenant = "tenant-b";
  ExpectRefused("/cds-services", Bearer(es384_, t), "tenant");
}

TEST_F(AuthTest, MalformedBase64Refused) {
  const std::string good = SignedToken(es384_, TokenSpec{});
  ExpectRefused("/cds-services", "Bearer " + good.substr(0, 10) + "!" + good.substr(11),
                "malformed token");
  ExpectRefused("/cds-services", "Bearer " + good + "=", "malformed token");
  ExpectRefused("/cds-services", "Bearer a.b.c", "malformed token");
  ExpectRefused("/cds-services", "Bearer " + good.substr(0, good.rfind('.')), "malformed token");
}

TEST_F(AuthTest, OversizedTokenRefused) {
  TokenSpec t;
  t.tenant = std::string(5000, 'x');  // over the 6 KiB token limit once encoded
  ExpectRefused("/cds-services", Bearer(es384_, t), "token larger than");
  // Beyond httplib's 8192-byte header line limit the request is refused before routing.
  auto r = Call("/cds-services", "Bearer " + std::string(9000, 'A'));
  ASSERT_TRUE(r);
  EXPECT_NE(r->status, 200);
  EXPECT_EQ(live_->client().Get("/healthz")->status, 200);
}

TEST_F(AuthTest, MissingAuthorizationRefused) {
  for (const std::string path : {"/cds-services", kSignPath, kFeedbackPath})
    ExpectRefused(path, "", "no Authorization header");
}

TEST_F(AuthTest, WrongSchemeRefused) {
  ExpectRefused("/cds-services", "Basic dXNlcjpwYXNz", "not a Bearer token");
  ExpectRefused("/cds-services", SignedToken(es384_, TokenSpec{}), "not a Bearer token");
}

TEST_F(AuthTest, PreflightAndHealthzNeedNoToken) {
  auto r = live_->client().Options("/cds-services");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(live_->client().Get("/healthz")->status, 200);
}

TEST(AuthOff, WithoutTrustedIssuersNoTokenIsNeeded) {
  LiveServer live;
  auto r = live.client().Get("/cds-services");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(AuthConfig, BadConfigurationIsRefused) {
  using Code = base::Status::Code;
  config::ServerConfig c;
  c.public_url = kPublicUrl;
  c.trusted_issuers = {"no-equals-sign"};
  EXPECT_EQ(auth::Authenticator::Create(config::AuthOptionsFromConfig(c)).status().code(),
            Code::kInvalidArgument);
  c.trusted_issuers = {"https://x/=/nonexistent/jwks.json"};
  auto missing = auth::Authenticator::Create(config::AuthOptionsFromConfig(c));
  EXPECT_EQ(missing.status().code(), Code::kIoError);
  EXPECT_NE(missing.status().message().find("/nonexistent/jwks.json"), std::string::npos);
  c.public_url = "";
  EXPECT_EQ(auth::Authenticator::Create(config::AuthOptionsFromConfig(c)).status().code(),
            Code::kInvalidArgument);
}

TEST(Jku, PrefixMatchesOnlyAtAPathBoundary) {
  EXPECT_TRUE(auth::JkuAllowed("https://ehr.example.com/jwks", "https://ehr.example.com"));
  EXPECT_TRUE(auth::JkuAllowed("https://ehr.example.com/a/jwks", "https://ehr.example.com/a/"));
  EXPECT_FALSE(
      auth::JkuAllowed("https://ehr.example.com.evil.net/jwks", "https://ehr.example.com"));
  EXPECT_FALSE(
      auth::JkuAllowed("https://ehr.example.com@evil.net/jwks", "https://ehr.example.com"));
  EXPECT_FALSE(auth::JkuAllowed("http://ehr.example.com/jwks", "http://ehr.example.com"));
  EXPECT_FALSE(auth::JkuAllowed("https://ehr.example.com/jwks#x", "https://ehr.example.com"));
  // Out of the prefix's path once a server decodes it (issue 16: found by fuzz_url).
  for (const char* out :
       {"https://ehr.example.com/a/../jwks", "https://ehr.example.com/a/..%2Fjwks",
        "https://ehr.example.com/a/%2e%2e/jwks", "https://ehr.example.com/a/x%5C..",
        "https://ehr.example.com/a/%00"})
    EXPECT_FALSE(auth::JkuAllowed(out, "https://ehr.example.com/a/")) << out;
}

TEST(Base64Url, RoundTripAndStrictness) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba",
                                                       "foobar", std::string("\0\xff\x10", 3)})
    EXPECT_EQ(auth::Base64UrlDecode(Base64UrlEncode(s)), s);
  EXPECT_FALSE(auth::Base64UrlDecode("Zm9v="));
  EXPECT_FALSE(auth::Base64UrlDecode("Zm9+"));
  EXPECT_FALSE(auth::Base64UrlDecode("Z"));
  EXPECT_FALSE(auth::Base64UrlDecode("Zh"));  // non-zero trailing bits
}

TEST(Jwks, RejectsBadKeys) {
  // A point not on the curve: skipped, and `skipped` says why.
  std::vector<std::string> skipped;
  auto keys = auth::ParseJwks(
      R"({"keys":[{"kty":"EC","crv":"P-384","kid":"k","x":"46SDH7Znh821wblCBglA61sNE9ZrHYKKt3qRtRTmSXyOI_FIGBLWrWa0GPUkDCEk","y":"46SDH7Znh821wblCBglA61sNE9ZrHYKKt3qRtRTmSXyOI_FIGBLWrWa0GPUkDCEk"}]})",
      &skipped);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_TRUE(keys->empty());
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].find("JWK \"k\": EC key"), std::string::npos) << skipped[0];
  keys = auth::ParseJwks(R"({"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0"}]})");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_TRUE(keys->empty());
  EXPECT_EQ(auth::ParseJwks(R"({"nokeys":[]})").status().code(),
            base::Status::Code::kInvalidArgument);
  keys = auth::ParseJwks(
      std::string(R"({"keys":[)") +
      R"({"kty":"EC","crv":"P-384","kid":"a","x":"46SDH7Znh821wblCBglA61sNE9ZrHYKKt3qRtRTmSXyOI_FIGBLWrWa0GPUkDCEk","y":"XMcRuuoGW7CXjQdy-F5i3FeBE0x9hPLdeFdSoDd3ELmx404tLX0VRRcqzAsPhXcI"},)" +
      R"({"kty":"EC","crv":"P-384","kid":"a","x":"46SDH7Znh821wblCBglA61sNE9ZrHYKKt3qRtRTmSXyOI_FIGBLWrWa0GPUkDCEk","y":"XMcRuuoGW7CXjQdy-F5i3FeBE0x9hPLdeFdSoDd3ELmx404tLX0VRRcqzAsPhXcI"}]})");
  ASSERT_FALSE(keys.ok());
  EXPECT_NE(keys.status().message().find("twice"), std::string::npos);
}

}  // namespace
