// Missing prefetch fetched over real HTTPS: the real service (loopback HTTP) with the real
// fetcher, against an in-process httplib::SSLServer whose certificate is signed by a CA made at
// test time. The FHIR server is a tiny one serving fhir-samples/adult-unimmunised.json: reads of
// the Patient and searchset Bundles by resource type (MedicationRequest: status=active only).
#include "base/json.h"
#include "config/options.h"
#include "fetch/fhir_fetcher.h"
#include "support/live_server.h"
#include "support/test_support.h"
#include "support/tls_support.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <unistd.h>
#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

namespace {

using namespace testing_support;

constexpr const char* kSample = "adult-unimmunised";  // two cards, from fetched immunizations
constexpr const char* kToken = "secret-access-token-7";

// The request of `kSample` without prefetch, with fhirServer (and fhirAuthorization when `token`).
std::string FetchRequest(const std::string& fhir_server, const std::string& token = "") {
  auto doc = ParseJsonOrDie(SampleRequest(kSample));
  doc.RemoveMember("prefetch");
  SetFhirServer(doc, fhir_server, token);
  return base::ToString(doc);
}

std::vector<std::string> CardCodes(const std::string& body) {
  auto doc = ParseJsonOrDie(body);
  std::vector<std::string> out;
  for (const auto& card : doc["cards"].GetArray())
    out.emplace_back(card["source"]["topic"]["code"].GetString());
  std::sort(out.begin(), out.end());
  return out;
}

// The service's prefetch keys (what the fetcher must fetch when the request has none).
std::set<std::string> PrefetchKeys() {
  std::set<std::string> keys;
  for (const auto& [key, tmpl] : RealHandler()->catalog().Find("anakinra-order-sign")->prefetch)
    keys.insert(key);
  return keys;
}

// A tiny FHIR API over the sample bundle's resources.
class MiniFhir {
 public:
  explicit MiniFhir(const std::string& bundle_path) {
    auto bundle = ParseJsonOrDie(ReadFile(bundle_path));
    for (const auto& entry : bundle["entry"].GetArray()) {
      const auto& r = entry["resource"];
      const std::string type = r["resourceType"].GetString();
      if (type == "Patient") patient_id_ = r["id"].GetString();
      if (type == "MedicationRequest" && std::string(r["status"].GetString()) != "active") continue;
      by_type_[type].push_back(base::ToString(r));
    }
  }

  void Install(httplib::Server& s) {
    s.Get(R"(/fhir/Patient/([^/?]+))", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      if (req.matches[1] != patient_id_) {
        res.status = 404;
        return;
      }
      res.set_content(by_type_["Patient"].front(), "application/fhir+json");
    });
    s.Get(R"(/fhir/([A-Za-z]+))", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      std::string body = R"({"resourceType":"Bundle","type":"searchset","entry":[)";
      const auto it = by_type_.find(req.matches[1]);
      if (it != by_type_.end())
        for (std::size_t i = 0; i < it->second.size(); ++i)
          body += (i ? "," : "") + std::string(R"({"resource":)") + it->second[i] +
                  R"(,"search":{"mode":"match"}})";
      res.set_content(body + "]}", "application/fhir+json");
    });
  }

  std::vector<std::string> authorizations() const {
    std::lock_guard lock(mutex_);
    return authorizations_;
  }

 private:
  void Record(const httplib::Request& req) {
    std::lock_guard lock(mutex_);
    authorizations_.push_back(req.get_header_value("Authorization"));
  }

  std::string patient_id_;
  std::map<std::string, std::vector<std::string>, std::less<>> by_type_;
  mutable std::mutex mutex_;
  std::vector<std::string> authorizations_;
};

class FetchHttpsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("anakinra-fetch-https-" + std::to_string(::getpid()));
    ca_ = new TestCa(MakeTestCa(dir_));
  }
  static void TearDownTestSuite() {
    delete ca_;
    ca_ = nullptr;
    std::filesystem::remove_all(dir_);
  }

  void SetUp() override {
    fhir_ =
        std::make_unique<MiniFhir>(SourcePath(std::string("fhir-samples/") + kSample + ".json"));
    https_ =
        std::make_unique<HttpsTestServer>(*ca_, [this](httplib::Server& s) { fhir_->Install(s); });
  }

  std::string FhirBase() const { return https_->origin() + "/fhir"; }

  // The real service whose fetcher allows only FhirBase() and trusts `ca_file`.
  std::unique_ptr<LiveServer> Serve(const std::string& ca_file) {
    config::ServerConfig config;
    config.fetch_deadline_ms = 5000;  // generous: a loaded machine must not cause timeouts
    config.allowed_fhir_servers = {FhirBase()};
    config.fhir_ca_file = ca_file;
    auto options = config::FetchOptionsFromConfig(config);
    options.on_fetch = [this](const std::string& key, bool ok, const std::string& reason, double) {
      std::lock_guard lock(fetches_mutex_);
      fetches_[key] = ok ? "ok" : reason;
    };
    auto created = fetch::FhirFetcher::Create(options);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    std::shared_ptr<fetch::FhirFetcher> fetcher = created.ok() ? std::move(*created) : nullptr;
    return std::make_unique<LiveServer>(
        config, http::ServerObservers{},
        [fetcher](service::HookService& h) { h.set_fetcher(fetch::FhirFetcher::Hook(fetcher)); });
  }

  httplib::Result Post(const LiveServer& live, const std::string& body) {
    return live.client().Post("/cds-services/anakinra-order-sign", body, "application/json");
  }

  // Every prefetch key was reported to on_fetch with `reason`.
  void ExpectEveryKeyReported(const std::string& reason) {
    std::lock_guard lock(fetches_mutex_);
    for (const auto& key : PrefetchKeys()) {
      ASSERT_TRUE(fetches_.count(key)) << key;
      EXPECT_EQ(fetches_[key], reason) << key;
    }
  }

  // 412 with an OperationOutcome naming every prefetch key, each with `reason`; /healthz 200.
  void ExpectEveryKeyFailed(const LiveServer& live, const httplib::Result& r,
                            const std::string& reason) {
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 412) << r->body;
    auto doc = ParseJsonOrDie(r->body);
    ASSERT_STREQ(doc["resourceType"].GetString(), "OperationOutcome");
    std::set<std::string> named;
    for (const auto& issue : doc["issue"].GetArray()) {
      const std::string expression = issue["expression"][0].GetString();
      const std::string text = issue["diagnostics"].GetString();
      ASSERT_EQ(expression.rfind("prefetch.", 0), 0u) << expression;
      named.insert(expression.substr(9));
      EXPECT_NE(text.find(reason), std::string::npos) << text;
    }
    EXPECT_EQ(named, PrefetchKeys()) << r->body;
    auto health = live.client().Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
  }

  static inline std::filesystem::path dir_;
  static inline TestCa* ca_ = nullptr;
  std::unique_ptr<MiniFhir> fhir_;
  std::unique_ptr<HttpsTestServer> https_;
  std::mutex fetches_mutex_;
  std::map<std::string, std::string> fetches_;  // key → "ok" or the failure reason
};

TEST_F(FetchHttpsTest, FetchingOverVerifiedHttpsGivesTheSameCardsAsFullPrefetch) {
  auto live = Serve(ca_->ca_file);
  auto full = Post(*live, SampleRequest(kSample));
  ASSERT_TRUE(full);
  ASSERT_EQ(full->status, 200) << full->body;
  const auto expected = CardCodes(full->body);
  // The unimmunised sample's two cards come only from the (fetched) immunization record.
  EXPECT_EQ(expected.size(), 2u);
  EXPECT_EQ(https_->requests(), 0);  // full prefetch: nothing fetched

  auto fetched = Post(*live, FetchRequest(FhirBase(), kToken));
  ASSERT_TRUE(fetched) << httplib::to_string(fetched.error());
  ASSERT_EQ(fetched->status, 200) << fetched->body;
  EXPECT_EQ(CardCodes(fetched->body), expected);
  ExpectEveryKeyReported("ok");
  const auto auths = fhir_->authorizations();
  EXPECT_EQ(auths.size(), PrefetchKeys().size());
  for (const auto& a : auths) EXPECT_EQ(a, std::string("Bearer ") + kToken);
}

TEST_F(FetchHttpsTest, WithoutFhirAuthorizationNoBearerIsSent) {
  auto live = Serve(ca_->ca_file);
  auto r = Post(*live, FetchRequest(FhirBase()));
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200) << r->body;
  const auto auths = fhir_->authorizations();
  EXPECT_EQ(auths.size(), PrefetchKeys().size());
  for (const auto& a : auths) EXPECT_EQ(a, "");
}

TEST_F(FetchHttpsTest, WithoutTheTestCaTheCertificateIsRefused) {
  auto live = Serve("");  // the system's CA store, which does not know the test CA
  auto r = Post(*live, FetchRequest(FhirBase(), kToken));
  ExpectEveryKeyFailed(*live, r, "TLS connection failed");
  ExpectEveryKeyReported(fetch::fetch_reason::kTls);
  EXPECT_EQ(https_->requests(), 0);  // no request (so no token) went out
  EXPECT_TRUE(fhir_->authorizations().empty());
}

TEST_F(FetchHttpsTest, PlainHttpToAnAllowlistedHttpsOriginIsNotAttempted) {
  auto live = Serve(ca_->ca_file);
  const std::string http_base = "http://127.0.0.1:" + std::to_string(https_->port()) + "/fhir";
  auto r = Post(*live, FetchRequest(http_base, kToken));
  ExpectEveryKeyFailed(*live, r, "not on this service's allowlist");
  ExpectEveryKeyReported(fetch::fetch_reason::kNotAllowed);  // refused before any connection
  EXPECT_EQ(https_->requests(), 0);
}

}  // namespace
