// Resource status rules (conditions, allergies, immunizations, observations), observation times
// and reference resolution.
#include "fhir/resource.h"

#include <gtest/gtest.h>

#include <string>

namespace {

rapidjson::Document Parse(const std::string& json) {
  rapidjson::Document doc;
  EXPECT_TRUE(base::ParseJson(json, 32, doc).ok()) << json;
  return doc;
}

std::string R4Condition(const std::string& clinical, const std::string& verification) {
  std::string s = R"({"resourceType":"Condition","id":"c")";
  if (!clinical.empty())
    s +=
        R"(,"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":")" +
        clinical + R"("}]})";
  if (!verification.empty())
    s +=
        R"(,"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":")" +
        verification + R"("}]})";
  return s + "}";
}

TEST(IsActiveCondition, R4CodeableConceptStatuses) {
  struct Case {
    const char* clinical;
    const char* verification;
    bool active;
  };
  for (const Case& c :
       {Case{"active", "confirmed", true}, Case{"recurrence", "confirmed", true},
        Case{"relapse", "", true}, Case{"active", "provisional", true},
        Case{"active", "unconfirmed", true}, Case{"", "confirmed", true}, Case{"", "", true},
        Case{"resolved", "confirmed", false}, Case{"inactive", "confirmed", false},
        Case{"remission", "confirmed", false}, Case{"active", "refuted", false},
        Case{"active", "entered-in-error", false}, Case{"", "entered-in-error", false}}) {
    const auto doc = Parse(R4Condition(c.clinical, c.verification));
    EXPECT_EQ(fhir::IsActiveCondition(doc), c.active) << c.clinical << "/" << c.verification;
  }
}

TEST(IsActiveCondition, Stu3AndDstu2StringStatuses) {
  EXPECT_TRUE(fhir::IsActiveCondition(Parse(
      R"({"resourceType":"Condition","clinicalStatus":"active","verificationStatus":"confirmed"})")));
  EXPECT_FALSE(fhir::IsActiveCondition(
      Parse(R"({"resourceType":"Condition","clinicalStatus":"resolved"})")));
  EXPECT_FALSE(fhir::IsActiveCondition(Parse(
      R"({"resourceType":"Condition","clinicalStatus":"active","verificationStatus":"refuted"})")));
  EXPECT_FALSE(fhir::IsActiveCondition(
      Parse(R"({"resourceType":"Condition","verificationStatus":"entered-in-error"})")));
}

TEST(IsActiveAllergy, Statuses) {
  auto allergy = [](const std::string& members) {
    return Parse(R"({"resourceType":"AllergyIntolerance")" + members + "}");
  };
  EXPECT_TRUE(fhir::IsActiveAllergy(allergy("")));
  EXPECT_TRUE(
      fhir::IsActiveAllergy(allergy(R"(,"clinicalStatus":{"coding":[{"code":"active"}]})")));
  EXPECT_FALSE(
      fhir::IsActiveAllergy(allergy(R"(,"clinicalStatus":{"coding":[{"code":"resolved"}]})")));
  EXPECT_FALSE(
      fhir::IsActiveAllergy(allergy(R"(,"clinicalStatus":{"coding":[{"code":"inactive"}]})")));
  EXPECT_FALSE(
      fhir::IsActiveAllergy(allergy(R"(,"verificationStatus":{"coding":[{"code":"refuted"}]})")));
  EXPECT_FALSE(fhir::IsActiveAllergy(
      allergy(R"(,"verificationStatus":{"coding":[{"code":"entered-in-error"}]})")));
  EXPECT_TRUE(fhir::IsActiveAllergy(
      allergy(R"(,"verificationStatus":{"coding":[{"code":"unconfirmed"}]})")));
  // STU3 strings and DSTU2 status.
  EXPECT_FALSE(fhir::IsActiveAllergy(allergy(R"(,"clinicalStatus":"resolved")")));
  EXPECT_FALSE(fhir::IsActiveAllergy(allergy(R"(,"verificationStatus":"refuted")")));
  EXPECT_FALSE(fhir::IsActiveAllergy(allergy(R"(,"status":"entered-in-error")")));
  EXPECT_FALSE(fhir::IsActiveAllergy(allergy(R"(,"status":"resolved")")));
  EXPECT_TRUE(fhir::IsActiveAllergy(allergy(R"(,"status":"confirmed")")));
}

TEST(IsCompletedImmunization, Statuses) {
  auto imm = [](const std::string& members) {
    return Parse(R"({"resourceType":"Immunization")" + members + "}");
  };
  EXPECT_TRUE(fhir::IsCompletedImmunization(imm(R"(,"status":"completed")")));
  EXPECT_FALSE(fhir::IsCompletedImmunization(imm(R"(,"status":"not-done")")));
  EXPECT_FALSE(fhir::IsCompletedImmunization(imm(R"(,"status":"entered-in-error")")));
  EXPECT_FALSE(fhir::IsCompletedImmunization(imm("")));
  // DSTU2 wasNotGiven, STU3 notGiven.
  EXPECT_FALSE(fhir::IsCompletedImmunization(imm(R"(,"status":"completed","wasNotGiven":true)")));
  EXPECT_TRUE(fhir::IsCompletedImmunization(imm(R"(,"status":"completed","wasNotGiven":false)")));
  EXPECT_FALSE(fhir::IsCompletedImmunization(imm(R"(,"status":"completed","notGiven":true)")));
}

TEST(IsUsableObservation, Statuses) {
  for (const char* ok : {"final", "amended", "corrected", "preliminary"}) {
    EXPECT_TRUE(fhir::IsUsableObservation(
        Parse(R"({"resourceType":"Observation","status":")" + std::string(ok) + "\"}")))
        << ok;
  }
  for (const char* bad : {"entered-in-error", "cancelled", "registered"}) {
    EXPECT_FALSE(fhir::IsUsableObservation(
        Parse(R"({"resourceType":"Observation","status":")" + std::string(bad) + "\"}")))
        << bad;
  }
}

TEST(ObservationTime, Sources) {
  EXPECT_EQ(fhir::ObservationTime(Parse(R"({"effectiveDateTime":"2026-06-15T10:00:00Z"})")),
            fhir::ParseDateTime("2026-06-15T10:00:00Z"));
  EXPECT_EQ(fhir::ObservationTime(Parse(R"({"effectiveInstant":"2026-06-15T10:00:00.123Z"})")),
            fhir::ParseDateTime("2026-06-15T10:00:00Z"));
  EXPECT_EQ(fhir::ObservationTime(
                Parse(R"({"effectivePeriod":{"start":"2026-06-01","end":"2026-06-03"}})")),
            fhir::ParseDateTime("2026-06-03"));
  EXPECT_EQ(fhir::ObservationTime(Parse(R"({"effectivePeriod":{"start":"2026-06-01"}})")),
            fhir::ParseDateTime("2026-06-01"));
  EXPECT_EQ(fhir::ObservationTime(Parse(R"({"issued":"2026-06-05T08:00:00+02:00"})")),
            fhir::ParseDateTime("2026-06-05T06:00:00Z"));
  // effective wins over issued.
  EXPECT_EQ(fhir::ObservationTime(
                Parse(R"({"effectiveDateTime":"2026-06-01","issued":"2026-06-05T08:00:00Z"})")),
            fhir::ParseDateTime("2026-06-01"));
  EXPECT_FALSE(fhir::ObservationTime(Parse(R"({"status":"final"})")));
  EXPECT_FALSE(fhir::ObservationTime(Parse(R"({"effectiveDateTime":"yesterday"})")));
}

TEST(ImmunizationTime, R4AndOlder) {
  EXPECT_EQ(fhir::ImmunizationTime(Parse(R"({"occurrenceDateTime":"2020-01-02"})")),
            fhir::ParseDateTime("2020-01-02"));
  EXPECT_EQ(fhir::ImmunizationTime(Parse(R"({"date":"2019-01-02"})")),
            fhir::ParseDateTime("2019-01-02"));
  EXPECT_FALSE(fhir::ImmunizationTime(Parse(R"({})")));
}

TEST(ResourceIdentity, TypeIdAndKey) {
  const auto doc = Parse(R"({"resourceType":"MedicationRequest","id":"123"})");
  EXPECT_EQ(fhir::ResourceType(doc), "MedicationRequest");
  EXPECT_EQ(fhir::ResourceId(doc), "123");
  EXPECT_EQ(fhir::ReferenceKey(doc), "MedicationRequest/123");
  EXPECT_EQ(fhir::ReferenceKey(Parse(R"({"resourceType":"Patient"})")), "");
  EXPECT_EQ(fhir::ReferenceId("Patient/pt-1"), "pt-1");
  EXPECT_EQ(fhir::ReferenceId("pt-1"), "pt-1");
  EXPECT_EQ(fhir::Status(Parse(R"({"status":"active"})")), "active");
  EXPECT_EQ(fhir::Status(Parse(R"({})")), "");
}

class ResolveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bundle_ = Parse(R"({"resourceType":"Bundle","entry":[
      {"resource":{"resourceType":"Medication","id":"m1","code":{"text":"one"}}},
      {"resource":{"resourceType":"Condition","id":"c1"}},
      {"resource":{"resourceType":"Medication"}},
      {"fullUrl":"x"}]})");
    index_.AddAll(&bundle_);
    order_ = Parse(R"({"resourceType":"MedicationRequest","id":"o1",
      "contained":[{"resourceType":"Medication","id":"inner","code":{"text":"contained"}}]})");
  }
  rapidjson::Document bundle_, order_;
  fhir::ResourceIndex index_;
};

TEST_F(ResolveTest, TypeSlashId) {
  const base::Json* m = index_.Resolve("Medication/m1");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(fhir::ResourceId(*m), "m1");
  EXPECT_NE(index_.Resolve("Condition/c1"), nullptr);
  EXPECT_EQ(index_.Resolve("Condition/m1"), nullptr);  // type matters
  EXPECT_EQ(index_.Resolve("Medication/m2"), nullptr);
  EXPECT_EQ(index_.Resolve("m1"), nullptr);
  EXPECT_EQ(index_.Resolve(""), nullptr);
}

TEST_F(ResolveTest, AbsoluteUrl) {
  EXPECT_NE(index_.Resolve("https://fhir.example.org/r4/Medication/m1"), nullptr);
}

TEST_F(ResolveTest, HistoryIsIgnored) {
  EXPECT_NE(index_.Resolve("Medication/m1/_history/3"), nullptr);
  EXPECT_NE(index_.Resolve("https://fhir.example.org/r4/Medication/m1/_history/3"), nullptr);
}

TEST_F(ResolveTest, ContainedByHash) {
  const base::Json* inner = index_.Resolve("#inner", &order_);
  ASSERT_NE(inner, nullptr);
  EXPECT_EQ(fhir::ResourceId(*inner), "inner");
  EXPECT_EQ(index_.Resolve("#missing", &order_), nullptr);
  EXPECT_EQ(index_.Resolve("#inner"), nullptr);        // no container given
  EXPECT_EQ(index_.Resolve("#m1", &order_), nullptr);  // '#' never looks outside the container
}

TEST(ForEachResource, BundleOrSingleResource) {
  int n = 0;
  const auto bundle = Parse(
      R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient"}},{"resource":{"resourceType":"Condition"}},{"search":{}}]})");
  fhir::ForEachResource(&bundle, [&](const base::Json&) { ++n; });
  EXPECT_EQ(n, 2);
  n = 0;
  const auto single = Parse(R"({"resourceType":"Patient"})");
  fhir::ForEachResource(&single, [&](const base::Json&) { ++n; });
  EXPECT_EQ(n, 1);
  n = 0;
  const auto none = Parse(R"({"id":"no type"})");
  fhir::ForEachResource(&none, [&](const base::Json&) { ++n; });
  fhir::ForEachResource(nullptr, [&](const base::Json&) { ++n; });
  EXPECT_EQ(n, 0);
}

}  // namespace
