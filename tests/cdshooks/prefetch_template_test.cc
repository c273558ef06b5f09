// Prefetch template filling (cdshooks/prefetch_template.h): tokens, encoding, refusals.
#include "cdshooks/prefetch_template.h"
#include "cdshooks/request.h"

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
  std::string why;
  auto r = ContextRequest();
  auto e =
      cdshooks::ExpandPrefetchTemplate("Condition?patient={{context.patientId}}&code=a|b", r, why);
  ASSERT_TRUE(e) << why;
  EXPECT_EQ(e->query, "Condition?patient=pt%201%2F..%2Fx&code=a%7Cb");
  EXPECT_TRUE(e->search);
  EXPECT_EQ(e->resource_type, "Condition");
  e = cdshooks::ExpandPrefetchTemplate("PractitionerRole?_id={{userPractitionerRoleId}}", r, why);
  ASSERT_TRUE(e) << why;
  EXPECT_EQ(e->query, "PractitionerRole?_id=role-7");
  e = cdshooks::ExpandPrefetchTemplate("{{context.userId}}", r, why);
  ASSERT_TRUE(e) << why;
  EXPECT_EQ(e->query, "PractitionerRole%2Frole-7");  // encoded: a value never adds a segment
  r.patient_id = "abc";
  e = cdshooks::ExpandPrefetchTemplate("Patient/{{ context.patientId }}", r, why);
  ASSERT_TRUE(e) << why;
  EXPECT_EQ(e->query, "Patient/abc");
  EXPECT_FALSE(e->search);
}

TEST(PrefetchTemplate, UnresolvableTokensSayWhy) {
  std::string why;
  auto r = ContextRequest();
  EXPECT_FALSE(cdshooks::ExpandPrefetchTemplate("Encounter/{{context.encounterId}}", r, why));
  EXPECT_NE(why.find("encounterId"), std::string::npos) << why;
  EXPECT_FALSE(cdshooks::ExpandPrefetchTemplate("Practitioner/{{userPractitionerId}}", r, why));
  EXPECT_NE(why.find("PractitionerRole, not a Practitioner"), std::string::npos) << why;
  EXPECT_FALSE(cdshooks::ExpandPrefetchTemplate("X?a={{context.medication.id}}", r, why));
  EXPECT_NE(why.find("context.medication.id"), std::string::npos) << why;
  EXPECT_FALSE(cdshooks::ExpandPrefetchTemplate("Patient/{{context.patientId", r, why));
  r.patient_id = "..";
  EXPECT_FALSE(cdshooks::ExpandPrefetchTemplate("Patient/{{context.patientId}}", r, why));
}

}  // namespace
