// Missing prefetch fetched from the client's fhirServer: the real service over loopback HTTP with
// the real fetcher, against a real FHIR server (medplum's in-memory repository behind
// tests/fhir-server/server.js) loaded with every fhir-samples bundle. Failure modes come from the
// test server's /_test/... path knobs. Also unit tests of URL parsing, the allowlist and template
// filling. No timing is asserted: elapsed times are only recorded.
#include "base/json.h"
#include "cdshooks/prefetch_template.h"
#include "config/options.h"
#include "fetch/fhir_fetcher.h"
#include "net/url.h"
#include "support/fhir_server_process.h"
#include "support/live_server.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

namespace {

using namespace testing_support;

// ---------------------------------------------------------------- against the real FHIR server

// Card signature: code, indicator and each suggestion's action types, sorted.
std::vector<std::string> CardSignatures(const std::string& body) {
  auto doc = ParseJsonOrDie(body);
  std::vector<std::string> out;
  for (const auto& card : doc["cards"].GetArray()) {
    std::string s = std::string(card["source"]["topic"]["code"].GetString()) + " " +
                    card["indicator"].GetString() + " [";
    if (card.HasMember("suggestions"))
      for (const auto& sug : card["suggestions"].GetArray()) {
        s += "(";
        if (sug.HasMember("actions"))
          for (const auto& a : sug["actions"].GetArray())
            s += std::string(a["type"].GetString()) + " ";
        s += ")";
      }
    out.push_back(s + "]");
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A sample request with its prefetch removed (all of it, or only `drop`) and fhirServer set.
std::string FetchRequest(const std::string& sample, const std::string& fhir_server,
                         const std::string& hook = "order-sign", const std::string& token = "",
                         const std::vector<std::string>& drop = {}) {
  auto doc = ParseJsonOrDie(SampleRequest(sample, hook));
  if (drop.empty()) {
    doc.RemoveMember("prefetch");
  } else {
    for (const auto& key : drop) doc["prefetch"].RemoveMember(key.c_str());
  }
  SetFhirServer(doc, fhir_server, token);
  return base::ToString(doc);
}

// ---------------------------------------------------------------- URL parsing and allowlist

class FetchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    if (!FhirServerProcess::Available(why)) {
      skip_reason_ = new std::string(why);
      return;
    }
    fhir_ = new FhirServerProcess();
    for (const auto& name : SampleNames())
      fhir_->LoadBundle(ReadFile(SourcePath("fhir-samples/" + name + ".json")));
  }
  static void TearDownTestSuite() {
    delete fhir_;
    fhir_ = nullptr;
  }
  void SetUp() override {
    if (skip_reason_ != nullptr) GTEST_SKIP() << *skip_reason_;
  }

  // The real service with the real fetcher; `fetches` collects on_fetch reports. The deadline is
  // generous (5 s) unless a test is about it, so a loaded machine does not turn the FHIR server's
  // answers into timeouts.
  static config::ServerConfig Config() {
    config::ServerConfig config;
    config.fetch_deadline_ms = 5000;
    return config;
  }
  // `pool`: the fetch pool's size (0: the FetchOptions default).
  std::unique_ptr<LiveServer> Serve(config::ServerConfig config = Config(), std::size_t pool = 0) {
    auto options = config::FetchOptionsFromConfig(config);
    if (pool != 0) options.max_concurrent_fetches = pool;
    options.on_fetch = [this](const std::string& key, bool ok, const std::string& reason, double) {
      std::lock_guard lock(fetches_mutex_);
      fetches_.push_back(key + ":" + (ok ? "ok" : reason));
    };
    auto created = fetch::FhirFetcher::Create(options);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    std::shared_ptr<fetch::FhirFetcher> fetcher = created.ok() ? std::move(*created) : nullptr;
    return std::make_unique<LiveServer>(
        config, http::ServerObservers{},
        [fetcher](service::HookService& h) { h.set_fetcher(fetch::FhirFetcher::Hook(fetcher)); });
  }

  struct Answer {
    httplib::Result result;
    double ms = 0;
  };
  Answer Post(const LiveServer& server, const std::string& body,
              const std::string& service = "anakinra-order-sign") {
    auto client = server.client();
    const auto start = std::chrono::steady_clock::now();
    Answer a{client.Post("/cds-services/" + service, body, "application/json"), 0};
    a.ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    RecordProperty("answer_ms", std::to_string(static_cast<int>(a.ms)));
    return a;
  }

  // 412 with an OperationOutcome whose issues name `key` (expression prefetch.<key>) and contain
  // `reason`; then the server still answers /healthz.
  void ExpectPreconditionFailed(const LiveServer& server, const Answer& a, const std::string& key,
                                const std::string& reason) {
    ASSERT_TRUE(a.result) << httplib::to_string(a.result.error());
    EXPECT_EQ(a.result->status, 412) << a.result->body;
    auto doc = ParseJsonOrDie(a.result->body);
    ASSERT_STREQ(doc["resourceType"].GetString(), "OperationOutcome");
    bool found = false;
    for (const auto& issue : doc["issue"].GetArray()) {
      if (std::string(issue["expression"][0].GetString()) != "prefetch." + key) continue;
      found = true;
      const std::string text = issue["diagnostics"].GetString();
      EXPECT_NE(text.find("\"" + key + "\""), std::string::npos) << text;
      EXPECT_NE(text.find(reason), std::string::npos) << text;
    }
    EXPECT_TRUE(found) << "no issue for prefetch." << key << " in " << a.result->body;
    auto health = server.client().Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
  }

  std::vector<std::string> Recorded(const std::string& id, const std::string& field) {
    httplib::Client c("127.0.0.1", fhir_->port());
    auto r = c.Get("/_test/requests/" + id);
    EXPECT_TRUE(r && r->status == 200);
    std::vector<std::string> out;
    if (!r) return out;
    auto doc = ParseJsonOrDie(r->body);
    for (const auto& e : doc.GetArray()) out.emplace_back(e[field.c_str()].GetString());
    return out;
  }

  static std::string Base(const std::string& knobs = "") { return fhir_->base_url() + knobs; }

  static inline FhirServerProcess* fhir_ = nullptr;
  static inline std::string* skip_reason_ = nullptr;
  std::mutex fetches_mutex_;
  std::vector<std::string> fetches_;
};

TEST_F(FetchTest, EverySampleGetsTheSameCardsByFetchingAsWithFullPrefetch) {
  auto server = Serve();
  int compared = 0;
  int expected = 0;
  for (const auto& name : SampleNames()) {
    // Each sample under the hooks it is for: its golden's hook (patient-view samples have no
    // draft order), or both order hooks.
    const auto golden =
        ParseJsonOrDie(ReadFile(SourcePath("fhir-samples/expected/" + name + ".cards.json")));
    const std::string golden_hook = golden["hook"].GetString();
    const std::vector<std::string> hooks =
        golden_hook == "patient-view" ? std::vector<std::string>{"patient-view"}
                                      : std::vector<std::string>{"order-sign", "order-select"};
    expected += static_cast<int>(hooks.size());
    for (const std::string& hook : hooks) {
      const std::string service = "anakinra-" + hook;
      auto full = Post(*server, SampleRequest(name, hook), service);
      ASSERT_TRUE(full.result) << name;
      ASSERT_EQ(full.result->status, 200) << name << " " << full.result->body;
      auto fetched = Post(*server, FetchRequest(name, Base(), hook), service);
      ASSERT_TRUE(fetched.result) << name;
      ASSERT_EQ(fetched.result->status, 200) << name << " " << hook << " " << fetched.result->body;
      EXPECT_EQ(CardSignatures(fetched.result->body), CardSignatures(full.result->body))
          << name << " " << hook;
      ++compared;
    }
  }
  EXPECT_EQ(compared, expected);
  EXPECT_GE(SampleNames().size(), 30u);
  std::lock_guard lock(fetches_mutex_);
  EXPECT_FALSE(fetches_.empty());
  for (const auto& f : fetches_) EXPECT_NE(f.find(":ok"), std::string::npos) << f;
}

TEST_F(FetchTest, OnlyMissingKeysAreFetchedAndNullIsNotFetched) {
  auto server = Serve();
  auto doc = ParseJsonOrDie(FetchRequest("adult-ra-clean", Base("/_test/record/partial"),
                                         "order-sign", "", {"conditions"}));
  doc["prefetch"]["immunizations"].SetNull();  // "no data": must not be fetched
  auto a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 200) << a.result->body;
  auto paths = Recorded("partial", "path");
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_NE(paths[0].find("/Condition?"), std::string::npos) << paths[0];
}

TEST_F(FetchTest, OperationOutcomeInPrefetchIsFetchedAgain) {
  auto server = Serve();
  auto doc = ParseJsonOrDie(
      FetchRequest("adult-ra-clean", Base("/_test/record/oo"), "order-sign", "", {"__none__"}));
  auto& a = doc.GetAllocator();
  rapidjson::Value oo(rapidjson::kObjectType);
  oo.AddMember("resourceType", "OperationOutcome", a);
  doc["prefetch"]["allergies"] = oo;
  auto answer = Post(*server, base::ToString(doc));
  ASSERT_TRUE(answer.result);
  EXPECT_EQ(answer.result->status, 200) << answer.result->body;
  auto paths = Recorded("oo", "path");
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_NE(paths[0].find("/AllergyIntolerance?"), std::string::npos) << paths[0];
}

TEST_F(FetchTest, ServerDownAnswers412) {
  auto server = Serve();
  const std::string down = "http://127.0.0.1:" + std::to_string(ClosedLoopbackPort());
  auto a = Post(*server, FetchRequest("adult-ra-clean", down));
  ExpectPreconditionFailed(*server, a, "patient", "could not be reached");
  ExpectPreconditionFailed(*server, a, "medications", "could not be reached");
}

TEST_F(FetchTest, SlowerThanTheDeadlineAnswers412) {
  config::ServerConfig config;
  config.fetch_deadline_ms = 300;
  auto server = Serve(config);
  auto a = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/delay/5000")));
  ExpectPreconditionFailed(*server, a, "patient", "300 ms fetch deadline");
  ExpectPreconditionFailed(*server, a, "observations", "300 ms fetch deadline");
  // Not asserted (timings flake on a loaded machine); recorded and printed for the reader.
  std::cout << "[ timing ] deadline 300 ms, server delay 5000 ms: answered in "
            << static_cast<int>(a.ms) << " ms\n";
  std::lock_guard lock(fetches_mutex_);
  for (const auto& f : fetches_) EXPECT_NE(f.find(":timeout"), std::string::npos) << f;
}

TEST_F(FetchTest, Http500Answers412) {
  auto server = Serve();
  auto a = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/status/500")));
  ExpectPreconditionFailed(*server, a, "patient", "HTTP 500");
  ExpectPreconditionFailed(*server, a, "conditions", "HTTP 500");
}

TEST_F(FetchTest, Http401Answers412) {
  auto server = Serve();
  auto a =
      Post(*server, FetchRequest("adult-ra-clean", Base("/_test/status/401"), "order-sign", "tok"));
  ExpectPreconditionFailed(*server, a, "patient", "HTTP 401 (not authorised");
}

// Policy v2 section 0: the Patient read fails (404), but the other keys are fetched and give
// warning cards (a start with no vaccination and no count on record), so the answer is 200 with
// those cards and a data-not-checked card naming the patient key, not a 412.
TEST_F(FetchTest, ReadOfUnknownPatientKeepsTheOtherCardsAndSaysWhatWasNotChecked) {
  auto server = Serve();
  auto doc = ParseJsonOrDie(FetchRequest("adult-ra-clean", Base()));
  doc["context"]["patientId"].SetString("not-on-this-server");
  auto a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result) << httplib::to_string(a.result.error());
  ASSERT_EQ(a.result->status, 200) << a.result->body;
  auto body = ParseJsonOrDie(a.result->body);
  std::vector<std::string> codes;
  const base::Json* not_checked = nullptr;
  for (const auto& card : body["cards"].GetArray()) {
    codes.emplace_back(card["source"]["topic"]["code"].GetString());
    if (codes.back() == "data-not-checked") not_checked = &card;
  }
  EXPECT_NE(std::find(codes.begin(), codes.end(), "immunisation-pneumococcal"), codes.end());
  ASSERT_NE(not_checked, nullptr) << a.result->body;
  EXPECT_STREQ((*not_checked)["indicator"].GetString(), "warning");
  EXPECT_NE(std::string((*not_checked)["detail"].GetString()).find("`patient`"), std::string::npos)
      << (*not_checked)["detail"].GetString();
}

TEST_F(FetchTest, GarbageBodyAnswers412) {
  auto server = Serve();
  auto a = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/garbage")));
  ExpectPreconditionFailed(*server, a, "patient", "not FHIR JSON");
  a = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/not-fhir")));
  ExpectPreconditionFailed(*server, a, "medications", "not FHIR JSON (no resourceType)");
}

TEST_F(FetchTest, RedirectIsNotFollowed) {
  auto server = Serve();
  auto a = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/redirect")));
  ExpectPreconditionFailed(*server, a, "patient", "redirects are not followed");
}

TEST_F(FetchTest, PagedResultsAreFollowedAndMerged) {
  auto server = Serve();
  const std::string name = "adult-ra-clean";
  auto full = Post(*server, SampleRequest(name));
  ASSERT_TRUE(full.result);
  auto paged = Post(*server, FetchRequest(name, Base("/_test/record/paged/_test/count/1")));
  ASSERT_TRUE(paged.result);
  ASSERT_EQ(paged.result->status, 200) << paged.result->body;
  EXPECT_EQ(CardSignatures(paged.result->body), CardSignatures(full.result->body));
  // One entry per page: a search with several results took several requests.
  auto paths = Recorded("paged", "path");
  int observation_pages = 0;
  for (const auto& p : paths) observation_pages += p.find("/Observation?") != std::string::npos;
  EXPECT_GE(observation_pages, 2);
  int with_offset = 0;
  for (const auto& p : paths) with_offset += p.find("_offset=") != std::string::npos;
  EXPECT_GE(with_offset, 1);
}

TEST_F(FetchTest, MorePagesThanTheLimitAnswers412) {
  auto config = Config();
  config.fetch_max_pages = 1;
  auto server = Serve(config);
  auto a = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/count/1")));
  ExpectPreconditionFailed(*server, a, "observations", "more than 1 pages");
}

TEST_F(FetchTest, NextLinkToAnotherOriginIsRefused) {
  auto server = Serve();
  auto a =
      Post(*server, FetchRequest("adult-ra-clean",
                                 Base("/_test/record/foreign/_test/count/1/_test/foreign-next"),
                                 "order-sign", "secret-token-1"));
  ExpectPreconditionFailed(*server, a, "observations",
                           "points to another origin (http://localhost:");
  for (const auto& host : Recorded("foreign", "host"))
    EXPECT_EQ(host, "127.0.0.1:" + std::to_string(fhir_->port()))
        << "a foreign next link was followed";
}

TEST_F(FetchTest, DisallowedFhirServerIsNeverContacted) {
  auto server = Serve();
  // Not on the (default, loopback-only) allowlist: refused before any connection, so the answer
  // is immediate; were it contacted, this non-routable address would hang until the deadline.
  auto a = Post(*server, FetchRequest("adult-ra-clean", "http://10.255.255.1/fhir"));
  ExpectPreconditionFailed(*server, a, "patient",
                           "fhirServer http://10.255.255.1:80/fhir is not on this service's "
                           "allowlist (setting allowed_fhir_servers)");
  ExpectPreconditionFailed(*server, a, "observations", "not on this service's allowlist");
  std::lock_guard lock(fetches_mutex_);
  ASSERT_FALSE(fetches_.empty());
  for (const auto& f : fetches_) EXPECT_NE(f.find(":not_allowed"), std::string::npos) << f;
}

TEST_F(FetchTest, ConfiguredAllowlistReplacesTheLoopbackDefault) {
  auto config = Config();
  config.allowed_fhir_servers = {Base("/_test/record/allowed")};
  auto server = Serve(config);
  auto ok = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/record/allowed")));
  ASSERT_TRUE(ok.result);
  EXPECT_EQ(ok.result->status, 200) << ok.result->body;
  // Same origin, path outside the prefix; and userinfo tricks: refused without a request.
  auto a = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/record/other")));
  ExpectPreconditionFailed(*server, a, "patient", "not on this service's allowlist");
  a = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/record/allowedx")));
  ExpectPreconditionFailed(*server, a, "patient", "not on this service's allowlist");
  a = Post(*server,
           FetchRequest("adult-ra-clean", "http://127.0.0.1:" + std::to_string(fhir_->port()) +
                                              "@127.0.0.2:1/_test/record/allowed"));
  ExpectPreconditionFailed(*server, a, "patient", "userinfo");
  EXPECT_TRUE(Recorded("other", "path").empty());
  EXPECT_TRUE(Recorded("allowedx", "path").empty());
}

// Issue 16, item 9: an escape in an allowlisted fhirServer path that a server decodes into a
// separator, a dot segment, a NUL or a second escape was fetched, with the access token, from
// outside the allowed prefix. Now the fhirServer is unusable: 412, no request, no token sent.
TEST_F(FetchTest, EncodedSeparatorsInAnAllowlistedFhirServerPathAreNeverFetched) {
  auto config = Config();
  config.allowed_fhir_servers = {Base("/_test/record/encoded")};
  auto server = Serve(config);
  for (const char* tail : {"/..%2F..%2F_test%2Frecord%2Fescaped", "/%2E%2E/%2e%2e/admin",
                           "/..%5C..%5Cadmin", "/Patient%00", "/..%252F..%252Fadmin"}) {
    auto a = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/record/encoded") + tail,
                                        "order-sign", "secret-token-9"));
    ExpectPreconditionFailed(*server, a, "patient", "fhirServer is not usable: the path has");
  }
  EXPECT_TRUE(Recorded("encoded", "path").empty()) << "a request reached the FHIR server";
  EXPECT_TRUE(Recorded("escaped", "path").empty());
  std::lock_guard lock(fetches_mutex_);
  ASSERT_FALSE(fetches_.empty());
  for (const auto& f : fetches_) EXPECT_NE(f.find(":bad_fhir_server"), std::string::npos) << f;
}

TEST_F(FetchTest, AccessTokenGoesOnlyToTheFhirServerOrigin) {
  auto server = Serve();
  auto a = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/record/token/_test/count/2"),
                                      "order-sign", "secret-token-2"));
  ASSERT_TRUE(a.result);
  ASSERT_EQ(a.result->status, 200) << a.result->body;
  auto auth = Recorded("token", "authorization");
  auto hosts = Recorded("token", "host");
  auto accept = Recorded("token", "accept");
  ASSERT_GE(auth.size(), 6u);  // every key, and next pages
  for (std::size_t i = 0; i < auth.size(); ++i) {
    EXPECT_EQ(hosts[i], "127.0.0.1:" + std::to_string(fhir_->port()));
    EXPECT_EQ(auth[i], "Bearer secret-token-2");
    EXPECT_EQ(accept[i], "application/fhir+json");
  }
  // Without fhirAuthorization no Authorization header is sent at all.
  a = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/record/notoken")));
  ASSERT_TRUE(a.result);
  ASSERT_EQ(a.result->status, 200) << a.result->body;
  for (const auto& h : Recorded("notoken", "authorization")) EXPECT_EQ(h, "");
  EXPECT_FALSE(Recorded("notoken", "authorization").empty());
}

TEST_F(FetchTest, NoFhirServerAnswers412WithoutFetching) {
  auto server = Serve();
  auto doc = ParseJsonOrDie(FetchRequest("adult-ra-clean", Base()));
  doc.RemoveMember("fhirServer");
  auto a = Post(*server, base::ToString(doc));
  ExpectPreconditionFailed(*server, a, "patient", "no fhirServer");
}

// ---------------------------------------------------------------- the bounded fetch pool

// Threads of this process now (/proc/self/task has one entry per thread).
std::size_t ThreadCount() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// A thread that has been joined may stay listed for a moment while the kernel reaps it: waits (at
// most 10 s, polling) for the count to come down to `expected`, and returns the last count.
std::size_t ThreadCountSettlingAt(std::size_t expected) {
  std::size_t n = ThreadCount();
  for (int i = 0; i < 1000 && n > expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    n = ThreadCount();
  }
  return n;
}

TEST(FetchPool, TheFetcherStartsItsWorkersOnceAndJoinsThemWhenDestroyed) {
  const std::size_t before = ThreadCount();
  fetch::FetchOptions options;
  options.max_concurrent_fetches = 4;
  {
    auto fetcher = fetch::FhirFetcher::Create(options);
    ASSERT_TRUE(fetcher.ok()) << fetcher.status().ToString();
    EXPECT_EQ(ThreadCount(), before + 4);
  }
  EXPECT_EQ(ThreadCountSettlingAt(before), before);
  options.max_concurrent_fetches = 0;
  EXPECT_EQ(fetch::FhirFetcher::Create(options).status().code(),
            base::Status::Code::kInvalidArgument);
}

// More concurrent requests than pool workers, each with six keys to fetch from a server that
// takes a while to answer: every request gets its cards, and the process never has more threads
// than before the requests plus the test's own client threads (one detached thread per key, as
// before the pool, would add up to 6 x kClients).
TEST_F(FetchTest, ManyConcurrentRequestsShareTheBoundedPool) {
  constexpr std::size_t kPool = 3;
  constexpr int kClients = 6;
  config::ServerConfig config;
  config.fetch_deadline_ms = 60000;  // generous: the pool works through 36 delayed fetches
  auto server = Serve(config, kPool);
  auto post = [&server] {
    auto client = server->client();
    client.set_read_timeout(120, 0);  // a loaded machine may be slow; that is not what is tested
    return client.Post("/cds-services/anakinra-order-sign",
                       FetchRequest("adult-ra-clean", Base("/_test/delay/50")), "application/json");
  };
  auto expected = post();
  ASSERT_TRUE(expected);
  ASSERT_EQ(expected->status, 200) << expected->body;
  const auto expected_cards = CardSignatures(expected->body);

  const std::size_t baseline = ThreadCount();
  std::atomic<bool> done{false};
  std::atomic<std::size_t> most{0};
  std::thread sampler([&] {
    while (!done) {
      const std::size_t n = ThreadCount();
      if (n > most) most = n;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  std::vector<std::thread> clients;
  std::vector<int> statuses(kClients, 0);
  std::vector<std::vector<std::string>> cards(kClients);
  for (int i = 0; i < kClients; ++i)
    clients.emplace_back([&, i] {
      auto r = post();
      if (!r) return;
      statuses[i] = r->status;
      if (r->status == 200) cards[i] = CardSignatures(r->body);
    });
  for (auto& c : clients) c.join();
  done = true;
  sampler.join();

  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(statuses[i], 200) << "client " << i;
    EXPECT_EQ(cards[i], expected_cards) << "client " << i;
  }
  std::cout << "[ threads ] " << baseline << " before the requests, at most " << most.load()
            << " during them (" << kClients << " client threads and the sampler included)\n";
  EXPECT_LE(most.load(), baseline + kClients + 1)  // + the sampler
      << "threads grew from " << baseline << " to " << most.load();
  EXPECT_EQ(ThreadCountSettlingAt(baseline), baseline);
  std::lock_guard lock(fetches_mutex_);
  EXPECT_EQ(fetches_.size(), 6u * (kClients + 1));
  for (const auto& f : fetches_) EXPECT_NE(f.find(":ok"), std::string::npos) << f;
}

// ---------------------------------------------------------------- policy v2 §0: paging, failed
// queries, Medication references, 412 vs 200

// Cards' (code, indicator) pairs, sorted.
std::vector<std::string> Codes(const std::string& body) {
  auto doc = ParseJsonOrDie(body);
  std::vector<std::string> out;
  if (!doc.IsObject() || !doc.HasMember("cards")) return out;
  for (const auto& card : doc["cards"].GetArray())
    out.push_back(std::string(card["source"]["topic"]["code"].GetString()) + ":" +
                  card["indicator"].GetString());
  std::sort(out.begin(), out.end());
  return out;
}

bool Has(const std::vector<std::string>& codes, const std::string& code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

class PagingTest : public FetchTest {
 protected:
  // GET <path> from the test FHIR server (path includes any /_test knobs), as a JSON text.
  std::string Get(const std::string& path) {
    httplib::Client c("127.0.0.1", fhir_->port());
    auto r = c.Get(path);
    EXPECT_TRUE(r && r->status == 200) << path;
    return r ? r->body : std::string();
  }
  static std::string PatientOf(const rapidjson::Document& request) {
    return request["context"]["patientId"].GetString();
  }
  // Replaces prefetch.<key> of `request` with `json`.
  static void SetKey(rapidjson::Document& request, const std::string& key,
                     const std::string& json) {
    auto value = ParseJsonOrDie(json);
    auto& a = request.GetAllocator();
    rapidjson::Value copy(value, a);
    request["prefetch"].RemoveMember(key.c_str());
    request["prefetch"].AddMember(rapidjson::Value(key.c_str(), a), copy, a);
  }
  // The full-prefetch conditions Bundle of `request` with a `next` link to `next` added.
  static std::string WithNext(const rapidjson::Document& request, const std::string& key,
                              const std::string& next) {
    rapidjson::Document d;
    d.CopyFrom(request["prefetch"][key.c_str()], d.GetAllocator());
    d.RemoveMember("link");
    rapidjson::Value links(rapidjson::kArrayType), link(rapidjson::kObjectType);
    link.AddMember("relation", "next", d.GetAllocator());
    link.AddMember("url", rapidjson::Value(next.c_str(), d.GetAllocator()), d.GetAllocator());
    links.PushBack(link, d.GetAllocator());
    d.AddMember("link", links, d.GetAllocator());
    return base::ToString(d);
  }
  // The 412 issue text for `key`, or "" when there is none.
  static std::string IssueFor(const std::string& body, const std::string& key) {
    auto doc = ParseJsonOrDie(body);
    if (!doc.IsObject() || !doc.HasMember("issue")) return "";
    for (const auto& issue : doc["issue"].GetArray())
      if (std::string(issue["expression"][0].GetString()) == "prefetch." + key)
        return issue["diagnostics"].GetString();
    return "";
  }
};

TEST_F(PagingTest, ClientPagedSearchsetIsFollowedThroughFhirServer) {
  auto server = Serve();
  for (const std::string name : {"adult-ra-clean", "adult-tnf-antagonist"}) {
    auto full = Post(*server, SampleRequest(name));
    ASSERT_TRUE(full.result);
    auto doc = ParseJsonOrDie(SampleRequest(name));
    const std::string record = "client-paged-" + name;
    // Page 1 of the patient's immunizations, one entry a page, as the EHR would send it.
    const std::string page =
        Get("/_test/record/" + record + "/_test/count/1/Immunization?patient=" + PatientOf(doc));
    ASSERT_NE(page.find("\"next\""), std::string::npos) << "the sample needs two immunizations";
    SetKey(doc, "immunizations", page);
    SetFhirServer(doc, Base("/_test/record/" + record));
    auto paged = Post(*server, base::ToString(doc));
    ASSERT_TRUE(paged.result);
    EXPECT_EQ(paged.result->status, full.result->status) << name << " " << paged.result->body;
    EXPECT_EQ(CardSignatures(paged.result->body), CardSignatures(full.result->body)) << name;
    // The service asked for page 2 (and only for it: every other key was sent).
    auto paths = Recorded(record, "path");
    ASSERT_EQ(paths.size(), 2u) << name;
    EXPECT_NE(paths[1].find("_offset=1"), std::string::npos) << paths[1];
  }
}

TEST_F(PagingTest, NextLinkThatCannotBeFollowedLeavesTheKeyIncomplete) {
  auto server = Serve();
  auto doc = ParseJsonOrDie(SampleRequest("adult-ra-clean"));
  const std::string foreign =
      "http://localhost:" + std::to_string(fhir_->port()) + "/_test/record/refused/Condition?x=2";
  SetKey(doc, "conditions", WithNext(doc, "conditions", foreign));

  // No fhirServer: nothing to follow it with.
  auto a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 412) << a.result->body;
  std::string why = IssueFor(a.result->body, "conditions");
  EXPECT_NE(why.find("incomplete: more pages that could not be followed"), std::string::npos)
      << why;
  EXPECT_NE(why.find("no fhirServer"), std::string::npos) << why;
  EXPECT_EQ(IssueFor(a.result->body, "patient"), "");  // complete keys are not named

  // A fhirServer, but the link leaves its origin: refused, never contacted.
  SetFhirServer(doc, Base("/_test/record/refused-base"));
  a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 412) << a.result->body;
  why = IssueFor(a.result->body, "conditions");
  EXPECT_NE(why.find("incomplete"), std::string::npos) << why;
  EXPECT_NE(why.find("points to another origin"), std::string::npos) << why;
  EXPECT_TRUE(Recorded("refused", "path").empty());
  EXPECT_TRUE(Recorded("refused-base", "path").empty());

  // A fhirServer that is not allowed: refused before any connection.
  SetFhirServer(doc, "http://10.255.255.1/fhir");
  SetKey(doc, "conditions", WithNext(doc, "conditions", "http://10.255.255.1/fhir/Condition?p=2"));
  a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 412) << a.result->body;
  why = IssueFor(a.result->body, "conditions");
  EXPECT_NE(why.find("not on this service's allowlist"), std::string::npos) << why;
}

TEST_F(PagingTest, PageLimitLeavesTheKeyIncompleteNotFailed) {
  auto config = Config();
  config.fetch_max_pages = 1;
  auto server = Serve(config);
  auto doc = ParseJsonOrDie(SampleRequest("adult-ra-clean"));
  SetKey(doc, "immunizations", Get("/_test/count/1/Immunization?patient=" + PatientOf(doc)));
  SetFhirServer(doc, Base());
  auto a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 412) << a.result->body;
  const std::string why = IssueFor(a.result->body, "immunizations");
  EXPECT_NE(why.find("incomplete"), std::string::npos) << why;
  EXPECT_NE(why.find("more than 1 pages"), std::string::npos) << why;
}

TEST_F(PagingTest, ErrorOutcomeEntryMakesTheKeyMissing) {
  auto server = Serve();
  auto doc = ParseJsonOrDie(SampleRequest("adult-ra-clean"));
  SetKey(
      doc, "conditions",
      R"({"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"too-costly"}]},"search":{"mode":"outcome"}}]})");
  // Sent by the client, nothing to fetch it from: missing.
  auto a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 412) << a.result->body;
  EXPECT_NE(IssueFor(a.result->body, "conditions").find("failed query"), std::string::npos)
      << a.result->body;
  // With a fhirServer the key is fetched again by the template.
  SetFhirServer(doc, Base("/_test/record/oo-entry"));
  a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 200) << a.result->body;
  auto paths = Recorded("oo-entry", "path");
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_NE(paths[0].find("/Condition?"), std::string::npos) << paths[0];
}

TEST_F(PagingTest, FetchedPagesAreAssessedTheSameWay) {
  auto server = Serve();
  // The server's searchset holds an error OperationOutcome entry: a failed query.
  auto a = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/outcome-entry/error"),
                                      "order-sign", "", {"conditions"}));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 412) << a.result->body;
  EXPECT_NE(IssueFor(a.result->body, "conditions").find("failed query"), std::string::npos)
      << a.result->body;
  // A warning entry is ignored.
  auto full = Post(*server, SampleRequest("adult-ra-clean"));
  a = Post(*server, FetchRequest("adult-ra-clean", Base("/_test/outcome-entry/warning"),
                                 "order-sign", "", {"conditions"}));
  ASSERT_TRUE(a.result && full.result);
  EXPECT_EQ(a.result->status, 200) << a.result->body;
  EXPECT_EQ(CardSignatures(a.result->body), CardSignatures(full.result->body));
}

TEST_F(PagingTest, StringPrefetchValueIsAMissingKeyNot400) {
  auto server = Serve();
  auto doc = ParseJsonOrDie(SampleRequest("adult-ra-clean"));
  auto& alloc = doc.GetAllocator();
  doc["prefetch"]["patient"].SetString("123");
  doc["prefetch"].AddMember("user", "123", alloc);  // the CDS Hooks spec's erratum
  auto a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 412) << a.result->body;
  EXPECT_NE(IssueFor(a.result->body, "patient").find("a string"), std::string::npos)
      << a.result->body;
  SetFhirServer(doc, Base());  // fetched instead
  a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 200) << a.result->body;
}

// Medication/{id} of a draft order, neither contained nor in the request: read from fhirServer.
TEST_F(PagingTest, MedicationReferenceIsReadFromFhirServer) {
  fhir_->LoadBundle(
      R"({"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"PUT","url":"Medication/prefetch-test-kineret"},"resource":{"resourceType":"Medication","id":"prefetch-test-kineret","code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"72435","display":"anakinra"}]}}}]})");
  auto server = Serve();
  const std::string name = "adult-tnf-antagonist";
  auto full = Post(*server, SampleRequest(name));
  ASSERT_TRUE(full.result);
  auto doc = ParseJsonOrDie(SampleRequest(name));
  auto& alloc = doc.GetAllocator();
  bool replaced = false;
  for (auto& e : doc["context"]["draftOrders"]["entry"].GetArray()) {
    auto& r = e["resource"];
    if (!r.HasMember("medicationCodeableConcept")) continue;
    const std::string code = r["medicationCodeableConcept"]["coding"][0]["code"].GetString();
    if (code != "72435") continue;
    r.RemoveMember("medicationCodeableConcept");
    rapidjson::Value ref(rapidjson::kObjectType);
    ref.AddMember("reference", "Medication/prefetch-test-kineret", alloc);
    r.AddMember("medicationReference", ref, alloc);
    replaced = true;
  }
  ASSERT_TRUE(replaced);
  SetFhirServer(doc, Base("/_test/record/medication"));
  auto a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, full.result->status) << a.result->body;
  EXPECT_EQ(CardSignatures(a.result->body), CardSignatures(full.result->body));
  auto paths = Recorded("medication", "path");
  ASSERT_FALSE(paths.empty());
  EXPECT_NE(paths[0].find("/Medication/prefetch-test-kineret"), std::string::npos) << paths[0];
}

// ---- these need the v2 engine and rules of the other helpers (facts, rules)

// A page sorted newest first (observations: _sort=-date) whose oldest entry is older than the
// longest look-back is complete: its `next` link need not (and here cannot) be followed. Needs
// Knowledge::dosing.longest_lookback_days from the rules helper's knowledge loader.
TEST_F(PagingTest, DateSortedPagePastTheLookBackIsComplete) {
  auto server = Serve();
  auto full = Post(*server, SampleRequest("adult-ra-clean"));
  ASSERT_TRUE(full.result);
  auto doc = ParseJsonOrDie(SampleRequest("adult-ra-clean"));
  auto page = ParseJsonOrDie(WithNext(doc, "observations", "http://localhost:1/Observation?p=2"));
  auto& pa = page.GetAllocator();
  auto old = ParseJsonOrDie(
      R"({"resource":{"resourceType":"Observation","id":"old-weight","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"subject":{"reference":"Patient/x"},"effectiveDateTime":"2000-01-01","valueQuantity":{"value":70,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}}})");
  if (!page.HasMember("entry"))
    page.AddMember("entry", rapidjson::Value(rapidjson::kArrayType), pa);
  page["entry"].PushBack(rapidjson::Value(old, pa), pa);
  SetKey(doc, "observations", base::ToString(page));
  auto a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, full.result->status) << a.result->body;
  EXPECT_EQ(IssueFor(a.result->body, "observations"), "");
  EXPECT_EQ(CardSignatures(a.result->body), CardSignatures(full.result->body));
}

// Policy §0: an active TNF antagonist on page 1 of an incomplete `medications` still gives its
// critical card, with data-not-checked; the same request without the TNF antagonist is a 412.
TEST_F(PagingTest, PresenceOnAnIncompletePageStillGivesItsCard) {
  auto server = Serve();
  auto doc = ParseJsonOrDie(SampleRequest("adult-tnf-antagonist"));
  SetKey(doc, "medications",
         WithNext(doc, "medications", "http://localhost:1/MedicationRequest?p=2"));
  auto a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 200) << a.result->body;
  const auto codes = Codes(a.result->body);
  EXPECT_TRUE(Has(codes, "tnf-antagonist:critical")) << a.result->body;
  EXPECT_TRUE(Has(codes, "data-not-checked:warning")) << a.result->body;
}

TEST_F(PagingTest, MissingKeyGives412OnlyWithoutAWarningOrCriticalCard) {
  auto server = Serve();
  // Observations missing, nothing to fetch them from.
  auto clean = ParseJsonOrDie(SampleRequest("adult-ra-clean"));
  clean["prefetch"].RemoveMember("observations");
  auto a = Post(*server, base::ToString(clean));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 412) << a.result->body;
  EXPECT_NE(IssueFor(a.result->body, "observations"), "");

  auto tnf = ParseJsonOrDie(SampleRequest("adult-tnf-antagonist"));
  tnf["prefetch"].RemoveMember("observations");
  a = Post(*server, base::ToString(tnf));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 200) << a.result->body;
  const auto codes = Codes(a.result->body);
  EXPECT_TRUE(Has(codes, "tnf-antagonist:critical")) << a.result->body;
  EXPECT_TRUE(Has(codes, "data-not-checked:warning")) << a.result->body;
}

// A dose the service cannot read ("1 {syringe}") with an active TNF antagonist: 200 (never 400),
// the critical interaction card and dose-not-checked.
TEST_F(PagingTest, UnreadableDoseWithTnfAntagonistIs200WithItsCards) {
  auto server = Serve();
  auto doc = ParseJsonOrDie(SampleRequest("adult-tnf-antagonist"));
  auto& alloc = doc.GetAllocator();
  bool changed = false;
  for (auto& e : doc["context"]["draftOrders"]["entry"].GetArray()) {
    auto& r = e["resource"];
    if (!r.HasMember("dosageInstruction")) continue;
    for (auto& d : r["dosageInstruction"].GetArray()) {
      rapidjson::Value dose(rapidjson::kObjectType);
      dose.AddMember("value", 1, alloc);
      dose.AddMember("unit", "syringe", alloc);
      dose.AddMember("system", "http://unitsofmeasure.org", alloc);
      dose.AddMember("code", "{syringe}", alloc);
      rapidjson::Value rate(rapidjson::kObjectType);
      rate.AddMember("doseQuantity", dose, alloc);
      rapidjson::Value rates(rapidjson::kArrayType);
      rates.PushBack(rate, alloc);
      d.RemoveMember("doseAndRate");
      d.AddMember("doseAndRate", rates, alloc);
      changed = true;
    }
  }
  ASSERT_TRUE(changed);
  auto a = Post(*server, base::ToString(doc));
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->status, 200) << a.result->body;
  const auto codes = Codes(a.result->body);
  EXPECT_TRUE(Has(codes, "tnf-antagonist:critical")) << a.result->body;
  EXPECT_TRUE(Has(codes, "dose-not-checked:warning")) << a.result->body;
}

}  // namespace
