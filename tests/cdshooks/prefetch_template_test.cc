// Prefetch template filling (cdshooks/prefetch_template.h): tokens, encoding, refusals.
#include "cdshooks/prefetch_template.h"
#include "cdshooks/request.h"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <string>

namespace {

// ---------------------------------------------------------------- template filling

cdshooks::Request ContextRequest() {
  cdshooks::Request r;
  r.patient_id = "pt 1/../x";
  r.user_id = "PractitionerRole/role-7";
  return r;
}

TEST(PrefetchTemplate, FillsAndEncodesTokens) {
  auto r = ContextRequest();
  auto e = cdshooks::ExpandPrefetchTemplate("Condition?patient={{context.patientId}}&code=a|b", r);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->query, "Condition?patient=pt%201%2F..%2Fx&code=a%7Cb");
  EXPECT_TRUE(e->search);
  EXPECT_EQ(e->resource_type, "Condition");
  e = cdshooks::ExpandPrefetchTemplate("PractitionerRole?_id={{userPractitionerRoleId}}", r);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->query, "PractitionerRole?_id=role-7");
  // The specification's example: a whole {{context.userId}} reads the user's resource.
  e = cdshooks::ExpandPrefetchTemplate("{{context.userId}}", r);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->query, "PractitionerRole/role-7");
  EXPECT_FALSE(e->search);
  // Anything but a plain Type/id is encoded: a value never adds a segment or a query.
  for (const char* user : {"PractitionerRole/../x", "PractitionerRole/1?x=2", "practitioner/1",
                           "Practitioner/1/2", "Practitioner/"}) {
    r.user_id = user;
    e = cdshooks::ExpandPrefetchTemplate("Practitioner?x={{context.userId}}", r);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    EXPECT_EQ(e->query.find('/'), std::string::npos) << user << " -> " << e->query;
    EXPECT_EQ(e->query.find('?', 13), std::string::npos) << user << " -> " << e->query;
  }
  r.patient_id = "abc";
  e = cdshooks::ExpandPrefetchTemplate("Patient/{{ context.patientId }}", r);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->query, "Patient/abc");
  EXPECT_FALSE(e->search);
}

TEST(PrefetchTemplate, UnresolvableTokensSayWhy) {
  auto r = ContextRequest();
  auto why = [&](const char* tmpl) {
    auto e = cdshooks::ExpandPrefetchTemplate(tmpl, r);
    EXPECT_FALSE(e.ok()) << tmpl;
    return e.status();
  };
  auto s = why("Encounter/{{context.encounterId}}");
  EXPECT_EQ(s.code(), base::Status::Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("encounterId"), std::string::npos) << s.ToString();
  s = why("Practitioner/{{userPractitionerId}}");
  EXPECT_NE(s.message().find("PractitionerRole, not a Practitioner"), std::string::npos)
      << s.ToString();
  s = why("X?a={{context.medication.id}}");
  EXPECT_NE(s.message().find("context.medication.id"), std::string::npos) << s.ToString();
  s = why("Patient/{{context.patientId");
  EXPECT_EQ(s.code(), base::Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("without a closing"), std::string::npos) << s.ToString();
  r.patient_id = "..";
  EXPECT_EQ(why("Patient/{{context.patientId}}").code(), base::Status::Code::kInvalidArgument);
}

// ---------------------------------------------------------------- FHIRPath tokens (3.0 ballot)

cdshooks::Request DraftRequest() {
  cdshooks::Request r;
  r.patient_id = "p1";
  r.document = std::make_shared<rapidjson::Document>();
  r.document->Parse(R"({"context":{"patientId":"p1","draftOrders":{"resourceType":"Bundle",
    "entry":[{"resource":{"resourceType":"MedicationRequest","id":"mr-1"}},
             {"resource":{"resourceType":"ServiceRequest","id":"sr-1"}},
             {"resource":{"resourceType":"MedicationRequest","id":"mr 2"}}]}}})");
  return r;
}

constexpr fhir::EpochSeconds kRef = 1774994400;  // 2026-03-31T22:00:00Z

TEST(PrefetchTemplate, FillsFhirPathPathTokens) {
  auto r = DraftRequest();
  auto e = cdshooks::ExpandPrefetchTemplate(
      "MedicationRequest?_id={{context.draftOrders.entry.resource.ofType(MedicationRequest).id}}",
      r);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->query, "MedicationRequest?_id=mr-1,mr%202");  // each value encoded, joined by ','
  e = cdshooks::ExpandPrefetchTemplate(
      "X?_id={{context.draftOrders.entry.resource.ofType(ServiceRequest).first().id}}", r);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->query, "X?_id=sr-1");
  // Nothing matches: no value, the key is unfetchable (412), not a broken template.
  e = cdshooks::ExpandPrefetchTemplate(
      "X?_id={{context.draftOrders.entry.resource.ofType(Immunization).id}}", r);
  EXPECT_EQ(e.status().code(), base::Status::Code::kFailedPrecondition);
  // Outside the subset: a broken template, named.
  e = cdshooks::ExpandPrefetchTemplate(
      "X?_id={{context.draftOrders.entry.where(resource.id = 'x').id}}", r);
  EXPECT_EQ(e.status().code(), base::Status::Code::kInvalidArgument);
  EXPECT_NE(e.status().message().find("where("), std::string::npos) << e.status().ToString();
}

TEST(PrefetchTemplate, FillsTodayArithmeticFromTheReferenceTime) {
  auto r = DraftRequest();
  auto fill = [&](const char* tmpl) {
    auto e = cdshooks::ExpandPrefetchTemplate(tmpl, r, kRef);
    EXPECT_TRUE(e.ok()) << tmpl << ": " << e.status().ToString();
    return e.ok() ? e->query : std::string();
  };
  EXPECT_EQ(fill("Observation?date=ge{{today() - 90 days}}"), "Observation?date=ge2025-12-31");
  EXPECT_EQ(fill("Observation?date=ge{{today()}}"), "Observation?date=ge2026-03-31");
  EXPECT_EQ(fill("Observation?date=ge{{today() - 1 month}}"), "Observation?date=ge2026-02-28");
  EXPECT_EQ(fill("Observation?date=ge{{today() - 2 years}}"), "Observation?date=ge2024-03-31");
  EXPECT_EQ(fill("Observation?date=ge{{today() + 1 'wk'}}"), "Observation?date=ge2026-04-07");
  EXPECT_EQ(fill("Observation?date=ge{{now() - 1 day}}"),
            "Observation?date=ge2026-03-30T22%3A00%3A00Z");
  auto e = cdshooks::ExpandPrefetchTemplate("Observation?date=ge{{today() - 90 days}}", r);
  EXPECT_EQ(e.status().code(), base::Status::Code::kFailedPrecondition);  // no reference time
  e = cdshooks::ExpandPrefetchTemplate("Observation?date=ge{{today() - 90 fortnights}}", r, kRef);
  EXPECT_EQ(e.status().code(), base::Status::Code::kInvalidArgument);
}

}  // namespace
