// The real server on a loopback port: discovery, preflight, both hooks, and every error status.
#include "support/live_server.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <mutex>

namespace {

using namespace testing_support;

rapidjson::Document Json(const std::string& body) { return ParseJsonOrDie(body); }

void ExpectOperationOutcome(const httplib::Result& r, int status, const std::string& fragment) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status);
  auto doc = Json(r->body);
  ASSERT_TRUE(doc.IsObject()) << r->body;
  EXPECT_STREQ(doc["resourceType"].GetString(), "OperationOutcome") << r->body;
  EXPECT_NE(r->body.find(fragment), std::string::npos) << r->body;
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "*");
}

TEST(Http, DiscoveryListsTheThreeServicesWithPrefetch) {
  LiveServer server;
  auto r = server.client().Get("/cds-services");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "*");
  auto doc = Json(r->body);
  ASSERT_EQ(doc["services"].Size(), 3u);
  std::set<std::string> ids;
  for (const auto& s : doc["services"].GetArray()) {
    ids.insert(s["id"].GetString());
    EXPECT_STREQ(s["prefetch"]["patient"].GetString(), "Patient/{{context.patientId}}");
    EXPECT_STREQ(
        s["prefetch"]["medications"].GetString(),
        "MedicationRequest?patient={{context.patientId}}&status=active,on-hold&_count=100");
    EXPECT_TRUE(s.HasMember("usageRequirements"));
    EXPECT_TRUE(s.HasMember("title"));
    // CDS Hooks 3.0 ballot: the specification implemented and the hook definition's version.
    EXPECT_STREQ(s["version"].GetString(), "2.0.1");
    EXPECT_STREQ(s["hookVersion"].GetString(), "1.0");
  }
  EXPECT_TRUE(ids.count("anakinra-order-select"));
  EXPECT_TRUE(ids.count("anakinra-order-sign"));
  EXPECT_TRUE(ids.count("anakinra-patient-view"));
  // The knowledge the services run on, as the governance page shows it.
  const std::string version = doc["extension"]["org.anakinra-cds.knowledge-version"].GetString();
  EXPECT_EQ(version.rfind("sha256:", 0), 0u) << version;
  EXPECT_EQ(version.size(), 7u + 16u);
}

TEST(Http, PreflightOnEveryRoute) {
  LiveServer server;
  for (const char* path : {"/cds-services", "/cds-services/anakinra-order-sign",
                           "/cds-services/anakinra-order-sign/feedback", "/healthz"}) {
    httplib::Headers h = {{"Origin", "https://sandbox.cds-hooks.org"},
                          {"Access-Control-Request-Method", "POST"},
                          {"Access-Control-Request-Headers", "authorization,content-type"}};
    auto r = server.client().Options(path, h);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 204) << path;
    EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "*");
    EXPECT_NE(r->get_header_value("Access-Control-Allow-Methods").find("POST"), std::string::npos);
    EXPECT_NE(r->get_header_value("Access-Control-Allow-Headers").find("Authorization"),
              std::string::npos);
  }
}

TEST(Http, OrderSignReturnsCards) {
  LiveServer server;
  auto r = server.client().Post("/cds-services/anakinra-order-sign",
                                SampleRequest("adult-tnf-antagonist"), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto doc = Json(r->body);
  ASSERT_TRUE(doc["cards"].IsArray());
  bool tnf = false;
  for (const auto& c : doc["cards"].GetArray())
    tnf |= std::string(c["source"]["topic"]["code"].GetString()) == "tnf-antagonist";
  EXPECT_TRUE(tnf) << r->body;
}

TEST(Http, OrderSelectReturnsCards) {
  LiveServer server;
  auto r = server.client().Post("/cds-services/anakinra-order-select",
                                SampleRequest("adult-ecoli-allergy", "order-select"),
                                "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("ecoli-protein-hypersensitivity"), std::string::npos);
}

TEST(Http, HealthzAnswers) {
  LiveServer server;
  auto r = server.client().Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(Http, MalformedJsonIs400) {
  LiveServer server;
  ExpectOperationOutcome(
      server.client().Post("/cds-services/anakinra-order-sign", "{\"hook\":", "application/json"),
      400, "not valid JSON");
}

TEST(Http, MissingFieldsAre400NamingEachField) {
  LiveServer server;
  auto r = server.client().Post("/cds-services/anakinra-order-sign", R"({"hook":"order-sign"})",
                                "application/json");
  ExpectOperationOutcome(r, 400, "hookInstance");
  EXPECT_NE(r->body.find("context"), std::string::npos);
}

TEST(Http, WrongTypesAre400) {
  LiveServer server;
  auto r = server.client().Post(
      "/cds-services/anakinra-order-sign",
      R"({"hook":"order-sign","hookInstance":7,"context":{"userId":"Practitioner/1","patientId":"p","draftOrders":[]}})",
      "application/json");
  ExpectOperationOutcome(r, 400, "hookInstance must be a string");
  EXPECT_NE(r->body.find("draftOrders must be a FHIR Bundle"), std::string::npos);
}

TEST(Http, UnknownServiceIs404) {
  LiveServer server;
  ExpectOperationOutcome(
      server.client().Post("/cds-services/no-such-service", "{}", "application/json"), 404,
      "Unknown CDS service");
}

TEST(Http, UnknownPathIs404) {
  LiveServer server;
  ExpectOperationOutcome(server.client().Get("/nothing-here"), 404, "No such endpoint");
}

TEST(Http, HookNotMatchingServiceIs400) {
  LiveServer server;
  auto body = SampleRequest("adult-ra-clean", "order-sign");
  ExpectOperationOutcome(
      server.client().Post("/cds-services/anakinra-order-select", body, "application/json"), 400,
      "does not match service");
}

TEST(Http, BodyOverLimitIs413) {
  config::ServerConfig config;
  config.max_body_bytes = 1024;
  LiveServer server(config);
  ExpectOperationOutcome(server.client().Post("/cds-services/anakinra-order-sign",
                                              std::string(4096, ' '), "application/json"),
                         413, "larger than");
}

TEST(Http, DeepNestingIs400) {
  LiveServer server;
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  ExpectOperationOutcome(
      server.client().Post("/cds-services/anakinra-order-sign", deep, "application/json"), 400,
      "nested deeper");
}

TEST(Http, MissingPrefetchWithoutFhirServerIs412) {
  LiveServer server;
  auto doc = Json(SampleRequest("adult-ra-clean"));
  doc.RemoveMember("prefetch");
  auto r = server.client().Post("/cds-services/anakinra-order-sign", base::ToString(doc),
                                "application/json");
  ExpectOperationOutcome(r, 412, "prefetch.patient");
  EXPECT_NE(r->body.find("no fhirServer"), std::string::npos);
}

TEST(Http, NoAnakinraOrderNeedsNoPrefetch) {
  LiveServer server;
  auto doc = Json(SampleRequest("no-anakinra-order"));
  doc.RemoveMember("prefetch");
  auto r = server.client().Post("/cds-services/anakinra-order-sign", base::ToString(doc),
                                "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"cards":[]})");
}

// Policy v2 §0: a dose unit the service cannot read is clinical content, not a broken envelope:
// 200 with dose-not-checked (was a 400 in v1).
TEST(Http, BadDoseUnitIs200WithDoseNotChecked) {
  LiveServer server;
  std::string body = SampleRequest("adult-ra-clean");
  const auto pos = body.find(R"("code":"mg")");
  ASSERT_NE(pos, std::string::npos);
  body.replace(pos, 11, R"("code":"[foz_us]")");
  const auto unit = body.find(R"("unit":"mg")");
  if (unit != std::string::npos) body.replace(unit, 11, R"("unit":"fl oz")");
  auto r = server.client().Post("/cds-services/anakinra-order-sign", body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  // Needs the v2 rules (dose-not-checked card).
  EXPECT_NE(r->body.find(R"("code":"dose-not-checked")"), std::string::npos) << r->body;
}

TEST(Http, FeedbackValidAndInvalid) {
  LiveServer server;
  auto ok = server.client().Post(
      "/cds-services/anakinra-order-sign/feedback",
      R"({"feedback":[{"card":"9368d37b-283f-44a0-93ea-547cebc7b1c4","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})",
      "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  ExpectOperationOutcome(
      server.client().Post("/cds-services/anakinra-order-sign/feedback",
                           R"({"feedback":[{"card":"x","outcome":"maybe"}]})", "application/json"),
      400, "outcome must be");
}

// A feedback entry with `card` and `outcome` ("maybe" is invalid).
std::string Entry(const std::string& card, const std::string& outcome = "overridden") {
  return R"({"card":")" + card + R"(","outcome":")" + outcome +
         R"(","outcomeTimestamp":"2026-11-24T10:00:00Z"})";
}

// Each entry is judged on its own: the valid ones are stored, the refused ones named in an
// OperationOutcome (200 when some were stored, 400 when none was) with one information issue.
TEST(Http, FeedbackIsJudgedEntryByEntry) {
  std::mutex mutex;
  std::vector<std::string> stored;  // card uuids handed to the store
  http::ServerObservers observers;
  observers.on_feedback = [&](const std::string&, const std::vector<cdshooks::Feedback>& entries) {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& f : entries) stored.push_back(f.card);
    return base::Status::Ok();
  };
  LiveServer server({}, observers);
  const std::string path = "/cds-services/anakinra-order-sign/feedback";

  auto some = server.client().Post(
      path, R"({"feedback":[)" + Entry("a") + "," + Entry("b", "maybe") + "," + Entry("c") + "]}",
      "application/json");
  ASSERT_TRUE(some);
  EXPECT_EQ(some->status, 200) << some->body;
  auto doc = Json(some->body);
  ASSERT_TRUE(doc.IsObject()) << some->body;
  EXPECT_STREQ(doc["resourceType"].GetString(), "OperationOutcome");
  ASSERT_EQ(doc["issue"].Size(), 2u) << some->body;
  EXPECT_STREQ(doc["issue"][0]["severity"].GetString(), "information");
  EXPECT_STREQ(doc["issue"][0]["code"].GetString(), "informational");
  EXPECT_NE(std::string(doc["issue"][0]["diagnostics"].GetString()).find("Stored 2 of 3"),
            std::string::npos)
      << some->body;
  EXPECT_STREQ(doc["issue"][1]["severity"].GetString(), "error");
  EXPECT_STREQ(doc["issue"][1]["expression"][0].GetString(), "feedback[1].outcome");
  {
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_EQ(stored, (std::vector<std::string>{"a", "c"}));
  }

  // None valid: 400, nothing handed to the store, the same OperationOutcome.
  auto none = server.client().Post(path, R"({"feedback":[)" + Entry("d", "maybe") + ",7]}",
                                   "application/json");
  ExpectOperationOutcome(none, 400, "Stored 0 of 2");
  EXPECT_NE(none->body.find(R"("expression":["feedback[0].outcome"])"), std::string::npos);
  EXPECT_NE(none->body.find(R"("expression":["feedback[1]"])"), std::string::npos);
  {
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_EQ(stored.size(), 2u);
  }

  // Many refused entries beside a valid one: stored, and the issues stay capped (20 + one
  // counting the rest), the information issue first.
  std::string many = R"({"feedback":[)";
  for (int i = 0; i < 200; ++i)
    many += Entry(std::string("x").append(std::to_string(i)), "maybe") + ",";
  many += Entry("last") + "]}";
  auto capped = server.client().Post(path, many, "application/json");
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->status, 200);
  auto c = Json(capped->body);
  ASSERT_EQ(c["issue"].Size(), 21u) << capped->body;
  EXPECT_NE(std::string(c["issue"][0]["diagnostics"].GetString()).find("Stored 1 of 201"),
            std::string::npos);
  EXPECT_STREQ(c["issue"][20]["code"].GetString(), "too-costly");
  EXPECT_NE(std::string(c["issue"][20]["diagnostics"].GetString()).find("181 more problems"),
            std::string::npos)
      << capped->body;
  {
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_EQ(stored.back(), "last");
  }

  // Not {"feedback":[...]}: 400 as before.
  ExpectOperationOutcome(server.client().Post(path, R"({"feedback":{}})", "application/json"), 400,
                         "non-empty");
}

// A store that cannot write: 503 for a partly valid body too, nothing acknowledged.
TEST(Http, FeedbackStoreFailureIs503EvenWhenSomeEntriesAreRefused) {
  http::ServerObservers observers;
  observers.on_feedback = [](const std::string&, const std::vector<cdshooks::Feedback>&) {
    return base::Status::Unavailable("The feedback could not be stored; nothing of it was kept.");
  };
  LiveServer server({}, observers);
  ExpectOperationOutcome(
      server.client().Post("/cds-services/anakinra-order-sign/feedback",
                           R"({"feedback":[)" + Entry("a") + "," + Entry("b", "maybe") + "]}",
                           "application/json"),
      503, "nothing of it was kept");
}

TEST(Http, MethodNotAllowedIs405) {
  LiveServer server;
  ExpectOperationOutcome(server.client().Get("/cds-services/anakinra-order-sign"), 405,
                         "not allowed");
}

TEST(Http, ServerStaysUpAfterGarbage) {
  LiveServer server;
  for (const char* body :
       {"", "null", "[]", "\"x\"", "{\"hook\":null}", "\xff\xfe", "{\"a\":1e999999}"})
    server.client().Post("/cds-services/anakinra-order-sign", body, "application/json");
  auto r = server.client().Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace

namespace {

using namespace testing_support;

// One trailing slash names the same endpoint (the sandbox and some EHRs add it).
TEST(HttpIntegration, TrailingSlashIsTheSameEndpoint) {
  LiveServer server;
  auto discovery = server.client().Get("/cds-services/");
  ASSERT_TRUE(discovery);
  EXPECT_EQ(discovery->status, 200);
  EXPECT_EQ(ParseJsonOrDie(discovery->body)["services"].Size(), 3u);
  auto hook = server.client().Post("/cds-services/anakinra-order-sign/",
                                   SampleRequest("adult-ra-clean"), "application/json");
  ASSERT_TRUE(hook);
  EXPECT_EQ(hook->status, 200) << hook->body;
  EXPECT_TRUE(ParseJsonOrDie(hook->body).HasMember("cards"));
}

TEST(HttpIntegration, MethodNotAllowedSaysWhichAreAllowed) {
  LiveServer server;
  auto get_hook = server.client().Get("/cds-services/anakinra-order-sign");
  ASSERT_TRUE(get_hook);
  EXPECT_EQ(get_hook->status, 405);
  EXPECT_EQ(get_hook->get_header_value("Allow"), "POST, OPTIONS");
  auto delete_discovery = server.client().Delete("/cds-services");
  ASSERT_TRUE(delete_discovery);
  EXPECT_EQ(delete_discovery->status, 405);
  EXPECT_EQ(delete_discovery->get_header_value("Allow"), "GET, HEAD, OPTIONS");
}

// Discovery may be cached for a while; answers that can carry patient data never.
TEST(HttpIntegration, CacheControlOnDiscoveryAndNoStoreElsewhere) {
  LiveServer server;
  auto discovery = server.client().Get("/cds-services");
  ASSERT_TRUE(discovery);
  EXPECT_EQ(discovery->get_header_value("Cache-Control"), "max-age=300");
  auto hook = server.client().Post("/cds-services/anakinra-order-sign",
                                   SampleRequest("adult-dose-above-maximum"), "application/json");
  ASSERT_TRUE(hook);
  EXPECT_EQ(hook->status, 200);
  EXPECT_EQ(hook->get_header_value("Cache-Control"), "no-store");
  auto error = server.client().Post("/cds-services/anakinra-order-sign", "{}", "application/json");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->get_header_value("Cache-Control"), "no-store");
}

// A browser sending Prefer (or another common header) passes the preflight; the list is a
// setting.
TEST(HttpIntegration, PreflightAllowsCommonHeadersAndTheConfiguredOnes) {
  const httplib::Headers preflight = {{"Origin", "https://sandbox.cds-hooks.org"},
                                      {"Access-Control-Request-Method", "POST"},
                                      {"Access-Control-Request-Headers", "prefer"}};
  {
    LiveServer server;
    auto r = server.client().Options("/cds-services/anakinra-order-sign", preflight);
    ASSERT_TRUE(r);
    const std::string allowed = r->get_header_value("Access-Control-Allow-Headers");
    for (const char* h : {"Authorization", "Content-Type", "Prefer"})
      EXPECT_NE(allowed.find(h), std::string::npos) << allowed;
  }
  config::ServerConfig config;
  config.allowed_headers = {"Authorization", "Content-Type", "X-Site-Trace"};
  LiveServer server(config);
  auto r = server.client().Options("/cds-services/anakinra-order-sign", preflight);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Headers"),
            "Authorization, Content-Type, X-Site-Trace");
}

// The log line of a 4xx names why (issue codes and fields), never the request's content.
TEST(HttpIntegration, ErrorLogLineNamesItsReason) {
  LiveServer server;
  ::testing::internal::CaptureStderr();
  auto r = server.client().Post(
      "/cds-services/anakinra-order-sign",
      R"({"hook":"order-sign","context":{"userId":"Practitioner/1","patientId":"secret-patient-77"}})",
      "application/json");
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  const auto line = log.find("\"status\":400");
  ASSERT_NE(line, std::string::npos) << log;
  const std::string entry =
      log.substr(log.rfind('\n', line) + 1, log.find('\n', line) - log.rfind('\n', line));
  EXPECT_NE(entry.find("hookInstance"), std::string::npos) << entry;
  EXPECT_EQ(log.find("secret-patient-77"), std::string::npos) << log;
}

}  // namespace
