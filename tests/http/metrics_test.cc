// GET /metrics on the real server: scraped over HTTP and parsed as Prometheus text format.
#include "base/json.h"
#include "http/operations.h"
#include "store/store.h"
#include "support/live_server.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

namespace {

using namespace testing_support;

using Labels = std::map<std::string, std::string>;

struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

// Parses the exposition text: `name{a="x",b="y"} value` lines; # HELP/# TYPE into `types`.
std::vector<Sample> Parse(const std::string& text, std::map<std::string, std::string>& types) {
  std::vector<Sample> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      types[name] = type;
      continue;
    }
    if (line[0] == '#') continue;
    Sample s;
    std::size_t i = line.find_first_of("{ ");
    s.name = line.substr(0, i);
    if (line[i] == '{') {
      ++i;
      while (line[i] != '}') {
        const std::size_t eq = line.find('=', i);
        const std::string key = line.substr(i, eq - i);
        std::size_t j = eq + 2;  // after ="
        std::string value;
        while (line[j] != '"') {
          if (line[j] == '\\') ++j;
          value += line[j++];
        }
        s.labels[key] = value;
        i = j + 1;
        if (line[i] == ',') ++i;
      }
      ++i;
    }
    s.value = std::strtod(line.c_str() + i + 1, nullptr);
    out.push_back(std::move(s));
  }
  return out;
}

double Value(const std::vector<Sample>& samples, const std::string& name, const Labels& labels) {
  for (const auto& s : samples)
    if (s.name == name && s.labels == labels) return s.value;
  return -1;
}

// The operations observers over a real store in a temporary folder and one shared Metrics, as
// `serve` wires them; the folder is removed at the end.
class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/anakinra-metrics-XXXXXX";
    dir = mkdtemp(tmpl);
    metrics = std::make_shared<http::Metrics>();
    auto opened = store::FeedbackStore::Open(dir, true, http::StoreOptions(metrics));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store = std::move(*opened);
    http::AddOperationsObservers(observers, store::SqliteAsStore(store), metrics);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::string dir;
  std::shared_ptr<http::Metrics> metrics;
  std::shared_ptr<store::FeedbackStore> store;
  http::ServerObservers observers;
};

TEST_F(MetricsTest, ScrapedSeriesHaveTheRightLabelsAndCounts) {
  {
    LiveServer live({}, std::move(observers));
    auto client = live.client();
    std::map<std::pair<std::string, std::string>, int> cards;  // (code, indicator) -> count
    std::string card_uuid;
    for (int i = 0; i < 2; ++i) {
      auto r = client.Post("/cds-services/anakinra-order-sign",
                           SampleRequest("adult-tnf-antagonist"), "application/json");
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200);
      auto doc = ParseJsonOrDie(r->body);
      for (const auto& c : doc["cards"].GetArray()) {
        ++cards[{c["source"]["topic"]["code"].GetString(), c["indicator"].GetString()}];
        card_uuid = c["uuid"].GetString();
      }
    }
    ASSERT_TRUE(client.Get("/cds-services"));
    ASSERT_TRUE(client.Get("/no-such-path"));
    auto fb = client.Post(
        "/cds-services/anakinra-order-sign/feedback",
        R"({"feedback":[{"card":")" + card_uuid +
            R"(","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"},{"card":")" +
            card_uuid +
            R"(","outcome":"accepted","acceptedSuggestions":[{"id":"s1"}],"outcomeTimestamp":"2026-11-24T10:01:00Z"}]})",
        "application/json");
    ASSERT_TRUE(fb);
    ASSERT_EQ(fb->status, 200) << fb->body;
    metrics->RecordFetch("patient", true, "");
    metrics->RecordFetch("medications", false, "timeout");
    metrics->RecordFetch("medications", false, "Connection refused by 10.0.0.1");

    auto scrape = client.Get("/metrics");
    ASSERT_TRUE(scrape);
    ASSERT_EQ(scrape->status, 200);
    EXPECT_EQ(scrape->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
    std::map<std::string, std::string> types;
    const auto samples = Parse(scrape->body, types);

    EXPECT_EQ(types["anakinra_http_requests_total"], "counter");
    EXPECT_EQ(types["anakinra_request_duration_seconds"], "histogram");
    EXPECT_EQ(types["anakinra_cards_total"], "counter");
    EXPECT_EQ(types["anakinra_prefetch_fetches_total"], "counter");
    EXPECT_EQ(types["anakinra_prefetch_fetch_failures_total"], "counter");
    EXPECT_EQ(types["anakinra_feedback_total"], "counter");
    EXPECT_EQ(types["anakinra_issued_cards_dropped_total"], "counter");
    EXPECT_EQ(Value(samples, "anakinra_issued_cards_dropped_total", {}), 0);

    const std::string req = "anakinra_http_requests_total";
    EXPECT_EQ(Value(samples, req, {{"route", "/cds-services/{id}"}, {"status", "200"}}), 2);
    EXPECT_EQ(Value(samples, req, {{"route", "/cds-services"}, {"status", "200"}}), 1);
    EXPECT_EQ(Value(samples, req, {{"route", "(unmatched)"}, {"status", "404"}}), 1);
    EXPECT_EQ(Value(samples, req, {{"route", "/cds-services/{id}/feedback"}, {"status", "200"}}),
              1);

    const std::string lat = "anakinra_request_duration_seconds";
    EXPECT_EQ(Value(samples, lat + "_count", {{"service", "anakinra-order-sign"}}), 3);
    EXPECT_EQ(Value(samples, lat + "_bucket", {{"service", "anakinra-order-sign"}, {"le", "+Inf"}}),
              3);
    EXPECT_GE(
        Value(samples, lat + "_bucket", {{"service", "anakinra-order-sign"}, {"le", "0.0005"}}), 0);
    EXPECT_GE(Value(samples, lat + "_count", {{"service", "none"}}), 2);  // + the startup /healthz

    ASSERT_FALSE(cards.empty());
    for (const auto& [key, n] : cards)
      EXPECT_EQ(
          Value(samples, "anakinra_cards_total", {{"code", key.first}, {"indicator", key.second}}),
          n)
          << key.first;

    EXPECT_EQ(Value(samples, "anakinra_feedback_total", {{"outcome", "overridden"}}), 1);
    EXPECT_EQ(Value(samples, "anakinra_feedback_total", {{"outcome", "accepted"}}), 1);
    EXPECT_EQ(
        Value(samples, "anakinra_prefetch_fetches_total", {{"key", "patient"}, {"result", "ok"}}),
        1);
    EXPECT_EQ(Value(samples, "anakinra_prefetch_fetches_total",
                    {{"key", "medications"}, {"result", "failed"}}),
              2);
    EXPECT_EQ(Value(samples, "anakinra_prefetch_fetch_failures_total",
                    {{"key", "medications"}, {"reason", "timeout"}}),
              1);
    // Free-form reasons do not become label values.
    EXPECT_EQ(Value(samples, "anakinra_prefetch_fetch_failures_total",
                    {{"key", "medications"}, {"reason", "other"}}),
              1);
  }
  store->Close();
}

// A draft order's Medication/{id} that is neither in the request nor fetchable: counted, never
// guessed (policy §1).
TEST_F(MetricsTest, UnresolvedMedicationReferencesAreCounted) {
  {
    LiveServer live({}, std::move(observers));
    auto doc = ParseJsonOrDie(SampleRequest("adult-tnf-antagonist"));
    auto& alloc = doc.GetAllocator();
    for (auto& e : doc["context"]["draftOrders"]["entry"].GetArray()) {
      auto& r = e["resource"];
      if (!r.HasMember("medicationCodeableConcept")) continue;
      r.RemoveMember("medicationCodeableConcept");
      rapidjson::Value ref(rapidjson::kObjectType);
      ref.AddMember("reference", "Medication/not-anywhere", alloc);
      r.AddMember("medicationReference", ref, alloc);
    }
    for (int i = 0; i < 2; ++i) {
      auto r = live.client().Post("/cds-services/anakinra-order-sign", base::ToString(doc),
                                  "application/json");
      ASSERT_TRUE(r);
      EXPECT_NE(r->status, 400) << r->body;
      EXPECT_NE(r->status, 500) << r->body;
    }
    auto scrape = live.client().Get("/metrics");
    ASSERT_TRUE(scrape);
    std::map<std::string, std::string> types;
    const auto samples = Parse(scrape->body, types);
    EXPECT_EQ(types["anakinra_unresolved_medication_references_total"], "counter");
    EXPECT_EQ(Value(samples, "anakinra_unresolved_medication_references_total", {}), 2);
    EXPECT_EQ(scrape->body.find("not-anywhere"), std::string::npos);
  }
  store->Close();
}

}  // namespace
