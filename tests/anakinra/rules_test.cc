// One test per rule at each threshold edge (just below, at, just above), per unit, per code system
// and per data shape (issue 3). Each test builds a small CDS Hooks request from a clean adult
// baseline, changes one fact, evaluates it with the real knowledge from hooks/, and asserts on the
// cards by source.topic.code. The numbers come from hooks/knowledge/dosing.json.
#include "fhir/date.h"
#include "fhir/json.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using testing_support::ParseJsonOrDie;
using testing_support::RealHandler;

constexpr const char* kRx = "http://www.nlm.nih.gov/research/umls/rxnorm";
constexpr const char* kSct = "http://snomed.info/sct";
constexpr const char* kLoinc = "http://loinc.org";
constexpr const char* kCvx = "http://hl7.org/fhir/sid/cvx";
constexpr const char* kIcdCm = "http://hl7.org/fhir/sid/icd-10-cm";
constexpr const char* kIcdWho = "http://hl7.org/fhir/sid/icd-10";

// Reference time of every request: the draft orders' authoredOn (2026-06-15T00:00:00Z).
const fhir::EpochSeconds kRef = fhir::DaysFromCivil(2026, 6, 15) * fhir::kSecondsPerDay;
constexpr const char* kRefDate = "2026-06-15";

std::string Q(const std::string& s) { return "\"" + s + "\""; }

// A dateTime `days` before the reference time.
std::string DaysAgo(double days) {
  return fhir::FormatDateTime(kRef - static_cast<fhir::EpochSeconds>(days * fhir::kSecondsPerDay));
}

std::string Coding(const std::string& system, const std::string& code,
                   const std::string& display = "") {
  return "{\"system\":" + Q(system) + ",\"code\":" + Q(code) +
         (display.empty() ? "" : ",\"display\":" + Q(display)) + "}";
}

// A CodeableConcept with one coding (no text, so only the code can match).
std::string Concept(const std::string& system, const std::string& code,
                    const std::string& display = "") {
  return "{\"coding\":[" + Coding(system, code, display) + "]}";
}

std::string TextConcept(const std::string& text) { return "{\"text\":" + Q(text) + "}"; }

std::string Status(const std::string& system, const std::string& code) {
  return "{\"coding\":[" + Coding(system, code) + "]}";
}

int next_id = 0;
std::string NextId(const std::string& prefix) { return prefix + "-" + std::to_string(++next_id); }

std::string Observation(const std::string& loinc, double value, const std::string& unit,
                        const std::string& when, const std::string& status = "final") {
  char v[64];
  std::snprintf(v, sizeof v, "%.10g", value);
  return R"({"resourceType":"Observation","id":")" + NextId("obs") + R"(","status":")" + status +
         R"(","code":)" + Concept(kLoinc, loinc) + R"(,"subject":{"reference":"Patient/pt-1"},)" +
         R"("effectiveDateTime":")" + when + R"(","valueQuantity":{"value":)" + v + R"(,"unit":")" +
         unit + R"(","system":"http://unitsofmeasure.org","code":")" + unit + "\"}}";
}

std::string CodedObservation(const std::string& loinc, const std::string& value_system,
                             const std::string& value_code, const std::string& when) {
  return R"({"resourceType":"Observation","id":")" + NextId("obs") +
         R"(","status":"final","code":)" + Concept(kLoinc, loinc) +
         R"(,"subject":{"reference":"Patient/pt-1"},"effectiveDateTime":")" + when +
         R"(","valueCodeableConcept":)" + Concept(value_system, value_code) + "}";
}

std::string Weight(double kg, double days_ago = 10, const std::string& unit = "kg") {
  return Observation("29463-7", kg, unit, DaysAgo(days_ago));
}
std::string Anc(double value, double days_ago = 5, const std::string& unit = "10*9/L",
                const std::string& loinc = "751-8") {
  return Observation(loinc, value, unit, DaysAgo(days_ago));
}
std::string Egfr(double value, double days_ago = 10) {
  return Observation("98979-8", value, "mL/min/{1.73_m2}", DaysAgo(days_ago));
}
std::string Crcl(double value, double days_ago = 10) {
  return Observation("35591-7", value, "mL/min", DaysAgo(days_ago));
}

std::string Condition(const std::string& code_concept, const std::string& clinical = "active",
                      const std::string& verification = "confirmed", const std::string& id = "") {
  return R"({"resourceType":"Condition","id":")" + (id.empty() ? NextId("cond") : id) +
         R"(","clinicalStatus":)" +
         Status("http://terminology.hl7.org/CodeSystem/condition-clinical", clinical) +
         R"(,"verificationStatus":)" +
         Status("http://terminology.hl7.org/CodeSystem/condition-ver-status", verification) +
         R"(,"code":)" + code_concept + R"(,"subject":{"reference":"Patient/pt-1"}})";
}

std::string Allergy(const std::string& code_concept, const std::string& clinical = "active") {
  return R"({"resourceType":"AllergyIntolerance","id":")" + NextId("alg") +
         R"(","clinicalStatus":)" +
         Status("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", clinical) +
         R"(,"code":)" + code_concept + R"(,"patient":{"reference":"Patient/pt-1"}})";
}

std::string Immunization(const std::string& vaccine_concept,
                         const std::string& status = "completed") {
  return R"({"resourceType":"Immunization","id":")" + NextId("imm") + R"(","status":")" + status +
         R"(","vaccineCode":)" + vaccine_concept +
         R"(,"patient":{"reference":"Patient/pt-1"},"occurrenceDateTime":"2020-01-01"})";
}

std::string MedicationRequest(const std::string& id, const std::string& medication_concept,
                              const std::string& status = "active") {
  return R"({"resourceType":"MedicationRequest","id":")" + id + R"(","status":")" + status +
         R"(","intent":"order","medicationCodeableConcept":)" + medication_concept +
         R"(,"subject":{"reference":"Patient/pt-1"},"authoredOn":")" + kRefDate + "\"}";
}

const std::string kSubcutaneous =
    R"({"coding":[{"system":"http://snomed.info/sct","code":"34206005","display":"Subcutaneous route"}],"text":"Subcutaneous"})";
const std::string kIntravenous =
    R"({"coding":[{"system":"http://snomed.info/sct","code":"47625008","display":"Intravenous route"}],"text":"Intravenous"})";

std::string Repeat(double frequency, double period, const std::string& unit) {
  char buf[160];
  std::snprintf(buf, sizeof buf, R"({"repeat":{"frequency":%g,"period":%g,"periodUnit":"%s"}})",
                frequency, period, unit.c_str());
  return buf;
}
const std::string kDaily = Repeat(1, 1, "d");
const std::string kTwiceDaily = Repeat(2, 1, "d");
const std::string kEveryOtherDay = Repeat(1, 2, "d");

// The draft anakinra MedicationRequest. Empty strings leave the member out.
struct Draft {
  std::string id = "ak-1";
  std::string resource_type = "MedicationRequest";
  std::string medication = R"("medicationCodeableConcept":)" + Concept(kRx, "72435", "anakinra");
  double dose = 100;
  std::string unit = "mg";
  bool has_dose = true;
  std::string timing = kDaily;
  std::string route = kSubcutaneous;
  std::string reason;  // a "reasonCode" / "reasonReference" member, or ""
  std::string extra;   // more members, each followed by a comma
  std::string authored_on = kRefDate;

  std::string Json() const {
    char dose_text[64];
    std::snprintf(dose_text, sizeof dose_text, "%.10g", dose);
    std::string dosage = "{";
    if (!timing.empty()) dosage += "\"timing\":" + timing + ",";
    if (!route.empty()) dosage += "\"route\":" + route + ",";
    if (has_dose)
      dosage += R"("doseAndRate":[{"doseQuantity":{"value":)" + std::string(dose_text) +
                R"(,"unit":")" + unit + R"(","system":"http://unitsofmeasure.org","code":")" +
                unit + "\"}}],";
    dosage += R"("text":"as written"})";
    std::string r = "{\"resourceType\":" + Q(resource_type) + ",\"id\":" + Q(id) + "," + extra +
                    R"("status":"draft","intent":"order",)" + medication +
                    R"(,"subject":{"reference":"Patient/pt-1"},)";
    if (!authored_on.empty()) r += "\"authoredOn\":" + Q(authored_on) + ",";
    if (!reason.empty()) r += reason + ",";
    r += "\"dosageInstruction\":[" + dosage + "]}";
    return r;
  }
};

std::string ReasonCode(const std::string& concept_json) {
  return "\"reasonCode\":[" + concept_json + "]";
}

struct Response {
  int status = 0;
  std::string body;
  rapidjson::Document doc;
  std::vector<std::string> codes;

  int Count(const std::string& code) const {
    return static_cast<int>(std::count(codes.begin(), codes.end(), code));
  }
  bool Has(const std::string& code) const { return Count(code) > 0; }
  const fhir::Json* Card(const std::string& code) const {
    if (!doc.IsObject() || !doc.HasMember("cards")) return nullptr;
    for (const auto& c : doc["cards"].GetArray())
      if (code == c["source"]["topic"]["code"].GetString()) return &c;
    return nullptr;
  }
  std::string Detail(const std::string& code) const {
    const fhir::Json* c = Card(code);
    return c == nullptr ? "" : c->operator[]("detail").GetString();
  }
  std::string Summary(const std::string& code) const {
    const fhir::Json* c = Card(code);
    return c == nullptr ? "" : c->operator[]("summary").GetString();
  }
  // The resource of the first action of the first suggestion of the card.
  const fhir::Json* SuggestedResource(const std::string& code) const {
    const fhir::Json* c = Card(code);
    if (c == nullptr || !c->HasMember("suggestions")) return nullptr;
    const auto& action = (*c)["suggestions"][0]["actions"][0];
    return action.HasMember("resource") ? &action["resource"] : nullptr;
  }
  std::string Codes() const {
    std::string s;
    for (const auto& c : codes) s += c + " ";
    return s.empty() ? "(no cards)" : s;
  }
};

std::string Bundle(const std::vector<std::string>& resources) {
  std::string s = R"({"resourceType":"Bundle","type":"searchset","entry":[)";
  for (std::size_t i = 0; i < resources.size(); ++i) {
    if (i > 0) s += ',';
    s += "{\"resource\":";
    s += resources[i];
    s += '}';
  }
  s += "]}";
  return s;
}

// A request: a clean adult with RA, weight, recent neutrophils, normal eGFR and both
// immunisations, and one draft anakinra order of 100 mg once daily SC. Tests change one thing.
struct Scenario {
  std::string hook = "order-sign";
  bool patient = true;
  std::string birth_date = "1980-03-01";
  std::vector<std::string> drafts = {Draft{}.Json()};
  std::vector<std::string> selections = {"MedicationRequest/ak-1"};
  std::vector<std::string> observations = {Weight(70), Anc(3.0), Egfr(90)};
  std::vector<std::string> conditions = {Condition(Concept(kSct, "69896004"))};
  std::vector<std::string> allergies;
  std::vector<std::string> immunizations = {Immunization(Concept(kCvx, "33")),
                                            Immunization(Concept(kCvx, "48"))};
  std::vector<std::string> medications;

  Scenario& Order(const Draft& d) {
    drafts = {d.Json()};
    return *this;
  }

  std::string Body() const {
    std::string b = "{\"hook\":" + Q(hook) +
                    R"(,"hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{)" +
                    R"("userId":"Practitioner/dr-1","patientId":"pt-1","draftOrders":)" +
                    Bundle(drafts);
    if (hook == "order-select") {
      b += ",\"selections\":[";
      for (std::size_t i = 0; i < selections.size(); ++i) {
        if (i > 0) b += ',';
        b += Q(selections[i]);
      }
      b += "]";
    }
    b += "},\"prefetch\":{\"patient\":";
    if (patient) {
      b += R"({"resourceType":"Patient","id":"pt-1","gender":"female")";
      if (!birth_date.empty()) b += ",\"birthDate\":" + Q(birth_date);
      b += "}";
    } else {
      b += "null";
    }
    b += ",\"medications\":" + Bundle(medications) + ",\"conditions\":" + Bundle(conditions) +
         ",\"allergies\":" + Bundle(allergies) + ",\"immunizations\":" + Bundle(immunizations) +
         ",\"observations\":" + Bundle(observations) + "}}";
    return b;
  }

  Response Run() const {
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(kRef));
    auto result = RealHandler()->Call("anakinra-" + hook, Body(), now);
    Response r;
    r.status = result.status;
    r.body = result.body;
    r.doc = ParseJsonOrDie(result.body);
    if (r.doc.IsObject() && r.doc.HasMember("cards"))
      for (const auto& c : r.doc["cards"].GetArray())
        r.codes.emplace_back(c["source"]["topic"]["code"].GetString());
    return r;
  }
};

Draft Dose(double mg, const std::string& unit = "mg") {
  Draft d;
  d.dose = mg;
  d.unit = unit;
  return d;
}

constexpr const char* kDoseCodes[] = {"dose-above-maximum", "dose-above-range", "dose-below-range"};

// The single dose card code, "" when none fired; "several" when more than one did.
std::string DoseCard(const Response& r) {
  std::string found;
  for (const char* c : kDoseCodes)
    if (r.Has(c)) found = found.empty() ? c : "several";
  return found;
}

// A child of `years` (whole years at the reference time) weighing `kg`, receiving `mg` per day.
Scenario Child(double mg, double kg, const std::string& birth_date = "2016-06-15") {
  Scenario s;
  s.birth_date = birth_date;
  s.observations = {Weight(kg), Anc(3.0), Egfr(90)};
  s.conditions.clear();  // no indication: the band alone decides
  s.medications = {MedicationRequest("amox", Concept(kRx, "723"))};
  s.Order(Dose(mg));
  return s;
}

// ---- baseline --------------------------------------------------------------------------------

TEST(RulesBaseline, CleanAdultGetsNoCards) {
  const Response r = Scenario{}.Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.codes.empty()) << r.Codes();
}

TEST(RulesBaseline, NoAnakinraOrderGivesNoCards) {
  Scenario s;
  s.drafts = {MedicationRequest("para", Concept(kRx, "161"), "draft")};
  const Response r = s.Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.codes.empty()) << r.Codes();
}

// ---- age bands -------------------------------------------------------------------------------
// 70 mg/day at 10 kg = 7 mg/kg/day: inside the very young child's 6-10, above the child's 1-3.

TEST(RulesAgeBand, TwentyThreeMonthsIsAVeryYoungChild) {
  const Response r = Child(70, 10, "2024-06-16").Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(DoseCard(r), "") << r.Codes();
}

TEST(RulesAgeBand, TwentyFourMonthsExactlyIsAChild) {
  const Response r = Child(70, 10, "2024-06-15").Run();
  EXPECT_EQ(DoseCard(r), "dose-above-range") << r.Codes();
  EXPECT_NE(r.Summary("dose-above-range").find("for a child"), std::string::npos)
      << r.Summary("dose-above-range");
}

// 150 mg/day at 70 kg: inside the child's 1-3 mg/kg/day, above the adult's 100 mg/day.
TEST(RulesAgeBand, SeventeenYearsElevenMonthsIsAChild) {
  const Response r = Child(150, 70, "2008-06-16").Run();
  EXPECT_EQ(DoseCard(r), "") << r.Codes();
}

TEST(RulesAgeBand, EighteenthBirthdayIsAnAdult) {
  const Response r = Child(150, 70, "2008-06-15").Run();
  EXPECT_EQ(DoseCard(r), "dose-above-range") << r.Codes();
  EXPECT_NE(r.Summary("dose-above-range").find("usual 100 mg/day"), std::string::npos)
      << r.Summary("dose-above-range");
}

TEST(RulesAgeBand, YearOnlyBirthDateStraddlingEighteenUsesAdultAndSaysSo) {
  // Born in 2008: 17 years 5 months (31 Dec) to 18 years 5 months (1 Jan) on 2026-06-15.
  const Response r = Child(150, 70, "2008").Run();
  ASSERT_EQ(DoseCard(r), "dose-above-range") << r.Codes();
  const std::string detail = r.Detail("dose-above-range");
  EXPECT_NE(detail.find("birth date is incomplete"), std::string::npos) << detail;
  EXPECT_NE(detail.find("child (2 to under 18 years)"), std::string::npos) << detail;
}

TEST(RulesAgeBand, YearOnlyBirthDateStraddlingTwoYearsSaysSoAndAsksForProphylaxis) {
  // Born in 2024: 17 to 29 months on 2026-06-15.
  Scenario s = Child(70, 10, "2024");
  s.medications.clear();
  const Response r = s.Run();
  EXPECT_EQ(DoseCard(r), "dose-above-range") << r.Codes();  // the child band (oldest age)
  EXPECT_NE(r.Detail("dose-above-range").find("birth date is incomplete"), std::string::npos);
  EXPECT_TRUE(r.Has("antibiotic-prophylaxis")) << r.Codes();  // the youngest age is under 2
}

TEST(RulesAgeBand, FullBirthDateHasNoUncertaintyNote) {
  const Response r = Child(150, 70, "2008-01-01").Run();
  ASSERT_EQ(DoseCard(r), "dose-above-range") << r.Codes();
  EXPECT_EQ(r.Detail("dose-above-range").find("incomplete"), std::string::npos);
}

TEST(RulesAgeBand, NoBirthDateGivesPatientDataMissingAndNoDoseCard) {
  Scenario s;
  s.birth_date = "";
  s.Order(Dose(5000));
  const Response r = s.Run();
  EXPECT_TRUE(r.Has("patient-data-missing")) << r.Codes();
  EXPECT_EQ(DoseCard(r), "") << r.Codes();
}

TEST(RulesAgeBand, BirthDateAfterTheOrderOrInvalidGivesPatientDataMissing) {
  Scenario future;
  future.birth_date = "2026-06-16";
  const Response r = future.Run();
  ASSERT_TRUE(r.Has("patient-data-missing")) << r.Codes();
  EXPECT_NE(r.Detail("patient-data-missing").find("after the order date"), std::string::npos);
  Scenario invalid;
  invalid.birth_date = "2008-13-01";
  const Response r2 = invalid.Run();
  ASSERT_TRUE(r2.Has("patient-data-missing")) << r2.Codes();
  EXPECT_NE(r2.Detail("patient-data-missing").find("no (valid) birth date"), std::string::npos);
}

TEST(RulesAgeBand, YearMonthBirthDateStraddlingEighteen) {
  // Born June 2008: 17 years 11 months (30 June) or 18 years (1-15 June) on 2026-06-15.
  const Response r = Child(150, 70, "2008-06").Run();
  ASSERT_EQ(DoseCard(r), "dose-above-range") << r.Codes();
  EXPECT_NE(r.Detail("dose-above-range").find("birth date is incomplete"), std::string::npos);
}

TEST(RulesAgeBand, NullPatientGivesPatientDataMissing) {
  Scenario s;
  s.patient = false;
  const Response r = s.Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.Has("patient-data-missing")) << r.Codes();
  EXPECT_NE(r.Detail("patient-data-missing").find("no Patient"), std::string::npos);
}

// ---- child 2 to <18: 1-3 mg/kg/day, maximum 10 (20 kg) ---------------------------------------

struct DoseEdge {
  double mg;
  const char* expected;
};

class ChildDoseEdges : public ::testing::TestWithParam<DoseEdge> {};

TEST_P(ChildDoseEdges, TwentyKilograms) {
  const Response r = Child(GetParam().mg, 20).Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(DoseCard(r), GetParam().expected) << GetParam().mg << " mg: " << r.Codes();
}

INSTANTIATE_TEST_SUITE_P(Rules, ChildDoseEdges,
                         ::testing::Values(DoseEdge{19.8, "dose-below-range"},       // 0.99 mg/kg
                                           DoseEdge{20, ""},                         // 1.0
                                           DoseEdge{40, ""},                         // 2.0
                                           DoseEdge{60, ""},                         // 3.0
                                           DoseEdge{60.2, "dose-above-range"},       // 3.01
                                           DoseEdge{200, "dose-above-range"},        // 10.0
                                           DoseEdge{200.2, "dose-above-maximum"}));  // 10.01

TEST(RulesChildDose, AboveMaximumIsCriticalAndAboveRangeIsWarning) {
  const Response max = Child(200.2, 20).Run();
  ASSERT_NE(max.Card("dose-above-maximum"), nullptr) << max.Codes();
  EXPECT_STREQ((*max.Card("dose-above-maximum"))["indicator"].GetString(), "critical");
  const Response high = Child(60.2, 20).Run();
  ASSERT_NE(high.Card("dose-above-range"), nullptr) << high.Codes();
  EXPECT_STREQ((*high.Card("dose-above-range"))["indicator"].GetString(), "warning");
  EXPECT_NE(high.Detail("dose-above-range").find("3.01 mg/kg/day"), std::string::npos)
      << high.Detail("dose-above-range");
}

TEST(RulesChildDose, TwiceDailySplitOfAWeightBasedDoseIsAllowed) {
  Scenario s = Child(0, 20);
  Draft d = Dose(20);  // 2 x 20 mg = 2 mg/kg/day
  d.timing = kTwiceDaily;
  s.Order(d);
  const Response r = s.Run();
  EXPECT_FALSE(r.Has("dose-frequency")) << r.Codes();
  EXPECT_EQ(DoseCard(r), "") << r.Codes();
}

TEST(RulesChildDose, TwiceDailyCountsBothDoses) {
  Scenario s = Child(0, 20);
  Draft d = Dose(40);  // 2 x 40 mg = 4 mg/kg/day
  d.timing = kTwiceDaily;
  s.Order(d);
  const Response r = s.Run();
  EXPECT_EQ(DoseCard(r), "dose-above-range") << r.Codes();
  EXPECT_NE(r.Detail("dose-above-range").find("80 mg/day"), std::string::npos);
}

// ---- very young child (< 2 years): 6-10 mg/kg/day, maximum 10 (10 kg) ------------------------

class VeryYoungDoseEdges : public ::testing::TestWithParam<DoseEdge> {};

TEST_P(VeryYoungDoseEdges, TenKilograms) {
  const Response r = Child(GetParam().mg, 10, "2025-06-15").Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(DoseCard(r), GetParam().expected) << GetParam().mg << " mg: " << r.Codes();
}

INSTANTIATE_TEST_SUITE_P(Rules, VeryYoungDoseEdges,
                         ::testing::Values(DoseEdge{59.9, "dose-below-range"},  // 5.99 mg/kg
                                           DoseEdge{60, ""},                    // 6
                                           DoseEdge{80, ""},                    // 8 (label max)
                                           DoseEdge{90, ""},                    // 9: seed only
                                           DoseEdge{100, ""},                   // 10
                                           DoseEdge{100.1, "dose-above-maximum"}));

TEST(RulesVeryYoungDose, EveryDoseCardMentionsTheLabelMaximum) {
  for (double mg : {50.0, 101.0}) {
    const Response r = Child(mg, 10, "2025-06-15").Run();
    const std::string code = DoseCard(r);
    ASSERT_FALSE(code.empty()) << mg << ": " << r.Codes();
    EXPECT_NE(r.Detail(code).find("US label maximum of 8 mg/kg/day"), std::string::npos)
        << r.Detail(code);
  }
}

TEST(RulesVeryYoungDose, ChildBandCardsDoNotMentionTheLabelMaximum) {
  const Response r = Child(100, 20).Run();
  ASSERT_EQ(DoseCard(r), "dose-above-range") << r.Codes();
  EXPECT_EQ(r.Detail("dose-above-range").find("US label maximum"), std::string::npos);
}

// ---- adult: 100 mg/day; maximum 8 mg/kg/day with a weight (50 kg) -----------------------------

class AdultDoseEdges : public ::testing::TestWithParam<DoseEdge> {};

TEST_P(AdultDoseEdges, FiftyKilograms) {
  Scenario s;
  s.observations = {Weight(50), Anc(3.0), Egfr(90)};
  s.Order(Dose(GetParam().mg));
  const Response r = s.Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(DoseCard(r), GetParam().expected) << GetParam().mg << " mg: " << r.Codes();
}

INSTANTIATE_TEST_SUITE_P(Rules, AdultDoseEdges,
                         ::testing::Values(DoseEdge{99, "dose-below-range"}, DoseEdge{100, ""},
                                           DoseEdge{101, "dose-above-range"},
                                           DoseEdge{400, "dose-above-range"},  // 8 mg/kg/day
                                           DoseEdge{401, "dose-above-maximum"}));

TEST(RulesAdultDose, WithoutWeightOnlyTheHundredMgCheckAndTheCardSaysSo) {
  for (double mg : {101.0, 5000.0}) {
    Scenario s;
    s.observations = {Anc(3.0), Egfr(90)};
    s.Order(Dose(mg));
    const Response r = s.Run();
    EXPECT_EQ(DoseCard(r), "dose-above-range") << mg << ": " << r.Codes();
    EXPECT_FALSE(r.Has("weight-required")) << r.Codes();
    EXPECT_NE(r.Detail("dose-above-range").find("could not be checked"), std::string::npos)
        << r.Detail("dose-above-range");
  }
}

TEST(RulesAdultDose, WithoutWeightHundredMgGivesNoCard) {
  Scenario s;
  s.observations = {Anc(3.0), Egfr(90)};
  const Response r = s.Run();
  EXPECT_TRUE(r.codes.empty()) << r.Codes();
}

// ---- adult weight-based (CAPS by reason ICD-10 M04.2): 1-3 mg/kg/day, maximum 8 (50 kg) ------

Scenario CapsAdult(double mg, const std::string& timing = kDaily) {
  Scenario s;
  s.observations = {Weight(50), Anc(3.0), Egfr(90)};
  s.conditions.clear();
  Draft d = Dose(mg);
  d.timing = timing;
  d.reason = ReasonCode(Concept(kIcdWho, "M04.2"));
  s.Order(d);
  return s;
}

class CapsAdultDoseEdges : public ::testing::TestWithParam<DoseEdge> {};

TEST_P(CapsAdultDoseEdges, FiftyKilograms) {
  const Response r = CapsAdult(GetParam().mg).Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(DoseCard(r), GetParam().expected) << GetParam().mg << " mg: " << r.Codes();
  EXPECT_TRUE(r.Has("caps-lifelong")) << r.Codes();
}

INSTANTIATE_TEST_SUITE_P(Rules, CapsAdultDoseEdges,
                         ::testing::Values(DoseEdge{49.5, "dose-below-range"},  // 0.99
                                           DoseEdge{50, ""}, DoseEdge{150, ""},
                                           DoseEdge{150.5, "dose-above-range"},  // 3.01
                                           DoseEdge{400, "dose-above-range"},    // 8
                                           DoseEdge{400.5, "dose-above-maximum"}));

TEST(RulesCapsAdult, TwiceDailyIsAllowedForWeightBasedDosing) {
  const Response r = CapsAdult(50, kTwiceDaily).Run();  // 100 mg/day = 2 mg/kg/day
  EXPECT_FALSE(r.Has("dose-frequency")) << r.Codes();
  EXPECT_EQ(DoseCard(r), "") << r.Codes();
}

TEST(RulesCapsAdult, TwiceDailyIsNotAllowedForRheumatoidArthritis) {
  Scenario s;
  Draft d = Dose(50);
  d.timing = kTwiceDaily;
  s.Order(d);
  const Response r = s.Run();
  EXPECT_TRUE(r.Has("dose-frequency")) << r.Codes();
  EXPECT_EQ(DoseCard(r), "") << r.Codes();  // 2 x 50 mg = 100 mg/day
  EXPECT_NE(r.Detail("dose-frequency").find("twice daily"), std::string::npos);
}

TEST(RulesCapsAdult, NoWeightRequiresAWeight) {
  Scenario s = CapsAdult(100);
  s.observations = {Anc(3.0), Egfr(90)};
  const Response r = s.Run();
  EXPECT_TRUE(r.Has("weight-required")) << r.Codes();
  EXPECT_EQ(DoseCard(r), "") << r.Codes();
  EXPECT_NE(r.Detail("weight-required").find("weight-based indication"), std::string::npos);
}

TEST(RulesCapsAdult, StillsDiseaseConditionIsWeightBasedAndOffLabel) {
  Scenario s;
  s.observations = {Weight(50), Anc(3.0), Egfr(90)};
  s.conditions = {Condition(Concept(kIcdCm, "M06.1"))};
  s.Order(Dose(100));  // 2 mg/kg/day
  const Response r = s.Run();
  EXPECT_EQ(DoseCard(r), "") << r.Codes();
  EXPECT_TRUE(r.Has("off-label-indication")) << r.Codes();
  EXPECT_NE(r.Detail("off-label-indication").find("Still's disease"), std::string::npos);
}

// ---- weight ----------------------------------------------------------------------------------

TEST(RulesWeight, NinetyDaysOldStillCounts) {
  Scenario s = Child(40, 20);
  s.observations = {Weight(20, 90), Anc(3.0), Egfr(90)};
  const Response r = s.Run();
  EXPECT_FALSE(r.Has("weight-required")) << r.Codes();
  EXPECT_EQ(DoseCard(r), "") << r.Codes();
}

TEST(RulesWeight, NinetyOneDaysOldIsTooOld) {
  Scenario s = Child(40, 20);
  s.observations = {Weight(20, 91), Anc(3.0), Egfr(90)};
  const Response r = s.Run();
  EXPECT_TRUE(r.Has("weight-required")) << r.Codes();
  EXPECT_EQ(DoseCard(r), "") << r.Codes();
  EXPECT_NE(r.Detail("weight-required").find("too old"), std::string::npos)
      << r.Detail("weight-required");
}

TEST(RulesWeight, NoWeightForAChildRequiresOne) {
  Scenario s = Child(40, 20);
  s.observations = {Anc(3.0), Egfr(90)};
  const Response r = s.Run();
  EXPECT_TRUE(r.Has("weight-required")) << r.Codes();
  EXPECT_EQ(DoseCard(r), "");
}

TEST(RulesWeight, LatestWeightWins) {
  Scenario s = Child(100, 20);
  s.observations = {Weight(20, 5), Weight(50, 30), Anc(3.0), Egfr(90)};  // 5 mg/kg on the latest
  const Response r = s.Run();
  EXPECT_EQ(DoseCard(r), "dose-above-range") << r.Codes();
}

TEST(RulesWeight, WithoutWeightTheRouteAndFrequencyAreStillChecked) {
  struct Case {
    std::string timing, route;
    bool frequency_card;
  };
  for (const Case& c :
       {Case{kDaily, kSubcutaneous, false}, Case{kTwiceDaily, kSubcutaneous, false},
        Case{kDaily, kIntravenous, true}, Case{Repeat(3, 1, "d"), kSubcutaneous, true},
        Case{"", kSubcutaneous, true}}) {
    Scenario s = Child(0, 20);
    s.observations = {Anc(3.0), Egfr(90)};
    Draft d = Dose(40);
    d.timing = c.timing;
    d.route = c.route;
    s.Order(d);
    const Response r = s.Run();
    EXPECT_TRUE(r.Has("weight-required")) << r.Codes();
    EXPECT_EQ(DoseCard(r), "") << r.Codes();
    EXPECT_EQ(r.Has("dose-frequency"), c.frequency_card)
        << c.timing << c.route << ": " << r.Codes();
    if (r.Has("dose-frequency")) {
      EXPECT_FALSE(r.Card("dose-frequency")->HasMember("suggestions"));
      EXPECT_EQ(r.Detail("dose-frequency").find('{'), std::string::npos);
    }
  }
}

TEST(RulesWeight, UnitConversionsReachTheSameCard) {
  struct Case {
    double value;
    const char* unit;
  };
  for (const Case& c : {Case{20, "kg"}, Case{20000, "g"}, Case{44.0924524, "[lb_av]"},
                        Case{44.0924524, "lb"}, Case{705.479239, "[oz_av]"}}) {
    Scenario s = Child(100, 20);  // 5 mg/kg/day
    s.observations = {Weight(c.value, 10, c.unit), Anc(3.0), Egfr(90)};
    const Response r = s.Run();
    EXPECT_EQ(DoseCard(r), "dose-above-range") << c.unit << ": " << r.Codes();
    EXPECT_NE(r.Detail("dose-above-range").find("5.00 mg/kg/day"), std::string::npos)
        << c.unit << ": " << r.Detail("dose-above-range");
  }
}

TEST(RulesWeight, UnreadableWeightIsNamedInTheWeightRequiredCard) {
  Scenario s = Child(40, 20);
  s.observations = {Weight(3, 10, "[stone_av]"), Anc(3.0), Egfr(90)};
  const Response r = s.Run();
  ASSERT_TRUE(r.Has("weight-required")) << r.Codes();
  const std::string detail = r.Detail("weight-required");
  EXPECT_NE(detail.find("[stone_av]"), std::string::npos) << detail;
  EXPECT_NE(detail.find("unit not understood"), std::string::npos) << detail;
}

TEST(RulesWeight, EnteredInErrorWeightIsIgnored) {
  Scenario s = Child(40, 20);
  s.observations = {Observation("29463-7", 20, "kg", DaysAgo(10), "entered-in-error"), Anc(3.0),
                    Egfr(90)};
  const Response r = s.Run();
  EXPECT_TRUE(r.Has("weight-required")) << r.Codes();
}

TEST(RulesWeight, OtherBodyWeightLoincCodesCount) {
  for (const char* loinc : {"3141-9", "8335-2", "8350-1"}) {
    Scenario s = Child(100, 20);
    s.observations = {Observation(loinc, 20, "kg", DaysAgo(10)), Anc(3.0), Egfr(90)};
    const Response r = s.Run();
    EXPECT_EQ(DoseCard(r), "dose-above-range") << loinc << ": " << r.Codes();
  }
}

// ---- dose units --------------------------------------------------------------------------------

TEST(RulesDoseUnits, MassAndVolumeUnitsGiveTheSameDailyDose) {
  struct Case {
    double value;
    const char* unit;
  };
  for (const Case& c : {Case{100, "mg"}, Case{0.1, "g"}, Case{100000, "ug"}, Case{100000, "mcg"},
                        Case{0.67, "mL"}}) {
    Scenario s;
    s.Order(Dose(c.value, c.unit));
    const Response r = s.Run();
    ASSERT_EQ(r.status, 200) << c.unit << ": " << r.body;
    EXPECT_TRUE(r.codes.empty()) << c.value << " " << c.unit << ": " << r.Codes() << "\n"
                                 << r.Detail("dose-below-range");
  }
}

TEST(RulesDoseUnits, MillilitresAreConvertedWithTheLabelConcentration) {
  Scenario s;
  s.Order(Dose(1.34, "mL"));  // 200 mg
  const Response r = s.Run();
  EXPECT_EQ(DoseCard(r), "dose-above-range") << r.Codes();
  EXPECT_NE(r.Detail("dose-above-range").find("1.34 mL (200 mg)"), std::string::npos)
      << r.Detail("dose-above-range");
}

TEST(RulesDoseUnits, UnknownUnitIsA400OperationOutcomeNotACard) {
  Scenario s;
  s.Order(Dose(1, "{syringe}"));
  const Response r = s.Run();
  EXPECT_EQ(r.status, 400) << r.body;
  ASSERT_TRUE(r.doc.IsObject());
  EXPECT_STREQ(r.doc["resourceType"].GetString(), "OperationOutcome");
  EXPECT_NE(r.body.find("{syringe}"), std::string::npos) << r.body;
  EXPECT_TRUE(r.codes.empty());
}

TEST(RulesDoseUnits, ZeroDoseIsA400) {
  Scenario s;
  s.Order(Dose(0));
  EXPECT_EQ(s.Run().status, 400);
}

// ---- frequency and route -----------------------------------------------------------------------

TEST(RulesFrequency, OnceDailyByTimingCodeIsFine) {
  Scenario s;
  Draft d;
  d.timing =
      R"({"code":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation","code":"QD"}]}})";
  s.Order(d);
  const Response r = s.Run();
  EXPECT_TRUE(r.codes.empty()) << r.Codes();
}

TEST(RulesFrequency, EveryOtherDayWithoutRenalImpairmentIsHalfTheDailyDose) {
  Scenario s;
  Draft d;
  d.timing = kEveryOtherDay;
  s.Order(d);
  const Response r = s.Run();
  EXPECT_TRUE(r.Has("dose-frequency")) << r.Codes();
  EXPECT_EQ(DoseCard(r), "dose-below-range") << r.Codes();
  EXPECT_NE(r.Detail("dose-below-range").find("50 mg/day"), std::string::npos)
      << r.Detail("dose-below-range");
}

TEST(RulesFrequency, EveryOtherDayWithRenalImpairmentIsCheckedPerDose) {
  Scenario s;
  s.observations = {Weight(70), Anc(3.0), Egfr(20)};
  Draft d;
  d.timing = kEveryOtherDay;
  s.Order(d);
  const Response r = s.Run();
  EXPECT_FALSE(r.Has("dose-frequency")) << r.Codes();
  EXPECT_EQ(DoseCard(r), "") << r.Codes();
  ASSERT_TRUE(r.Has("renal-impairment")) << r.Codes();
  EXPECT_FALSE(r.Card("renal-impairment")->HasMember("suggestions"));  // already every other day
}

TEST(RulesFrequency, EveryOtherDayWithRenalImpairmentAboveRangeKeepsEveryOtherDay) {
  Scenario s;
  s.observations = {Weight(70), Anc(3.0), Egfr(20)};
  Draft d = Dose(200);
  d.timing = kEveryOtherDay;
  s.Order(d);
  const Response r = s.Run();
  ASSERT_EQ(DoseCard(r), "dose-above-range") << r.Codes();
  EXPECT_NE(r.Detail("dose-above-range").find("200 mg per dose (every other day)"),
            std::string::npos)
      << r.Detail("dose-above-range");
  const fhir::Json* res = r.SuggestedResource("dose-above-range");
  ASSERT_NE(res, nullptr);
  EXPECT_EQ((*res)["dosageInstruction"][0]["timing"]["repeat"]["period"].GetDouble(), 2);
  EXPECT_EQ((*res)["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"].GetDouble(),
            100);
}

TEST(RulesFrequency, IntravenousRouteIsAFrequencyCard) {
  Scenario s;
  Draft d;
  d.route = kIntravenous;
  s.Order(d);
  const Response r = s.Run();
  ASSERT_TRUE(r.Has("dose-frequency")) << r.Codes();
  EXPECT_NE(r.Detail("dose-frequency").find("Intravenous"), std::string::npos);
  const fhir::Json* res = r.SuggestedResource("dose-frequency");
  ASSERT_NE(res, nullptr);
  EXPECT_STREQ((*res)["dosageInstruction"][0]["route"]["coding"][0]["code"].GetString(),
               "34206005");
}

TEST(RulesFrequency, RouteByTextSubcutaneousIsFine) {
  Scenario s;
  Draft d;
  d.route = R"({"text":"SC"})";
  s.Order(d);
  EXPECT_TRUE(s.Run().codes.empty());
}

TEST(RulesFrequency, MissingTimingOnOrderSignIsAFrequencyCard) {
  Scenario s;
  Draft d;
  d.timing = "";
  s.Order(d);
  const Response r = s.Run();
  EXPECT_TRUE(r.Has("dose-frequency")) << r.Codes();
  EXPECT_NE(r.Detail("dose-frequency").find("no frequency"), std::string::npos);
}

TEST(RulesFrequency, MissingTimingOnOrderSelectIsNotACard) {
  Scenario s;
  s.hook = "order-select";
  Draft d;
  d.timing = "";
  s.Order(d);
  const Response r = s.Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.Has("dose-frequency")) << r.Codes();
}

TEST(RulesFrequency, OrderSelectWithoutDoseGetsNoDoseCard) {
  Scenario s = Child(0, 20);
  s.hook = "order-select";
  Draft d;
  d.has_dose = false;
  s.Order(d);
  const Response r = s.Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(DoseCard(r), "") << r.Codes();
  EXPECT_FALSE(r.Has("dose-frequency")) << r.Codes();
}

TEST(RulesFrequency, OrderSignWithoutDoseIsA400) {
  Scenario s;
  Draft d;
  d.has_dose = false;
  s.Order(d);
  EXPECT_EQ(s.Run().status, 400);
}

TEST(RulesFrequency, ThreeTimesAWeekIsAFrequencyCard) {
  Scenario s;
  Draft d;
  d.timing = Repeat(3, 1, "wk");
  s.Order(d);
  const Response r = s.Run();
  EXPECT_TRUE(r.Has("dose-frequency")) << r.Codes();
}

TEST(RulesFrequency, FrequencySuggestionKeepsTheDailyAmountOnceDaily) {
  Scenario s;
  Draft d = Dose(50);
  d.timing = kTwiceDaily;
  s.Order(d);
  const Response r = s.Run();
  const fhir::Json* res = r.SuggestedResource("dose-frequency");
  ASSERT_NE(res, nullptr) << r.Codes();
  const auto& dosage = (*res)["dosageInstruction"][0];
  EXPECT_EQ(dosage["doseAndRate"][0]["doseQuantity"]["value"].GetDouble(), 100);
  EXPECT_EQ(dosage["timing"]["repeat"]["frequency"].GetDouble(), 1);
  EXPECT_EQ(dosage["timing"]["repeat"]["period"].GetDouble(), 1);
}

// ---- renal -------------------------------------------------------------------------------------

struct RenalEdge {
  double value;
  bool card;
};

class CrClEdges : public ::testing::TestWithParam<RenalEdge> {};

TEST_P(CrClEdges, CreatinineClearance) {
  Scenario s;
  s.observations = {Weight(70), Anc(3.0), Crcl(GetParam().value)};
  const Response r = s.Run();
  EXPECT_EQ(r.Has("renal-impairment"), GetParam().card) << GetParam().value << ": " << r.Codes();
}

INSTANTIATE_TEST_SUITE_P(Rules, CrClEdges,
                         ::testing::Values(RenalEdge{29.9, true}, RenalEdge{30, false},
                                           RenalEdge{30.1, false}));

class EgfrEdges : public ::testing::TestWithParam<RenalEdge> {};

TEST_P(EgfrEdges, Egfr) {
  Scenario s;
  s.observations = {Weight(70), Anc(3.0), Egfr(GetParam().value)};
  const Response r = s.Run();
  EXPECT_EQ(r.Has("renal-impairment"), GetParam().card) << GetParam().value << ": " << r.Codes();
}

INSTANTIATE_TEST_SUITE_P(Rules, EgfrEdges,
                         ::testing::Values(RenalEdge{29.9, true}, RenalEdge{30, false},
                                           RenalEdge{30.1, false}));

TEST(RulesRenal, ThreeHundredSixtyFiveDaysOldCounts) {
  Scenario s;
  s.observations = {Weight(70), Anc(3.0), Egfr(20, 365)};
  EXPECT_TRUE(s.Run().Has("renal-impairment"));
}

TEST(RulesRenal, ThreeHundredSixtySixDaysOldDoesNot) {
  Scenario s;
  s.observations = {Weight(70), Anc(3.0), Egfr(20, 366)};
  EXPECT_FALSE(s.Run().Has("renal-impairment"));
}

TEST(RulesRenal, ConditionsCount) {
  for (const std::string& code :
       {Concept(kSct, "433146000"), Concept(kSct, "46177005"), Concept(kSct, "105502003"),
        Concept(kIcdCm, "N18.5"), Concept(kIcdCm, "N18.6"), Concept(kIcdWho, "Z99.2"),
        Concept(kIcdCm, "N186"), TextConcept("ESRD on haemodialysis")}) {
    Scenario s;
    s.conditions.push_back(Condition(code));
    const Response r = s.Run();
    EXPECT_TRUE(r.Has("renal-impairment")) << code << ": " << r.Codes();
  }
}

TEST(RulesRenal, ModerateCkdConditionDoesNotCount) {
  Scenario s;
  s.conditions.push_back(Condition(Concept(kIcdCm, "N18.3")));
  EXPECT_FALSE(s.Run().Has("renal-impairment"));
}

TEST(RulesRenal, ResolvedConditionDoesNotCount) {
  Scenario s;
  s.conditions.push_back(Condition(Concept(kSct, "46177005"), "resolved"));
  EXPECT_FALSE(s.Run().Has("renal-impairment"));
}

TEST(RulesRenal, SuggestionChangesTimingToEveryOtherDayKeepingDoseAndId) {
  Scenario s;
  s.observations = {Weight(70), Anc(3.0), Crcl(20)};
  const Response r = s.Run();
  ASSERT_TRUE(r.Has("renal-impairment")) << r.Codes();
  const fhir::Json* c = r.Card("renal-impairment");
  EXPECT_STREQ((*c)["indicator"].GetString(), "warning");
  const auto& action = (*c)["suggestions"][0]["actions"][0];
  EXPECT_STREQ(action["type"].GetString(), "update");
  const auto& res = action["resource"];
  EXPECT_STREQ(res["id"].GetString(), "ak-1");
  EXPECT_STREQ(res["resourceType"].GetString(), "MedicationRequest");
  const auto& dosage = res["dosageInstruction"][0];
  EXPECT_EQ(dosage["timing"]["repeat"]["frequency"].GetDouble(), 1);
  EXPECT_EQ(dosage["timing"]["repeat"]["period"].GetDouble(), 2);
  EXPECT_STREQ(dosage["timing"]["repeat"]["periodUnit"].GetString(), "d");
  EXPECT_EQ(dosage["doseAndRate"][0]["doseQuantity"]["value"].GetDouble(), 100);
  EXPECT_STREQ(res["medicationCodeableConcept"]["coding"][0]["code"].GetString(), "72435");
}

// ---- neutrophils (threshold 1.5 x10^9/L, within 30 days) ---------------------------------------

struct AncEdge {
  double value;
  const char* unit;
  bool card;
};

class AncEdges : public ::testing::TestWithParam<AncEdge> {};

TEST_P(AncEdges, Threshold) {
  Scenario s;
  s.observations = {Weight(70), Egfr(90), Anc(GetParam().value, 5, GetParam().unit)};
  const Response r = s.Run();
  EXPECT_EQ(r.Has("neutrophil-count"), GetParam().card)
      << GetParam().value << " " << GetParam().unit << ": " << r.Codes();
  if (GetParam().card) {
    EXPECT_NE(r.Summary("neutrophil-count").find("below"), std::string::npos);
    EXPECT_FALSE(r.Card("neutrophil-count")->HasMember("suggestions"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, AncEdges,
    ::testing::Values(AncEdge{1.49, "10*9/L", true}, AncEdge{1.5, "10*9/L", false},
                      AncEdge{1.51, "10*9/L", false}, AncEdge{1490, "/uL", true},
                      AncEdge{1500, "/uL", false}, AncEdge{1.49, "10*3/uL", true},
                      AncEdge{1510, "/mm3", false}, AncEdge{1490, "cells/uL", true}));

TEST(RulesNeutrophils, ThirtyDaysOldCounts) {
  Scenario s;
  s.observations = {Weight(70), Egfr(90), Anc(3.0, 30)};
  EXPECT_FALSE(s.Run().Has("neutrophil-count"));
}

TEST(RulesNeutrophils, ThirtyOneDaysOldAsksForANewCount) {
  Scenario s;
  s.observations = {Weight(70), Egfr(90), Anc(3.0, 31)};
  const Response r = s.Run();
  ASSERT_TRUE(r.Has("neutrophil-count")) << r.Codes();
  EXPECT_NE(r.Detail("neutrophil-count").find("older than 30 days"), std::string::npos)
      << r.Detail("neutrophil-count");
  const fhir::Json* res = r.SuggestedResource("neutrophil-count");
  ASSERT_NE(res, nullptr);
  EXPECT_STREQ((*res)["resourceType"].GetString(), "ServiceRequest");
}

TEST(RulesNeutrophils, NoneCreatesADraftServiceRequestForTheBloodCount) {
  Scenario s;
  s.observations = {Weight(70), Egfr(90)};
  const Response r = s.Run();
  ASSERT_TRUE(r.Has("neutrophil-count")) << r.Codes();
  const fhir::Json* c = r.Card("neutrophil-count");
  const auto& action = (*c)["suggestions"][0]["actions"][0];
  EXPECT_STREQ(action["type"].GetString(), "create");
  const auto& res = action["resource"];
  EXPECT_STREQ(res["resourceType"].GetString(), "ServiceRequest");
  EXPECT_STREQ(res["status"].GetString(), "draft");
  EXPECT_STREQ(res["intent"].GetString(), "order");
  EXPECT_STREQ(res["subject"]["reference"].GetString(), "Patient/pt-1");
  EXPECT_STREQ(res["code"]["coding"][0]["code"].GetString(), "57021-8");
  EXPECT_TRUE(c->HasMember("selectionBehavior"));
}

TEST(RulesNeutrophils, PercentagesAreNeverReadAsCounts) {
  for (const char* loinc : {"770-8", "26511-6"}) {
    Scenario s;
    s.observations = {Weight(70), Egfr(90), Observation(loinc, 60, "%", DaysAgo(2))};
    const Response r = s.Run();
    ASSERT_TRUE(r.Has("neutrophil-count")) << loinc << ": " << r.Codes();
    EXPECT_NE(r.Detail("neutrophil-count").find("none is on record"), std::string::npos)
        << r.Detail("neutrophil-count");
  }
}

TEST(RulesNeutrophils, OtherAbsoluteCountCodesCount) {
  for (const char* loinc : {"753-4", "26499-4"}) {
    Scenario s;
    s.observations = {Weight(70), Egfr(90), Anc(1.2, 5, "10*9/L", loinc)};
    const Response r = s.Run();
    EXPECT_TRUE(r.Has("neutrophil-count")) << loinc << ": " << r.Codes();
    EXPECT_NE(r.Summary("neutrophil-count").find("1.2"), std::string::npos);
  }
}

TEST(RulesNeutrophils, LatestCountWins) {
  Scenario s;
  s.observations = {Weight(70), Egfr(90), Anc(1.0, 20), Anc(2.5, 3)};
  EXPECT_FALSE(s.Run().Has("neutrophil-count"));
}

TEST(RulesNeutrophils, CountAfterTheReferenceTimeIsIgnored) {
  Scenario s;
  s.observations = {Weight(70), Egfr(90), Anc(3.0, -2)};
  EXPECT_TRUE(s.Run().Has("neutrophil-count"));
}

// ---- immunisations ----------------------------------------------------------------------------

TEST(RulesImmunisation, NoneGivesBothCardsWithDraftVaccineOrders) {
  Scenario s;
  s.immunizations.clear();
  const Response r = s.Run();
  for (const char* code : {"immunisation-pneumococcal", "immunisation-hib"}) {
    ASSERT_TRUE(r.Has(code)) << r.Codes();
    const fhir::Json* c = r.Card(code);
    const auto& action = (*c)["suggestions"][0]["actions"][0];
    EXPECT_STREQ(action["type"].GetString(), "create");
    const auto& res = action["resource"];
    EXPECT_STREQ(res["resourceType"].GetString(), "MedicationRequest");
    EXPECT_STREQ(res["status"].GetString(), "draft");
    EXPECT_STREQ(res["intent"].GetString(), "order");
    EXPECT_STREQ(res["subject"]["reference"].GetString(), "Patient/pt-1");
    EXPECT_STREQ(res["medicationCodeableConcept"]["coding"][0]["system"].GetString(), kCvx);
  }
}

TEST(RulesImmunisation, NotDoneAndEnteredInErrorDoNotCount) {
  for (const char* status : {"not-done", "entered-in-error"}) {
    Scenario s;
    s.immunizations = {Immunization(Concept(kCvx, "33"), status),
                       Immunization(Concept(kCvx, "48"), status)};
    const Response r = s.Run();
    EXPECT_TRUE(r.Has("immunisation-pneumococcal")) << status << ": " << r.Codes();
    EXPECT_TRUE(r.Has("immunisation-hib")) << status << ": " << r.Codes();
  }
}

TEST(RulesImmunisation, CvxWithLeadingZerosAndCombinationHibVaccinesCount) {
  for (const char* hib : {"120", "146", "0048", "50"}) {
    Scenario s;
    s.immunizations = {Immunization(Concept(kCvx, "133")), Immunization(Concept(kCvx, hib))};
    const Response r = s.Run();
    EXPECT_TRUE(r.codes.empty()) << hib << ": " << r.Codes();
  }
}

TEST(RulesImmunisation, SnomedCodedVaccinesCountByTheirDisplay) {
  Scenario s;
  s.immunizations = {
      Immunization(Concept(kSct, "1119368005", "Pneumococcal conjugate vaccine")),
      Immunization(Concept(kSct, "1119350007", "Haemophilus influenzae type b vaccine"))};
  const Response r = s.Run();
  EXPECT_TRUE(r.codes.empty()) << r.Codes();
}

TEST(RulesImmunisation, OnlyPneumococcalGivenAsksForHibOnly) {
  Scenario s;
  s.immunizations = {Immunization(Concept(kCvx, "216"))};
  const Response r = s.Run();
  EXPECT_FALSE(r.Has("immunisation-pneumococcal")) << r.Codes();
  EXPECT_TRUE(r.Has("immunisation-hib")) << r.Codes();
}

TEST(RulesImmunisation, Dstu2WasNotGivenDoesNotCount) {
  Scenario s;
  s.immunizations = {
      R"({"resourceType":"Immunization","id":"i1","status":"completed","wasNotGiven":true,"vaccineCode":)" +
          Concept(kCvx, "33") + "}",
      Immunization(Concept(kCvx, "48"))};
  const Response r = s.Run();
  EXPECT_TRUE(r.Has("immunisation-pneumococcal")) << r.Codes();
  EXPECT_FALSE(r.Has("immunisation-hib")) << r.Codes();
}

// ---- antibiotic prophylaxis (< 2 years) --------------------------------------------------------

TEST(RulesProphylaxis, UnderTwoWithoutProphylaxisGetsACard) {
  Scenario s = Child(70, 10, "2024-06-16");
  s.medications.clear();
  const Response r = s.Run();
  ASSERT_TRUE(r.Has("antibiotic-prophylaxis")) << r.Codes();
  EXPECT_NE(r.Detail("antibiotic-prophylaxis").find("23 months"), std::string::npos);
}

TEST(RulesProphylaxis, TwoYearsOldGetsNone) {
  Scenario s = Child(20, 10, "2024-06-15");
  s.medications.clear();
  EXPECT_FALSE(s.Run().Has("antibiotic-prophylaxis"));
}

TEST(RulesProphylaxis, ActiveAmoxicillinOrderSilencesIt) {
  Scenario s = Child(70, 10, "2024-06-16");
  s.medications = {MedicationRequest("amox", Concept(kRx, "723"))};
  EXPECT_FALSE(s.Run().Has("antibiotic-prophylaxis"));
}

TEST(RulesProphylaxis, StoppedAmoxicillinOrderDoesNotCount) {
  Scenario s = Child(70, 10, "2024-06-16");
  s.medications = {MedicationRequest("amox", Concept(kRx, "723"), "stopped")};
  EXPECT_TRUE(s.Run().Has("antibiotic-prophylaxis"));
}

TEST(RulesProphylaxis, AdultNeverGetsIt) {
  Scenario s;
  EXPECT_FALSE(s.Run().Has("antibiotic-prophylaxis"));
}

// ---- pregnancy and breast-feeding -------------------------------------------------------------

TEST(RulesPregnancy, ConditionsInEachCodeSystem) {
  for (const std::string& code : {Concept(kSct, "77386006"), Concept(kIcdCm, "Z33.1"),
                                  Concept(kIcdWho, "Z33.1"), Concept(kIcdCm, "O09.892")}) {
    Scenario s;
    s.conditions.push_back(Condition(code));
    const Response r = s.Run();
    EXPECT_TRUE(r.Has("pregnancy")) << code << ": " << r.Codes();
  }
}

TEST(RulesPregnancy, CardNamesNoLetterCategory) {
  Scenario s;
  s.conditions.push_back(Condition(Concept(kSct, "77386006")));
  const Response r = s.Run();
  ASSERT_TRUE(r.Has("pregnancy"));
  const std::string detail = r.Detail("pregnancy");
  EXPECT_EQ(detail.find("category B"), std::string::npos) << detail;
  EXPECT_NE(detail.find("no letter category"), std::string::npos) << detail;
}

TEST(RulesPregnancy, ObservationWindowEdge) {
  for (int days : {299, 300}) {
    Scenario s;
    s.observations.push_back(CodedObservation("82810-3", kLoinc, "LA15173-0", DaysAgo(days)));
    EXPECT_TRUE(s.Run().Has("pregnancy")) << days;
  }
  Scenario s;
  s.observations.push_back(CodedObservation("82810-3", kLoinc, "LA15173-0", DaysAgo(301)));
  EXPECT_FALSE(s.Run().Has("pregnancy"));
}

TEST(RulesPregnancy, SnomedPregnantValueCounts) {
  Scenario s;
  s.observations.push_back(CodedObservation("82810-3", kSct, "77386006", DaysAgo(10)));
  EXPECT_TRUE(s.Run().Has("pregnancy"));
}

TEST(RulesPregnancy, LatestNotPregnantWinsOverAnOlderPregnant) {
  Scenario s;
  s.observations.push_back(CodedObservation("82810-3", kLoinc, "LA15173-0", DaysAgo(100)));
  s.observations.push_back(CodedObservation("82810-3", kLoinc, "LA26683-5", DaysAgo(10)));
  EXPECT_FALSE(s.Run().Has("pregnancy"));
  // Same two observations in the other order in the bundle.
  Scenario t;
  t.observations.push_back(CodedObservation("82810-3", kLoinc, "LA26683-5", DaysAgo(10)));
  t.observations.push_back(CodedObservation("82810-3", kLoinc, "LA15173-0", DaysAgo(100)));
  EXPECT_FALSE(t.Run().Has("pregnancy"));
}

TEST(RulesPregnancy, LatestPregnantWinsOverAnOlderNotPregnant) {
  Scenario s;
  s.observations.push_back(CodedObservation("82810-3", kLoinc, "LA26683-5", DaysAgo(100)));
  s.observations.push_back(CodedObservation("82810-3", kLoinc, "LA15173-0", DaysAgo(10)));
  EXPECT_TRUE(s.Run().Has("pregnancy"));
}

TEST(RulesPregnancy, ResolvedPregnancyConditionDoesNotCount) {
  Scenario s;
  s.conditions.push_back(Condition(Concept(kSct, "77386006"), "resolved"));
  EXPECT_FALSE(s.Run().Has("pregnancy"));
}

TEST(RulesBreastfeeding, ConditionAndObservation) {
  Scenario by_condition;
  by_condition.conditions.push_back(Condition(Concept(kIcdCm, "Z39.1")));
  const Response r = by_condition.Run();
  ASSERT_TRUE(r.Has("breastfeeding")) << r.Codes();
  EXPECT_NE(r.Detail("breastfeeding").find("LactMed"), std::string::npos);

  for (int days : {180, 181}) {
    Scenario s;
    s.observations.push_back(CodedObservation("63895-7", kLoinc, "LA29252-6", DaysAgo(days)));
    EXPECT_EQ(s.Run().Has("breastfeeding"), days == 180) << days;
  }
  Scenario no;
  no.observations.push_back(CodedObservation("63895-7", kLoinc, "LA29253-4", DaysAgo(5)));
  EXPECT_FALSE(no.Run().Has("breastfeeding"));
}

// ---- conditions: status and code systems -------------------------------------------------------

TEST(RulesConditions, StatusDecidesWhetherAnInfectionCounts) {
  struct Case {
    const char* clinical;
    const char* verification;
    bool card;
  };
  for (const Case& c :
       {Case{"active", "confirmed", true}, Case{"recurrence", "confirmed", true},
        Case{"relapse", "provisional", true}, Case{"resolved", "confirmed", false},
        Case{"inactive", "confirmed", false}, Case{"remission", "confirmed", false},
        Case{"active", "refuted", false}, Case{"active", "entered-in-error", false}}) {
    Scenario s;
    s.conditions.push_back(Condition(Concept(kSct, "233604007"), c.clinical, c.verification));
    const Response r = s.Run();
    EXPECT_EQ(r.Has("active-infection"), c.card)
        << c.clinical << "/" << c.verification << ": " << r.Codes();
  }
}

TEST(RulesConditions, Stu3StringStatuses) {
  Scenario s;
  s.conditions.push_back(
      R"({"resourceType":"Condition","id":"c-stu3","clinicalStatus":"active","verificationStatus":"confirmed","code":)" +
      Concept(kSct, "233604007") + "}");
  EXPECT_TRUE(s.Run().Has("active-infection"));
  Scenario t;
  t.conditions.push_back(
      R"({"resourceType":"Condition","id":"c-stu3","clinicalStatus":"resolved","code":)" +
      Concept(kSct, "233604007") + "}");
  EXPECT_FALSE(t.Run().Has("active-infection"));
}

TEST(RulesConditions, CodeSystems) {
  for (const std::string& code :
       {Concept(kSct, "233604007"), Concept(kIcdCm, "J18.9"), Concept(kIcdWho, "J18.9"),
        Concept(kIcdCm, "J189"), Concept(kIcdCm, "A41.9"),
        TextConcept("Community-acquired pneumonia")}) {
    Scenario s;
    s.conditions.push_back(Condition(code));
    const Response r = s.Run();
    EXPECT_TRUE(r.Has("active-infection")) << code << ": " << r.Codes();
  }
}

TEST(RulesConditions, LatentTuberculosisIsChronicNotActive) {
  Scenario s;
  s.conditions.push_back(Condition(Concept(kIcdCm, "Z22.7")));
  const Response r = s.Run();
  EXPECT_FALSE(r.Has("active-infection")) << r.Codes();
  EXPECT_TRUE(r.Has("immunosuppression-chronic-infection")) << r.Codes();
}

TEST(RulesConditions, HepaticAndImmunosuppression) {
  Scenario s;
  s.conditions.push_back(Condition(Concept(kIcdCm, "K72.10")));
  s.conditions.push_back(Condition(Concept(kSct, "86406008")));
  const Response r = s.Run();
  EXPECT_TRUE(r.Has("hepatic-impairment")) << r.Codes();
  EXPECT_TRUE(r.Has("immunosuppression-chronic-infection")) << r.Codes();
  EXPECT_EQ(r.Count("immunosuppression-chronic-infection"), 1);
}

// ---- interactions ------------------------------------------------------------------------------

const std::string kAdalimumab = Concept(kRx, "327361", "adalimumab");
const std::string kCanakinumab = TextConcept("canakinumab 150 mg/mL injection");
const std::string kMmr = Concept(kCvx, "03", "MMR");
const std::string kAnakinra = Concept(kRx, "72435", "anakinra");

std::vector<std::string> DeleteIds(const Response& r, const std::string& code) {
  std::vector<std::string> ids;
  const fhir::Json* c = r.Card(code);
  if (c == nullptr || !c->HasMember("suggestions")) return ids;
  for (const auto& s : (*c)["suggestions"].GetArray())
    for (const auto& a : s["actions"].GetArray()) {
      EXPECT_STREQ(a["type"].GetString(), "delete");
      EXPECT_FALSE(a.HasMember("resource"));
      ids.emplace_back(a["resourceId"].GetString());
    }
  return ids;
}

TEST(RulesInteractions, DraftAnakinraWithActiveTnfAntagonist) {
  Scenario s;
  s.medications = {MedicationRequest("ada", kAdalimumab)};
  const Response r = s.Run();
  ASSERT_EQ(r.Count("tnf-antagonist"), 1) << r.Codes();
  EXPECT_STREQ((*r.Card("tnf-antagonist"))["indicator"].GetString(), "critical");
  EXPECT_EQ(DeleteIds(r, "tnf-antagonist"), std::vector<std::string>{"MedicationRequest/ak-1"});
}

TEST(RulesInteractions, DraftAnakinraWithDraftTnfAntagonistOffersEither) {
  Scenario s;
  s.drafts.push_back(MedicationRequest("ada", kAdalimumab, "draft"));
  const Response r = s.Run();
  ASSERT_EQ(r.Count("tnf-antagonist"), 1) << r.Codes();
  EXPECT_EQ(DeleteIds(r, "tnf-antagonist"),
            (std::vector<std::string>{"MedicationRequest/ak-1", "MedicationRequest/ada"}));
  EXPECT_STREQ((*r.Card("tnf-antagonist"))["selectionBehavior"].GetString(), "at-most-one");
}

TEST(RulesInteractions, TnfAntagonistByBrandText) {
  Scenario s;
  s.medications = {MedicationRequest("ada", TextConcept("Humira 40 mg pen"))};
  EXPECT_TRUE(s.Run().Has("tnf-antagonist"));
}

TEST(RulesInteractions, StoppedTnfAntagonistDoesNotCount) {
  Scenario s;
  s.medications = {MedicationRequest("ada", kAdalimumab, "stopped")};
  EXPECT_FALSE(s.Run().Has("tnf-antagonist"));
}

TEST(RulesInteractions, ActiveAnakinraWithDraftTnfAntagonist) {
  Scenario s;
  s.drafts = {MedicationRequest("ada", kAdalimumab, "draft")};
  s.medications = {MedicationRequest("ak-active", kAnakinra)};
  const Response r = s.Run();
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.Count("tnf-antagonist"), 1) << r.Codes();
  EXPECT_EQ(DeleteIds(r, "tnf-antagonist"), std::vector<std::string>{"MedicationRequest/ada"});
  EXPECT_EQ(r.codes.size(), 1u) << r.Codes();  // no anakinra order to dose-check
}

TEST(RulesInteractions, ActiveAnakinraWithDraftLiveVaccine) {
  Scenario s;
  s.drafts = {MedicationRequest("mmr", kMmr, "draft")};
  s.medications = {MedicationRequest("ak-active", kAnakinra)};
  const Response r = s.Run();
  ASSERT_EQ(r.Count("live-vaccine"), 1) << r.Codes();
  EXPECT_EQ(DeleteIds(r, "live-vaccine"), std::vector<std::string>{"MedicationRequest/mmr"});
}

TEST(RulesInteractions, ActiveAnakinraWithDraftCanakinumab) {
  Scenario s;
  s.drafts = {MedicationRequest("cana", kCanakinumab, "draft")};
  s.medications = {MedicationRequest("ak-active", kAnakinra)};
  const Response r = s.Run();
  ASSERT_EQ(r.Count("il1-blocker-duplication"), 1) << r.Codes();
  EXPECT_EQ(DeleteIds(r, "il1-blocker-duplication"),
            std::vector<std::string>{"MedicationRequest/cana"});
}

TEST(RulesInteractions, ReverseDirectionOnOrderSelect) {
  Scenario s;
  s.hook = "order-select";
  s.drafts = {MedicationRequest("ada", kAdalimumab, "draft")};
  s.selections = {"MedicationRequest/ada"};
  s.medications = {MedicationRequest("ak-active", kAnakinra)};
  const Response r = s.Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Count("tnf-antagonist"), 1) << r.Codes();
}

TEST(RulesInteractions, DraftTnfWithoutAnyAnakinraGivesNoCard) {
  Scenario s;
  s.drafts = {MedicationRequest("ada", kAdalimumab, "draft")};
  const Response r = s.Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.codes.empty()) << r.Codes();
}

TEST(RulesInteractions, DraftAnakinraWithDraftLiveVaccineOnOrderSelect) {
  Scenario s;
  s.hook = "order-select";
  s.drafts.push_back(MedicationRequest("mmr", kMmr, "draft"));
  const Response r = s.Run();
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.Count("live-vaccine"), 1) << r.Codes();
  EXPECT_EQ(DeleteIds(r, "live-vaccine"), std::vector<std::string>{"MedicationRequest/mmr"});
}

TEST(RulesInteractions, DraftAnakinraWithActiveCanakinumabRemovesTheDraftAnakinra) {
  Scenario s;
  s.medications = {MedicationRequest("cana", kCanakinumab)};
  const Response r = s.Run();
  ASSERT_EQ(r.Count("il1-blocker-duplication"), 1) << r.Codes();
  EXPECT_EQ(DeleteIds(r, "il1-blocker-duplication"),
            std::vector<std::string>{"MedicationRequest/ak-1"});
}

TEST(RulesInteractions, TwoAnakinraDraftsGiveOneDuplicationCard) {
  Scenario s;
  Draft second;
  second.id = "ak-2";
  s.drafts.push_back(second.Json());
  const Response r = s.Run();
  EXPECT_EQ(r.Count("il1-blocker-duplication"), 1) << r.Codes();
  EXPECT_EQ(DeleteIds(r, "il1-blocker-duplication"),
            std::vector<std::string>{"MedicationRequest/ak-2"});
}

TEST(RulesInteractions, DraftAnakinraWithActiveAnakinraIsADuplicate) {
  Scenario s;
  s.medications = {MedicationRequest("ak-active", kAnakinra)};
  const Response r = s.Run();
  EXPECT_EQ(r.Count("il1-blocker-duplication"), 1) << r.Codes();
}

TEST(RulesInteractions, ReSignedActiveOrderIsNotItsOwnDuplicate) {
  Scenario s;
  s.medications = {MedicationRequest("ak-1", kAnakinra)};  // same id as the draft
  const Response r = s.Run();
  EXPECT_FALSE(r.Has("il1-blocker-duplication")) << r.Codes();
}

TEST(RulesInteractions, PatientLevelCardsAreNotRepeatedPerOrder) {
  Scenario s;
  s.immunizations.clear();
  Draft second;
  second.id = "ak-2";
  s.drafts.push_back(second.Json());
  const Response r = s.Run();
  EXPECT_EQ(r.Count("immunisation-pneumococcal"), 1) << r.Codes();
  EXPECT_EQ(r.Count("immunisation-hib"), 1) << r.Codes();
}

// ---- E. coli protein allergy ------------------------------------------------------------------

TEST(RulesAllergy, ByCodeAndByText) {
  for (const std::string& code :
       {Concept(kSct, "112283007"), Concept(kRx, "72435"),
        TextConcept("Allergy to E. coli-derived proteins"), TextConcept("Kineret")}) {
    Scenario s;
    s.allergies = {Allergy(code)};
    const Response r = s.Run();
    ASSERT_TRUE(r.Has("ecoli-protein-hypersensitivity")) << code << ": " << r.Codes();
    EXPECT_STREQ((*r.Card("ecoli-protein-hypersensitivity"))["indicator"].GetString(), "critical");
    EXPECT_EQ(DeleteIds(r, "ecoli-protein-hypersensitivity"),
              std::vector<std::string>{"MedicationRequest/ak-1"});
  }
}

TEST(RulesAllergy, ResolvedRefutedOrOtherAllergiesGiveNoCard) {
  Scenario resolved;
  resolved.allergies = {Allergy(Concept(kSct, "112283007"), "resolved")};
  EXPECT_FALSE(resolved.Run().Has("ecoli-protein-hypersensitivity"));
  Scenario refuted;
  refuted.allergies = {
      R"({"resourceType":"AllergyIntolerance","id":"a1","verificationStatus":{"coding":[{"code":"refuted"}]},"code":)" +
      Concept(kSct, "112283007") + "}"};
  EXPECT_FALSE(refuted.Run().Has("ecoli-protein-hypersensitivity"));
  Scenario other;
  other.allergies = {Allergy(TextConcept("Penicillin"))};
  EXPECT_FALSE(other.Run().Has("ecoli-protein-hypersensitivity"));
}

TEST(RulesAllergy, ReactionSubstanceCounts) {
  Scenario s;
  s.allergies = {
      R"({"resourceType":"AllergyIntolerance","id":"a1","code":{"text":"Biologic drug"},"reaction":[{"substance":{"text":"Escherichia coli protein"}}]})"};
  EXPECT_TRUE(s.Run().Has("ecoli-protein-hypersensitivity"));
}

// ---- indication --------------------------------------------------------------------------------

TEST(RulesIndication, ReasonCodeComesBeforeConditions) {
  Scenario s;
  s.conditions = {Condition(Concept(kSct, "90560007"))};  // gout
  Draft d;
  d.reason = ReasonCode(Concept(kSct, "69896004"));  // RA
  s.Order(d);
  const Response r = s.Run();
  EXPECT_FALSE(r.Has("off-label-indication")) << r.Codes();
}

TEST(RulesIndication, OffLabelByReasonCode) {
  for (const std::string& code :
       {Concept(kSct, "90560007"), Concept(kIcdCm, "L73.2"), Concept(kIcdCm, "M10.9"),
        TextConcept("Hidradenitis suppurativa")}) {
    Scenario s;
    Draft d;
    d.reason = ReasonCode(code);
    s.Order(d);
    const Response r = s.Run();
    ASSERT_TRUE(r.Has("off-label-indication")) << code << ": " << r.Codes();
    EXPECT_STREQ((*r.Card("off-label-indication"))["indicator"].GetString(), "info");
    EXPECT_NE(r.Detail("off-label-indication").find("the order's reason"), std::string::npos);
  }
}

TEST(RulesIndication, OffLabelByActiveConditionsOnlyWhenNoLabelledIndication) {
  Scenario gout_only;
  gout_only.conditions = {Condition(Concept(kSct, "90560007"))};
  EXPECT_TRUE(gout_only.Run().Has("off-label-indication"));
  Scenario gout_and_ra;
  gout_and_ra.conditions = {Condition(Concept(kSct, "90560007")),
                            Condition(Concept(kSct, "69896004"))};
  EXPECT_FALSE(gout_and_ra.Run().Has("off-label-indication"));
  Scenario resolved_gout;
  resolved_gout.conditions = {Condition(Concept(kSct, "90560007"), "resolved")};
  EXPECT_FALSE(resolved_gout.Run().Has("off-label-indication"));
}

TEST(RulesIndication, ReasonReferenceResolvesToAConditionInThePrefetch) {
  Scenario s;
  s.observations = {Weight(50), Anc(3.0), Egfr(90)};
  s.conditions = {Condition(Concept(kIcdCm, "M04.2"), "active", "confirmed", "c-caps")};
  Draft d;
  d.reason = R"("reasonReference":[{"reference":"Condition/c-caps"}])";
  s.Order(d);  // 100 mg = 2 mg/kg/day
  const Response r = s.Run();
  EXPECT_TRUE(r.Has("caps-lifelong")) << r.Codes();
  EXPECT_EQ(DoseCard(r), "") << r.Codes();
  EXPECT_NE(r.Detail("caps-lifelong").find("the order's reason"), std::string::npos);
}

TEST(RulesIndication, CapsByActiveConditionAndByText) {
  for (const std::string& code :
       {Concept(kIcdCm, "M04.2"), TextConcept("Muckle-Wells syndrome"), TextConcept("NOMID")}) {
    Scenario s;
    s.observations = {Weight(50), Anc(3.0), Egfr(90)};
    s.conditions = {Condition(code)};
    const Response r = s.Run();
    ASSERT_TRUE(r.Has("caps-lifelong")) << code << ": " << r.Codes();
    EXPECT_STREQ((*r.Card("caps-lifelong"))["indicator"].GetString(), "info");
    EXPECT_FALSE(r.Card("caps-lifelong")->HasMember("overrideReasons"));
  }
}

TEST(RulesIndication, NoIndicationAtAllIsNotOffLabel) {
  Scenario s;
  s.conditions.clear();
  EXPECT_TRUE(s.Run().codes.empty());
}

// ---- data shapes -------------------------------------------------------------------------------

// Each shape carries 200 mg once daily for an adult: dose-above-range proves the order was
// recognised as anakinra and its dose was read.
void ExpectAboveRange(const Scenario& s, const std::string& what) {
  const Response r = s.Run();
  ASSERT_EQ(r.status, 200) << what << ": " << r.body;
  EXPECT_EQ(DoseCard(r), "dose-above-range") << what << ": " << r.Codes();
}

TEST(RulesShapes, Dstu2MedicationOrder) {
  Scenario s;
  s.drafts = {
      R"({"resourceType":"MedicationOrder","id":"mo-1","status":"draft","patient":{"reference":"Patient/pt-1"},"dateWritten":"2026-06-15","medicationCodeableConcept":)" +
      kAnakinra + R"(,"dosageInstruction":[{"timing":)" + kDaily + R"(,"route":)" + kSubcutaneous +
      R"(,"doseQuantity":{"value":200,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}]})"};
  const Response r = s.Run();
  ASSERT_EQ(DoseCard(r), "dose-above-range") << r.Codes() << r.body;
  const fhir::Json* res = r.SuggestedResource("dose-above-range");
  ASSERT_NE(res, nullptr);
  EXPECT_STREQ((*res)["id"].GetString(), "mo-1");
  const auto& dosage = (*res)["dosageInstruction"][0];
  const fhir::Json* dose = dosage.HasMember("doseQuantity")
                               ? &dosage["doseQuantity"]
                               : &dosage["doseAndRate"][0]["doseQuantity"];
  EXPECT_EQ((*dose)["value"].GetDouble(), 100);
}

TEST(RulesShapes, Stu3MedicationRequestWithoutIntent) {
  Scenario s;
  s.drafts = {
      R"({"resourceType":"MedicationRequest","id":"ak-1","status":"draft","subject":{"reference":"Patient/pt-1"},"authoredOn":"2026-06-15","medicationCodeableConcept":)" +
      kAnakinra + R"(,"dosageInstruction":[{"timing":)" + kDaily +
      R"(,"doseQuantity":{"value":200,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}]})"};
  const Response r = s.Run();
  ASSERT_EQ(DoseCard(r), "dose-above-range") << r.Codes() << r.body;
  const fhir::Json* res = r.SuggestedResource("dose-above-range");
  ASSERT_NE(res, nullptr);
  EXPECT_STREQ((*res)["intent"].GetString(), "order");
}

TEST(RulesShapes, DoseAndRateAsAnObject) {
  Scenario s;
  s.drafts = {
      R"({"resourceType":"MedicationRequest","id":"ak-1","status":"draft","intent":"order","subject":{"reference":"Patient/pt-1"},"authoredOn":"2026-06-15","medicationCodeableConcept":)" +
      kAnakinra + R"(,"dosageInstruction":{"timing":)" + kDaily +
      R"(,"doseAndRate":{"doseQuantity":{"value":200,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}}})"};
  const Response r = s.Run();
  ASSERT_EQ(DoseCard(r), "dose-above-range") << r.Codes() << r.body;
  const fhir::Json* res = r.SuggestedResource("dose-above-range");
  ASSERT_NE(res, nullptr);
  ASSERT_TRUE((*res)["dosageInstruction"].IsArray());
  ASSERT_TRUE((*res)["dosageInstruction"][0]["doseAndRate"].IsArray());
  EXPECT_EQ((*res)["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"].GetDouble(),
            100);
}

TEST(RulesShapes, ContainedMedication) {
  Scenario s;
  Draft d = Dose(200);
  d.extra = R"("contained":[{"resourceType":"Medication","id":"med1","code":)" + kAnakinra + "}],";
  d.medication = R"("medicationReference":{"reference":"#med1"})";
  s.Order(d);
  ExpectAboveRange(s, "contained");
}

TEST(RulesShapes, MedicationReferenceToAMedicationInDraftOrders) {
  Scenario s;
  Draft d = Dose(200);
  d.medication = R"("medicationReference":{"reference":"Medication/kineret"})";
  s.drafts = {d.Json(), R"({"resourceType":"Medication","id":"kineret","code":)" +
                            Concept("http://hl7.org/fhir/sid/ndc", "66658-234-07") + "}"};
  ExpectAboveRange(s, "referenced Medication");
}

TEST(RulesShapes, MedicationReferenceDisplayOnly) {
  Scenario s;
  Draft d = Dose(200);
  d.medication =
      R"("medicationReference":{"reference":"Medication/unknown","display":"Kineret 100 mg"})";
  s.Order(d);
  ExpectAboveRange(s, "reference display");
}

TEST(RulesShapes, TextOnlyKineret) {
  Scenario s;
  Draft d = Dose(200);
  d.medication = R"("medicationCodeableConcept":{"text":"KINERET 100 mg/0.67 mL syringe"})";
  s.Order(d);
  ExpectAboveRange(s, "text only");
}

TEST(RulesShapes, NdcWithoutHyphens) {
  Scenario s;
  Draft d = Dose(200);
  d.medication =
      R"("medicationCodeableConcept":)" + Concept("http://hl7.org/fhir/sid/ndc", "66658023428");
  s.Order(d);
  ExpectAboveRange(s, "NDC");
}

TEST(RulesShapes, WordContainingAnakinraIsNotAnakinra) {
  Scenario s;
  Draft d = Dose(200);
  d.medication = R"("medicationCodeableConcept":{"text":"xanakinrax"})";
  s.Order(d);
  const Response r = s.Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.codes.empty()) << r.Codes();
}

TEST(RulesShapes, NoAuthoredOnUsesTheRequestTime) {
  Scenario s = Child(70, 10, "2024-06-15");  // exactly 2 years at kRef (the request time)
  Draft d = Dose(70);
  d.authored_on = "";
  s.Order(d);
  EXPECT_EQ(DoseCard(s.Run()), "dose-above-range");
}

TEST(RulesShapes, AuthoredOnIsTheReferenceTime) {
  Scenario s = Child(70, 10, "2024-06-15");
  Draft d = Dose(70);
  d.authored_on = "2026-06-14";  // one day before the second birthday: very young child
  s.Order(d);
  const Response r = s.Run();
  EXPECT_EQ(DoseCard(r), "") << r.Codes();
}

// ---- suggestions -------------------------------------------------------------------------------

TEST(RulesSuggestions, UpdateKeepsIdAndEverythingElse) {
  Scenario s;
  Draft d = Dose(300);
  d.extra =
      R"("note":[{"text":"keep me"}],"requester":{"reference":"Practitioner/dr-1"},"dispenseRequest":{"quantity":{"value":28}},)";
  d.reason = ReasonCode(Concept(kSct, "69896004"));
  s.Order(d);
  const Response r = s.Run();
  const fhir::Json* res = r.SuggestedResource("dose-above-range");
  ASSERT_NE(res, nullptr) << r.Codes();
  EXPECT_STREQ((*res)["id"].GetString(), "ak-1");
  EXPECT_STREQ((*res)["status"].GetString(), "draft");
  EXPECT_STREQ((*res)["note"][0]["text"].GetString(), "keep me");
  EXPECT_STREQ((*res)["requester"]["reference"].GetString(), "Practitioner/dr-1");
  EXPECT_EQ((*res)["dispenseRequest"]["quantity"]["value"].GetDouble(), 28);
  EXPECT_STREQ((*res)["reasonCode"][0]["coding"][0]["code"].GetString(), "69896004");
  EXPECT_STREQ((*res)["authoredOn"].GetString(), kRefDate);
  EXPECT_STREQ((*res)["subject"]["reference"].GetString(), "Patient/pt-1");
  const auto& dosage = (*res)["dosageInstruction"][0];
  EXPECT_EQ(dosage["doseAndRate"][0]["doseQuantity"]["value"].GetDouble(), 100);
  EXPECT_STREQ(dosage["doseAndRate"][0]["doseQuantity"]["code"].GetString(), "mg");
  EXPECT_STREQ(dosage["route"]["coding"][0]["code"].GetString(), "34206005");
  const auto& action = (*r.Card("dose-above-range"))["suggestions"][0]["actions"][0];
  EXPECT_STREQ(action["type"].GetString(), "update");
}

double SuggestedDose(const Response& r, const std::string& code) {
  const fhir::Json* res = r.SuggestedResource(code);
  if (res == nullptr) return -1;
  return (*res)["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"].GetDouble();
}

TEST(RulesSuggestions, DoseIsRoundedToTenMgInsideTheUsualRange) {
  struct Case {
    double kg, mg;
    const char* code;
    double expected;
  };
  // Child 1-3 mg/kg/day. 23 kg: 23-69 mg. 27 kg: 27-81 mg.
  for (const Case& c :
       {Case{23, 200, "dose-above-range", 60}, Case{23, 10, "dose-below-range", 30},
        Case{27, 300, "dose-above-maximum", 80}, Case{27, 20, "dose-below-range", 30},
        Case{20, 19.8, "dose-below-range", 20}}) {
    const Response r = Child(c.mg, c.kg).Run();
    ASSERT_EQ(DoseCard(r), c.code) << c.kg << " kg " << c.mg << " mg: " << r.Codes();
    const double suggested = SuggestedDose(r, c.code);
    EXPECT_EQ(suggested, c.expected) << c.kg << " kg " << c.mg << " mg";
    EXPECT_GE(suggested, c.kg * 1 - 1e-9);
    EXPECT_LE(suggested, c.kg * 3 + 1e-9);
  }
}

TEST(RulesSuggestions, SmallChildWithNoTenMgStepInRangeGetsWholeMilligrams) {
  const Response r = Child(50, 3).Run();  // 3-9 mg/day
  ASSERT_EQ(DoseCard(r), "dose-above-maximum") << r.Codes();
  const double suggested = SuggestedDose(r, "dose-above-maximum");
  EXPECT_GE(suggested, 3);
  EXPECT_LE(suggested, 9);
}

TEST(RulesSuggestions, AdultSuggestionIsOneHundredMgOnceDaily) {
  Scenario s;
  Draft d = Dose(150);
  d.timing = kTwiceDaily;
  s.Order(d);
  const Response r = s.Run();
  ASSERT_EQ(DoseCard(r), "dose-above-range") << r.Codes();
  EXPECT_EQ(SuggestedDose(r, "dose-above-range"), 100);
  const fhir::Json* res = r.SuggestedResource("dose-above-range");
  EXPECT_EQ((*res)["dosageInstruction"][0]["timing"]["repeat"]["period"].GetDouble(), 1);
  EXPECT_FALSE((*res)["dosageInstruction"][0].HasMember("text"));
  // The frequency card defers to the dose card's suggestion instead of offering a second one.
  ASSERT_TRUE(r.Has("dose-frequency")) << r.Codes();
  EXPECT_FALSE(r.Card("dose-frequency")->HasMember("suggestions"));
}

TEST(RulesSuggestions, EveryCardIsComplete) {
  Scenario s;
  s.immunizations.clear();
  s.observations = {Crcl(10)};
  s.conditions.push_back(Condition(Concept(kSct, "233604007")));
  s.allergies = {Allergy(Concept(kSct, "112283007"))};
  s.medications = {MedicationRequest("ada", kAdalimumab)};
  Draft d = Dose(5000);
  d.route = kIntravenous;
  s.Order(d);
  const Response r = s.Run();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_GE(r.codes.size(), 7u) << r.Codes();
  for (const auto& card : r.doc["cards"].GetArray()) {
    const std::string code = card["source"]["topic"]["code"].GetString();
    EXPECT_LT(std::string(card["summary"].GetString()).size(), 140u) << code;
    EXPECT_EQ(std::string(card["detail"].GetString()).find('{'), std::string::npos) << code;
    if (card.HasMember("suggestions")) {
      EXPECT_TRUE(card.HasMember("selectionBehavior")) << code;
      for (const auto& sug : card["suggestions"].GetArray()) {
        EXPECT_TRUE(sug.HasMember("uuid")) << code;
        for (const auto& a : sug["actions"].GetArray())
          EXPECT_TRUE(a.HasMember("description")) << code;
      }
    }
  }
}

}  // namespace
