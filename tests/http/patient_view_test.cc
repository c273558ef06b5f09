// patient-view over the real server on a loopback port (policy §7): a patient on anakinra opened
// in the chart gets the monitoring cards with their feedback and override reasons; a patient not
// on it gets none; the context needs no draftOrders; the card can be given feedback.
#include "support/live_server.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace testing_support;

constexpr const char* kPath = "/cds-services/anakinra-patient-view";

TEST(PatientView, MonitoringCardForAPatientOnAnakinra) {
  LiveServer server;
  auto r = server.client().Post(kPath, SampleRequest("pv-tnf-antagonist", "patient-view"),
                                "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto doc = ParseJsonOrDie(r->body);
  ASSERT_EQ(doc["cards"].Size(), 1u) << r->body;
  const auto& card = doc["cards"][0];
  EXPECT_STREQ(card["source"]["topic"]["code"].GetString(), "tnf-antagonist");
  EXPECT_STREQ(card["indicator"].GetString(), "critical");
  EXPECT_FALSE(card.HasMember("suggestions") && card["suggestions"].Size() > 0)
      << "nothing is a draft: nothing to delete";
  const std::string detail = card["detail"].GetString();
  EXPECT_NE(detail.find("On anakinra for about"), std::string::npos) << detail;
  EXPECT_TRUE(card.HasMember("overrideReasons"));

  // Feedback for the card is accepted like that of the order hooks.
  const std::string uuid = card["uuid"].GetString();
  const std::string feedback =
      R"({"feedback":[{"card":")" + uuid +
      R"(","outcome":"overridden","outcomeTimestamp":"2026-11-20T09:05:00Z"}]})";
  auto f = server.client().Post(std::string(kPath) + "/feedback", feedback, "application/json");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->status, 200) << f->body;
}

TEST(PatientView, NoCardForAPatientNotOnAnakinra) {
  LiveServer server;
  auto r = server.client().Post(kPath, SampleRequest("pv-not-on-anakinra", "patient-view"),
                                "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(ParseJsonOrDie(r->body)["cards"].Size(), 0u) << r->body;
}

TEST(PatientView, NoDraftOrdersNeededAndMissingMedicationsIs412) {
  LiveServer server;
  // A bare patient-view context (patientId, userId), no prefetch, no fhirServer: whether the
  // patient is on anakinra cannot be known, so 412 names the medications key.
  const std::string body =
      R"({"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",)"
      R"("context":{"userId":"Practitioner/1","patientId":"p1"}})";
  auto r = server.client().Post(kPath, body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 412) << r->body;
  EXPECT_NE(r->body.find("prefetch.medications"), std::string::npos) << r->body;
}

}  // namespace
