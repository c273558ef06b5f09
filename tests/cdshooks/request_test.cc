#include "cdshooks/request.h"

#include "cdshooks/service.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace {

cdshooks::ServiceDefinition Service(const std::string& hook) {
  cdshooks::ServiceDefinition s;
  s.id = "anakinra-" + hook;
  s.hook = hook;
  s.prefetch = {{"patient", "Patient/{{context.patientId}}"},
                {"medications", "MedicationRequest?patient={{context.patientId}}&status=active"}};
  return s;
}

const char* kDrafts =
    R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"MedicationRequest","id":"m1","status":"draft"}}]})";

std::string Body(const std::string& hook, const std::string& extra_context = "",
                 const std::string& extra = "") {
  return R"({"hook":")" + hook + R"(","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",)" +
         extra + R"("context":{"userId":"Practitioner/1","patientId":"p1","draftOrders":)" +
         kDrafts + extra_context + "}}";
}

std::string Diagnostics(const base::Status& e) {
  std::string all;
  for (const auto& p : e.problems()) all += p.message + " | ";
  return all;
}

TEST(ParseRequest, ValidOrderSign) {
  cdshooks::Request r;
  auto e = cdshooks::ParseRequest(Body("order-sign"), Service("order-sign"), {}, r);
  ASSERT_TRUE(e.ok()) << Diagnostics(e);
  EXPECT_EQ(r.hook, "order-sign");
  EXPECT_EQ(r.patient_id, "p1");
  ASSERT_NE(r.draft_orders, nullptr);
  EXPECT_EQ(r.Prefetch("patient").state, cdshooks::PrefetchState::kAbsent);
}

// encounterId is optional: a wrong-typed one is read as absent, never a 400 (policy v2 §0).
TEST(ParseRequest, WrongTypedEncounterIdIsIgnored) {
  cdshooks::Request r, named;
  auto e = cdshooks::ParseRequest(Body("order-sign", R"(,"encounterId":5)"), Service("order-sign"),
                                  {}, r);
  ASSERT_TRUE(e.ok()) << Diagnostics(e);
  EXPECT_TRUE(r.encounter_id.empty());
  e = cdshooks::ParseRequest(Body("order-sign", R"(,"encounterId":"e1")"), Service("order-sign"),
                             {}, named);
  ASSERT_TRUE(e.ok()) << Diagnostics(e);
  EXPECT_EQ(named.encounter_id, "e1");
}

TEST(ParseRequest, OrderSelectNeedsSelectionsThatExist) {
  cdshooks::Request r;
  auto missing = cdshooks::ParseRequest(Body("order-select"), Service("order-select"), {}, r);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(Diagnostics(missing).find("context.selections"), std::string::npos);

  cdshooks::Request r2;
  auto ok =
      cdshooks::ParseRequest(Body("order-select", R"(,"selections":["MedicationRequest/m1"])"),
                             Service("order-select"), {}, r2);
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(r2.selections.size(), 1u);

  cdshooks::Request r3;
  auto unknown =
      cdshooks::ParseRequest(Body("order-select", R"(,"selections":["MedicationRequest/zz"])"),
                             Service("order-select"), {}, r3);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(Diagnostics(unknown).find("names no order"), std::string::npos);
}

TEST(ParseRequest, HookMustMatchService) {
  cdshooks::Request r;
  auto e = cdshooks::ParseRequest(Body("order-sign"), Service("order-select"), {}, r);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.code(), base::Status::Code::kInvalidArgument);
  EXPECT_NE(Diagnostics(e).find("does not match"), std::string::npos);
}

TEST(ParseRequest, ReportsEveryProblemAtOnce) {
  cdshooks::Request r;
  auto e = cdshooks::ParseRequest(R"({"hook":5,"context":{"patientId":""}})", Service("order-sign"),
                                  {}, r);
  ASSERT_FALSE(e.ok());
  const std::string d = Diagnostics(e);
  EXPECT_NE(d.find("hook must be a string"), std::string::npos);
  EXPECT_NE(d.find("hookInstance"), std::string::npos);
  EXPECT_NE(d.find("context.userId"), std::string::npos);
  EXPECT_NE(d.find("context.patientId must not be empty"), std::string::npos);
  EXPECT_NE(d.find("context.draftOrders"), std::string::npos);
  // Each problem keeps its OperationOutcome issue code (kind) and expression (where).
  const auto problems = e.problems();
  ASSERT_GE(problems.size(), 2u);
  EXPECT_EQ(problems[0].kind, "structure");
  EXPECT_EQ(problems[0].where, "hook");
  EXPECT_EQ(problems[1].kind, "required");
  EXPECT_EQ(problems[1].where, "hookInstance");
}

TEST(ParseRequest, NotAnObjectOrNotJson) {
  for (const char* body : {"[]", "null", "\"x\"", "{", ""}) {
    cdshooks::Request r;
    auto e = cdshooks::ParseRequest(body, Service("order-sign"), {}, r);
    ASSERT_FALSE(e.ok()) << body;
    EXPECT_EQ(e.code(), base::Status::Code::kInvalidArgument);
  }
}

TEST(ParseRequest, FhirAuthorizationNeedsFhirServerAndFields) {
  cdshooks::Request r;
  auto e = cdshooks::ParseRequest(
      Body("order-sign", "", R"("fhirAuthorization":{"access_token":"t","token_type":"MAC"},)"),
      Service("order-sign"), {}, r);
  ASSERT_FALSE(e.ok());
  const std::string d = Diagnostics(e);
  EXPECT_NE(d.find("fhirServer is required"), std::string::npos);
  EXPECT_NE(d.find("token_type must be"), std::string::npos);
  EXPECT_NE(d.find("expires_in"), std::string::npos);
  EXPECT_NE(d.find("scope"), std::string::npos);
  EXPECT_EQ(d.find("\"t\""), std::string::npos);  // the token never appears in diagnostics
}

// RFC 6749 makes the token type case-insensitive; EHRs send "bearer" as often as "Bearer".
TEST(ParseRequest, TokenTypeIsCaseInsensitive) {
  for (const char* type : {"bearer", "BEARER", "Bearer"}) {
    cdshooks::Request r;
    const std::string auth =
        std::string(R"("fhirServer":"https://ehr.example/fhir","fhirAuthorization":)") +
        R"({"access_token":"t","token_type":")" + type +
        R"(","expires_in":300,"scope":"patient/*.read","subject":"cds"},)";
    auto e = cdshooks::ParseRequest(Body("order-sign", "", auth), Service("order-sign"), {}, r);
    ASSERT_TRUE(e.ok()) << type << ": " << Diagnostics(e);
    ASSERT_TRUE(r.fhir_authorization.has_value());
    EXPECT_EQ(r.fhir_authorization->token_type, "Bearer");
  }
}

TEST(ParseRequest, FhirServerMustBeHttpUrl) {
  cdshooks::Request r;
  auto e = cdshooks::ParseRequest(Body("order-sign", "", R"("fhirServer":"file:///etc/passwd",)"),
                                  Service("order-sign"), {}, r);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(Diagnostics(e).find("fhirServer must be"), std::string::npos);
}

TEST(ParseRequest, PrefetchShapes) {
  cdshooks::Request r;
  auto e = cdshooks::ParseRequest(
      Body(
          "order-sign", "",
          R"("prefetch":{"patient":null,"medications":{"resourceType":"OperationOutcome","issue":[]},"other":7},)"),
      Service("order-sign"), {}, r);
  ASSERT_TRUE(e.ok()) << Diagnostics(e);
  EXPECT_EQ(r.Prefetch("patient").state, cdshooks::PrefetchState::kNull);
  EXPECT_EQ(r.Prefetch("medications").state, cdshooks::PrefetchState::kFailed);
  EXPECT_EQ(r.Prefetch("other").state, cdshooks::PrefetchState::kAbsent);  // not ours: ignored

  // Policy v2 §0: what is inside prefetch never makes a 400. A string (the spec's own erratum
  // "user": "123"), an object without resourceType, a Bundle whose entry is not an array: the key
  // is missing (kFailed, with why); a prefetch that is not an object: every key is missing.
  cdshooks::Request shapes;
  auto e2 = cdshooks::ParseRequest(
      Body(
          "order-sign", "",
          R"("prefetch":{"patient":"123","medications":{"resourceType":"Bundle","entry":{}},"user":"123"},)"),
      Service("order-sign"), {}, shapes);
  ASSERT_TRUE(e2.ok()) << Diagnostics(e2);
  EXPECT_EQ(shapes.Prefetch("patient").state, cdshooks::PrefetchState::kFailed);
  EXPECT_NE(shapes.Prefetch("patient").why.find("a string"), std::string::npos);
  EXPECT_EQ(shapes.Prefetch("medications").state, cdshooks::PrefetchState::kFailed);
  EXPECT_EQ(shapes.Prefetch("user").state, cdshooks::PrefetchState::kAbsent);

  cdshooks::Request not_object;
  auto e3 = cdshooks::ParseRequest(Body("order-sign", "", R"("prefetch":[1,2],)"),
                                   Service("order-sign"), {}, not_object);
  ASSERT_TRUE(e3.ok()) << Diagnostics(e3);
  EXPECT_EQ(not_object.Prefetch("patient").state, cdshooks::PrefetchState::kFailed);
  EXPECT_EQ(not_object.Prefetch("medications").state, cdshooks::PrefetchState::kFailed);
}

TEST(ParseRequest, PagedPrefetchIsIncompleteAndErrorEntriesFail) {
  cdshooks::Request r;
  auto e = cdshooks::ParseRequest(
      Body(
          "order-sign", "",
          R"("prefetch":{"medications":{"resourceType":"Bundle","type":"searchset","link":[{"relation":"next","url":"http://127.0.0.1:1/MedicationRequest?page=2"}],"entry":[{"resource":{"resourceType":"MedicationRequest","id":"a"}}]},)"
          R"("patient":{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception"}]}}]}},)"),
      Service("order-sign"), {}, r);
  ASSERT_TRUE(e.ok()) << Diagnostics(e);
  const auto meds = r.Prefetch("medications");
  EXPECT_EQ(meds.state, cdshooks::PrefetchState::kIncomplete);
  EXPECT_EQ(meds.next, "http://127.0.0.1:1/MedicationRequest?page=2");
  EXPECT_EQ(meds.why, "more pages");
  EXPECT_EQ(r.Prefetch("patient").state, cdshooks::PrefetchState::kFailed);
}

TEST(ParseRequest, BrokenEnvelopeIsStill400) {
  for (
      const std::string& body :
      {std::string(
           R"({"hook":"order-sign","hookInstance":"x","context":{"userId":"u","patientId":"p","draftOrders":[]}})"),
       std::string(
           R"({"hook":"order-sign","hookInstance":7,"context":{"userId":"u","patientId":"p","draftOrders":{"resourceType":"Bundle"}}})"),
       std::string(
           R"({"hook":"order-sign","hookInstance":"x","context":{"userId":"u","draftOrders":{"resourceType":"Bundle"}}})"),
       std::string(R"({"hook":"order-sign","hookInstance":"x","context":"c"})")}) {
    cdshooks::Request r;
    auto e = cdshooks::ParseRequest(body, Service("order-sign"), {}, r);
    ASSERT_FALSE(e.ok()) << body;
    EXPECT_EQ(e.code(), base::Status::Code::kInvalidArgument) << body;
  }
}

// Issue 16, item 9: a duplicate key was resolved first-wins (base::Member finds the first) while
// other readers take the last. In the envelope it is now a 400 naming the key; a prefetch key sent
// twice, or a key twice inside a prefetch resource, makes that key missing (never a 400).
TEST(ParseRequest, DuplicateKeysInTheEnvelopeAre400NamingTheKey) {
  const std::string instance = R"("hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",)";
  const std::string context = R"("context":{"userId":"Practitioner/1","patientId":"p1",)";
  for (
      const auto& [body, where] : std::vector<std::pair<std::string, std::string>>{
          {Body("order-sign", "", R"("hook":"order-select",)"), "hook"},
          {R"({"hook":"order-sign",)" + instance + context + R"("patientId":"p2","draftOrders":)" +
               kDrafts + "}}",
           "context.patientId"},
          {Body(
               "order-sign", "",
               R"("fhirServer":"http://127.0.0.1:1/fhir","fhirAuthorization":{"access_token":"a",)"
               R"("access_token":"b","token_type":"Bearer","scope":"s","subject":"c","expires_in":1},)"),
           "fhirAuthorization.access_token"},
          {R"({"hook":"order-sign",)" + instance + context +
               R"("draftOrders":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":)"
               R"("MedicationRequest","id":"a"},"resource":{"resourceType":"MedicationRequest","id":"b"}}]}}})",
           "context.draftOrders.entry[0].resource"}}) {
    cdshooks::Request r;
    auto e = cdshooks::ParseRequest(body, Service("order-sign"), {}, r);
    ASSERT_FALSE(e.ok()) << body;
    EXPECT_EQ(e.code(), base::Status::Code::kInvalidArgument);
    bool named = false;
    for (const auto& p : e.problems())
      named = named || (p.where == where && p.message.find("more than once") != std::string::npos);
    EXPECT_TRUE(named) << where << ": " << Diagnostics(e);
  }
}

TEST(ParseRequest, DuplicateKeysInPrefetchMakeTheKeyMissingNot400) {
  cdshooks::Request r;
  auto e = cdshooks::ParseRequest(
      Body(
          "order-sign", "",
          R"("prefetch":{"patient":{"resourceType":"Patient","id":"p1","birthDate":"1980-01-01",)"
          R"("birthDate":"2020-01-01"},"medications":null,"medications":{"resourceType":"Bundle"}},)"),
      Service("order-sign"), {}, r);
  ASSERT_TRUE(e.ok()) << Diagnostics(e);
  EXPECT_EQ(r.Prefetch("patient").state, cdshooks::PrefetchState::kFailed);
  EXPECT_NE(r.Prefetch("patient").why.find("more than once"), std::string::npos);
  EXPECT_EQ(r.Prefetch("medications").state, cdshooks::PrefetchState::kFailed);
  EXPECT_EQ(r.Prefetch("medications").why, "the key is sent twice");
}

TEST(ParseRequest, DepthLimit) {
  cdshooks::Request r;
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  auto e = cdshooks::ParseRequest(deep, Service("order-sign"), cdshooks::ParseLimits{64}, r);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(Diagnostics(e).find("deeper than 64"), std::string::npos);
}

TEST(ServiceCatalog, LoadsAndNamesBadEntries) {
  auto ok = cdshooks::ServiceCatalog::Load(
      R"({"services":[{"id":"a","hook":"order-sign","description":"d","prefetch":{"p":"Patient/{{context.patientId}}"}}]})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_NE(ok->Find("a"), nullptr);
  EXPECT_EQ(ok->Find("b"), nullptr);

  EXPECT_FALSE(cdshooks::ServiceCatalog::Load(R"({"services":[]})").ok());
  auto bad = cdshooks::ServiceCatalog::Load(
      R"({"services":[{"id":"a","hook":"patient-chart","description":"d"}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), base::Status::Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "service definitions: services[0] (a): unsupported hook \"patient-chart\"");
  bad = cdshooks::ServiceCatalog::Load(
      R"({"services":[{"id":"a","hook":"order-sign","description":"d"},{"id":"a","hook":"order-sign","description":"d"}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("duplicate id"), std::string::npos);
  for (const char* version : {R"("version":"2.0.1","hookVersion":"1.0")", R"("version":"2")",
                              R"("hookVersion":1.0)", R"("version":"2.0.x")"}) {
    auto v = cdshooks::ServiceCatalog::Load(
        std::string(R"({"services":[{"id":"a","hook":"order-sign","description":"d",)") + version +
        "}]}");
    EXPECT_EQ(v.ok(), std::string(version).find("2.0.1") != std::string::npos) << version;
  }
}

}  // namespace
