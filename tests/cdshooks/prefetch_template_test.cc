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
  auto r = ContextRequest();
  auto e = cdshooks::ExpandPrefetchTemplate("Condition?patient={{context.patientId}}&code=a|b", r);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->query, "Condition?patient=pt%201%2F..%2Fx&code=a%7Cb");
  EXPECT_TRUE(e->search);
  EXPECT_EQ(e->resource_type, "Condition");
  e = cdshooks::ExpandPrefetchTemplate("PractitionerRole?_id={{userPractitionerRoleId}}", r);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->query, "PractitionerRole?_id=role-7");
  e = cdshooks::ExpandPrefetchTemplate("{{context.userId}}", r);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->query, "PractitionerRole%2Frole-7");  // encoded: a value never adds a segment
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

}  // namespace
