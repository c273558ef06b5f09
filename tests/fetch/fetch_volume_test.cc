// A patient with a long history (5,000 observations of the codes the rules read, 500
// conditions), fetched by the service from the real FHIR server: the bounded templates
// (_count, _sort=-date) and the look-back rule of policy §0 mean only the pages the rules need
// are fetched, and every answer stays far below the body limits. Pages and bytes are asserted,
// never time.
#include "config/options.h"
#include "fetch/fhir_fetcher.h"
#include "support/fhir_server_process.h"
#include "support/live_server.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdio>
#include <memory>
#include <string>

namespace {

using namespace testing_support;

constexpr int kObservations = 5000;
constexpr int kConditions = 500;
constexpr const char* kPatient = "volume-1";
constexpr std::int64_t kReference = 1795165200;  // 2026-11-20T09:00:00Z, the draft's authoredOn

std::string DateTime(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A transaction entry that POSTs `resource` of `type`.
std::string Entry(const std::string& type, const std::string& resource) {
  std::string out = R"({"resource":)";
  out += resource;
  out += R"(,"request":{"method":"POST","url":")";
  out += type;
  out += "\"}}";
  return out;
}

std::string Transaction(const std::vector<std::pair<std::string, std::string>>& resources) {
  std::string out = R"({"resourceType":"Bundle","type":"transaction","entry":[)";
  for (std::size_t i = 0; i < resources.size(); ++i) {
    if (i > 0) out += ',';
    out += Entry(resources[i].first, resources[i].second);
  }
  out += "]}";
  return out;
}

// One observation a day going back from the reference time, cycling through a weight, a
// neutrophil count and an eGFR (all normal), so the newest 100 cover 100 days.
std::string Observation(int day) {
  static const char* kCodes[][4] = {{"29463-7", "Body weight", "72", "kg"},
                                    {"751-8", "Neutrophils", "4.1", "10*3/uL"},
                                    {"33914-3", "eGFR", "88", "mL/min/{1.73_m2}"}};
  const auto& c = kCodes[day % 3];
  return std::string(
             R"({"resourceType":"Observation","status":"final","subject":{"reference":"Patient/)") +
         kPatient + R"("},"code":{"coding":[{"system":"http://loinc.org","code":")" + c[0] +
         R"(","display":")" + c[1] + R"("}]},"effectiveDateTime":")" +
         DateTime(kReference - static_cast<std::int64_t>(day) * 86400 - 3600) +
         R"(","valueQuantity":{"value":)" + c[2] + R"(,"unit":")" + c[3] +
         R"(","system":"http://unitsofmeasure.org","code":")" + c[3] + R"("}})";
}

// Resolved, unremarkable conditions (a history of minor complaints).
std::string Condition(int i) {
  return std::string(R"({"resourceType":"Condition","subject":{"reference":"Patient/)") + kPatient +
         R"("},"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"resolved"}]},)"
         R"("code":{"coding":[{"system":"http://snomed.info/sct","code":"162397003","display":"Pain in throat"}]},"onsetDateTime":")" +
         DateTime(kReference - static_cast<std::int64_t>(i) * 7 * 86400) + R"("})";
}

class FetchVolumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!FhirServerProcess::Available(why)) GTEST_SKIP() << why;
    fhir_ = std::make_unique<FhirServerProcess>();
    // The Patient keeps its id through a PUT; the rest are created in batches of 500.
    std::string patient = R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":)";
    patient += R"({"resourceType":"Patient","id":")";
    patient += kPatient;
    patient += R"(","birthDate":"1975-04-02","gender":"female"},)";
    patient += R"("request":{"method":"PUT","url":"Patient/)";
    patient += kPatient;
    patient += R"("}}]})";
    fhir_->LoadBundle(patient);
    std::vector<std::pair<std::string, std::string>> batch;
    auto flush = [&] {
      if (!batch.empty()) fhir_->LoadBundle(Transaction(batch));
      batch.clear();
    };
    for (int d = 0; d < kObservations; ++d) {
      batch.emplace_back("Observation", Observation(d));
      if (batch.size() == 500) flush();
    }
    for (int i = 0; i < kConditions; ++i) {
      batch.emplace_back("Condition", Condition(i));
      if (batch.size() == 500) flush();
    }
    // Vaccinations on record (pneumococcal, Hib): no immunisation card needed.
    for (const char* cvx : {"33", "48"}) {
      std::string immunization = R"({"resourceType":"Immunization","status":"completed",)";
      immunization += R"("patient":{"reference":"Patient/)";
      immunization += kPatient;
      immunization += R"("},"vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx",)";
      immunization += R"("code":")";
      immunization += cvx;
      immunization += R"("}]},"occurrenceDateTime":"2024-01-10"})";
      batch.emplace_back("Immunization", immunization);
    }
    flush();
  }

  std::unique_ptr<FhirServerProcess> fhir_;
};

TEST_F(FetchVolumeTest, LongHistoryFetchesOnlyThePagesTheRulesNeed) {
  config::ServerConfig config;
  config.fetch_deadline_ms = 60000;  // a loaded machine; pages are asserted, not time
  auto created = fetch::FhirFetcher::Create(config::FetchOptionsFromConfig(config));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::shared_ptr<fetch::FhirFetcher> fetcher = std::move(*created);
  LiveServer server(config, http::ServerObservers{}, [fetcher](service::HookService& h) {
    h.set_fetcher(fetch::FhirFetcher::Hook(fetcher));
  });
  const std::string request =
      std::string(
          R"({"hook":"order-sign","hookInstance":"5b0d1a4e-3d35-4c1f-9d0e-6b7a1c2f9e41",)") +
      R"("fhirServer":")" + fhir_->base_url() + R"(/_test/record/volume",)" +
      R"("context":{"userId":"Practitioner/1","patientId":")" + kPatient + R"(","draftOrders":)" +
      R"({"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"MedicationRequest",)" +
      R"("id":"draft-1","status":"draft","intent":"order","authoredOn":")" + DateTime(kReference) +
      R"(","subject":{"reference":"Patient/)" + kPatient +
      R"("},"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"349325"}],"text":"Kineret"},)" +
      R"("dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}},)" +
      R"("route":{"coding":[{"system":"http://snomed.info/sct","code":"34206005"}]},)" +
      R"("doseAndRate":[{"doseQuantity":{"value":100,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}]}]}}]}}})";
  auto client = server.client();
  client.set_read_timeout(90, 0);  // the in-memory FHIR server searches 5,000 resources per page
  auto r = client.Post("/cds-services/anakinra-order-sign", request, "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200) << r->body;
  // Every key could be had: no data-not-checked card.
  EXPECT_EQ(r->body.find("data-not-checked"), std::string::npos) << r->body;

  // The pages the service asked for, as the FHIR server recorded them.
  httplib::Client fhir("127.0.0.1", fhir_->port());
  auto recorded = fhir.Get("/_test/requests/volume");
  ASSERT_TRUE(recorded && recorded->status == 200);
  rapidjson::Document log;
  log.Parse(recorded->body.c_str());
  ASSERT_TRUE(log.IsArray());
  int observation_pages = 0, condition_pages = 0;
  std::size_t bytes = 0, largest = 0;
  for (const auto& entry : log.GetArray()) {
    std::string path = entry["path"].GetString();
    const std::string prefix = "/_test/record/volume";
    ASSERT_EQ(path.rfind(prefix, 0), 0u) << path;
    path = path.substr(prefix.size());
    if (path.rfind("/Observation", 0) == 0) ++observation_pages;
    if (path.rfind("/Condition", 0) == 0) ++condition_pages;
    auto again = fhir.Get(path);  // the same page, to weigh it
    ASSERT_TRUE(again && again->status == 200) << path;
    bytes += again->body.size();
    largest = std::max(largest, again->body.size());
  }
  // 100 observations a page, one a day, newest first: the page that reaches past the longest
  // look-back (365 days) is the 4th; 500 conditions at 200 a page are 3 pages.
  EXPECT_EQ(observation_pages, 4);
  EXPECT_EQ(condition_pages, 3);
  EXPECT_LT(largest, std::size_t{1} << 20);  // each answer under 1 MiB
  EXPECT_LT(bytes, std::size_t{2} << 20);    // all of them under the 2 MiB body limit
  RecordProperty("fetched_bytes", std::to_string(bytes));
}

}  // namespace
