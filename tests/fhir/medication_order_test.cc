// Reading medication orders across FHIR versions: medication and first dosage.
#include "fhir/medication_order.h"

#include "fhir/code_set.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

rapidjson::Document Parse(const std::string& json) {
  rapidjson::Document doc;
  EXPECT_TRUE(base::ParseJson(json, 32, doc).ok()) << json;
  return doc;
}

TEST(IsMedicationOrder, Types) {
  EXPECT_TRUE(fhir::IsMedicationOrder(Parse(R"({"resourceType":"MedicationRequest"})")));
  EXPECT_TRUE(fhir::IsMedicationOrder(Parse(R"({"resourceType":"MedicationOrder"})")));
  EXPECT_FALSE(fhir::IsMedicationOrder(Parse(R"({"resourceType":"ServiceRequest"})")));
  EXPECT_FALSE(fhir::IsMedicationOrder(Parse(R"({})")));
}

TEST(OrderMedication, CodeableConcept) {
  const auto order = Parse(
      R"({"resourceType":"MedicationRequest","medicationCodeableConcept":{"text":"Kineret"}})");
  fhir::ResourceIndex index;
  const auto view = fhir::OrderMedication(order, index);
  ASSERT_NE(view.cc, nullptr);
  EXPECT_EQ(fhir::ConceptLabel(*view.cc), "Kineret");
  EXPECT_TRUE(view.reference_text.empty());
}

TEST(OrderMedication, ContainedMedication) {
  const auto order = Parse(R"({"resourceType":"MedicationRequest",
    "contained":[{"resourceType":"Medication","id":"med","code":{"text":"anakinra"}}],
    "medicationReference":{"reference":"#med"}})");
  fhir::ResourceIndex index;
  const auto view = fhir::OrderMedication(order, index);
  ASSERT_NE(view.cc, nullptr);
  EXPECT_EQ(fhir::ConceptLabel(*view.cc), "anakinra");
}

TEST(OrderMedication, ReferencedMedicationInTheIndex) {
  const auto med = Parse(
      R"({"resourceType":"Medication","id":"kin","code":{"coding":[{"system":"http://hl7.org/fhir/sid/ndc","code":"66658-234-07"}]}})");
  fhir::ResourceIndex index;
  index.Add(med);
  const auto order = Parse(
      R"({"resourceType":"MedicationRequest","medicationReference":{"reference":"Medication/kin","display":"Kineret"}})");
  const auto view = fhir::OrderMedication(order, index);
  ASSERT_NE(view.cc, nullptr);
  EXPECT_EQ(fhir::ConceptLabel(*view.cc), "66658-234-07");
  EXPECT_EQ(view.reference_text, "Kineret");
}

TEST(OrderMedication, ReferenceDisplayOnly) {
  const auto order = Parse(
      R"({"resourceType":"MedicationRequest","medicationReference":{"reference":"Medication/elsewhere","display":"Kineret 100 mg"}})");
  fhir::ResourceIndex index;
  const auto view = fhir::OrderMedication(order, index);
  EXPECT_EQ(view.cc, nullptr);
  EXPECT_EQ(view.reference_text, "Kineret 100 mg");
}

TEST(OrderMedication, NothingToRead) {
  fhir::ResourceIndex index;
  const auto view = fhir::OrderMedication(Parse(R"({"resourceType":"MedicationRequest"})"), index);
  EXPECT_EQ(view.cc, nullptr);
  EXPECT_TRUE(view.reference_text.empty());
  const auto bad =
      fhir::OrderMedication(Parse(R"({"medicationCodeableConcept":"Kineret"})"), index);
  EXPECT_EQ(bad.cc, nullptr);
}

TEST(OrderPatientId, SubjectOrDstu2Patient) {
  EXPECT_EQ(fhir::OrderPatientId(Parse(R"({"subject":{"reference":"Patient/p1"}})")), "p1");
  EXPECT_EQ(fhir::OrderPatientId(Parse(R"({"patient":{"reference":"Patient/p2"}})")), "p2");
  EXPECT_EQ(fhir::OrderPatientId(Parse(R"({})")), "");
}

}  // namespace

namespace {

const fhir::DoseLimits kLimits{100.0 / 0.67, 10000, 24};

std::vector<fhir::DosageLine> Lines(const std::string& order_json) {
  // The lines point into the document: keep every document for the whole test program.
  static std::vector<std::unique_ptr<rapidjson::Document>> docs;
  docs.push_back(std::make_unique<rapidjson::Document>());
  EXPECT_TRUE(base::ParseJson(order_json, 32, *docs.back()).ok()) << order_json;
  return fhir::ReadDosageLines(*docs.back(), kLimits);
}

// Concatenation by append (GCC 12 warns falsely on chains of operator+ with literals).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out.append(p);
  return out;
}

std::string Order(const std::string& dosage) {
  return Cat({R"({"resourceType":"MedicationRequest","dosageInstruction":)", dosage, "}"});
}

std::string Dose(const std::string& quantity, const std::string& extra = "") {
  return Cat({R"({"doseAndRate":[{"doseQuantity":)", quantity, "}]", extra, "}"});
}

TEST(ReadDosageLines, EveryEntryWithItsSequence) {
  const auto lines =
      Lines(Order(Cat({"[", Dose(R"({"value":150,"unit":"mg"})", R"(,"sequence":1)"), ",",
                       Dose(R"({"value":150,"unit":"mg"})", R"(,"sequence":1)"), ",",
                       Dose(R"({"value":100,"unit":"mg"})", R"(,"sequence":2)"), "]"})));
  ASSERT_EQ(lines.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(lines[i].index, i);
    EXPECT_TRUE(lines[i].dose_given);
    EXPECT_TRUE(lines[i].unreadable.empty()) << lines[i].unreadable.front();
  }
  EXPECT_EQ(lines[0].sequence, 1);
  EXPECT_EQ(lines[2].sequence, 2);
  EXPECT_EQ(lines[1].dose_mg, 150);
  EXPECT_EQ(lines[2].dose_mg, 100);
}

TEST(ReadDosageLines, SingleObjectAndDoseAndRateObject) {
  const auto lines = Lines(Order(R"({"doseAndRate":{"doseQuantity":{"value":70,"unit":"mg"}}})"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].dose_mg, 70);
  EXPECT_FALSE(lines[0].sequence);
}

TEST(ReadDosageLines, Stu3AndDstu2DoseQuantity) {
  const auto lines = Lines(
      R"({"resourceType":"MedicationOrder","dosageInstruction":[{"doseQuantity":{"value":100,"system":"http://unitsofmeasure.org","code":"mg"},"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}}}]})");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].dose_mg, 100);
  ASSERT_TRUE(lines[0].timing.frequency);
  EXPECT_EQ(lines[0].timing.frequency->per_day, 1);
}

TEST(ReadDosageLines, MassAndVolumeUnits) {
  struct Case {
    const char* quantity;
    double mg;
  };
  for (const Case& c :
       {Case{R"({"value":0.1,"unit":"g"})", 100}, Case{R"({"value":100000,"unit":"mcg"})", 100},
        Case{R"({"value":100000,"code":"ug","system":"http://unitsofmeasure.org"})", 100},
        Case{R"({"value":0.67,"unit":"mL"})", 100}, Case{R"({"value":1.34,"code":"mL"})", 200}}) {
    const auto lines = Lines(Order(Cat({"[", Dose(c.quantity), "]"})));
    ASSERT_EQ(lines.size(), 1u);
    ASSERT_TRUE(lines[0].dose_mg) << c.quantity;
    EXPECT_NEAR(*lines[0].dose_mg, c.mg, 0.05) << c.quantity;
    EXPECT_TRUE(lines[0].unreadable.empty()) << c.quantity;
  }
}

TEST(ReadDosageLines, UnreadableDosesAreNamedReasons) {
  struct Case {
    const char* dosage;
    const char* reason;  // a word the reason must contain
  };
  for (
      const Case& c :
      {Case{R"({"doseAndRate":[{"doseQuantity":{"value":1,"unit":"{syringe}"}}]})", "{syringe}"},
       Case{
           R"({"doseAndRate":[{"doseQuantity":{"value":1,"code":"{tbl}","system":"http://unitsofmeasure.org"}}]})",
           "{tbl}"},
       Case{R"({"doseAndRate":[{"doseQuantity":{"value":1,"unit":"{pill}"}}]})", "{pill}"},
       Case{
           R"({"doseAndRate":[{"doseRange":{"low":{"value":50,"unit":"mg"},"high":{"value":100,"unit":"mg"}}}]})",
           "doseRange"},
       Case{R"({"doseRange":{"low":{"value":50,"unit":"mg"}}})", "doseRange"},
       Case{R"({"doseAndRate":[{"doseQuantity":{"value":0,"unit":"mg"}}]})", "0 mg"},
       Case{R"({"doseAndRate":[{"doseQuantity":{"value":-100,"unit":"mg"}}]})", "-100 mg"},
       Case{R"({"doseAndRate":[{"doseQuantity":{"value":20000,"unit":"mg"}}]})", "implausible"},
       Case{R"({"doseAndRate":[{"doseQuantity":{"value":"100","unit":"mg"}}]})", "not a number"},
       Case{R"({"doseAndRate":[{"doseQuantity":{"unit":"mg"}}]})", "without a value"},
       Case{R"({"doseAndRate":[{"doseQuantity":{"value":100}}]})", "without a unit"},
       Case{R"({"doseAndRate":[{"doseQuantity":"100 mg"}]})", "not a Quantity"},
       Case{R"({"doseAndRate":"100 mg"})", "doseAndRate"},
       Case{R"({"doseQuantity":100})", "not a Quantity"}}) {
    const auto lines = Lines(Order(Cat({"[", c.dosage, "]"})));
    ASSERT_EQ(lines.size(), 1u) << c.dosage;
    EXPECT_FALSE(lines[0].dose_mg) << c.dosage;
    EXPECT_TRUE(lines[0].dose_given) << c.dosage;
    ASSERT_EQ(lines[0].unreadable.size(), 1u) << c.dosage;
    EXPECT_NE(lines[0].unreadable[0].find(c.reason), std::string::npos)
        << c.dosage << " -> " << lines[0].unreadable[0];
  }
}

TEST(ReadDosageLines, MissingDoseIsNamedButNotGiven) {
  const auto lines = Lines(Order(R"([{"text":"as directed"}])"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(lines[0].dose_given);
  EXPECT_FALSE(lines[0].dose_mg);
  ASSERT_EQ(lines[0].unreadable.size(), 1u);
  EXPECT_EQ(lines[0].unreadable[0], "no dose");
  EXPECT_TRUE(Lines(R"({"resourceType":"MedicationRequest"})").empty());
}

TEST(ReadDosageLines, EntryNumberNamedWhenSeveral) {
  const auto lines = Lines(Order(Cat({"[", Dose(R"({"value":100,"unit":"mg"})"), ",",
                                      Dose(R"({"value":1,"unit":"{syringe}"})"), "]"})));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].unreadable.empty());
  ASSERT_EQ(lines[1].unreadable.size(), 1u);
  EXPECT_NE(lines[1].unreadable[0].find("entry 2"), std::string::npos);
}

TEST(ReadDosageLines, TimingAndRoute) {
  const auto lines = Lines(
      Order(Cat({"[",
                 Dose(R"({"value":100,"unit":"mg"})",
                      R"(,"timing":{"code":{"coding":[{"code":"q48h"}]}},"route":{"text":"SC"})"),
                 "]"})));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].timing.given);
  ASSERT_TRUE(lines[0].timing.frequency);
  EXPECT_EQ(lines[0].timing.frequency->per_day, 0.5);
  EXPECT_NE(lines[0].route, nullptr);
}

TEST(ReadDosageLines, ImplausibleTimingIsUnreadable) {
  const auto lines =
      Lines(Order(Cat({"[",
                       Dose(R"({"value":100,"unit":"mg"})",
                            R"(,"timing":{"repeat":{"frequency":48,"period":1,"periodUnit":"d"}})"),
                       "]"})));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].dose_mg, 100);
  EXPECT_TRUE(lines[0].timing.given);
  EXPECT_FALSE(lines[0].timing.frequency);
  ASSERT_EQ(lines[0].unreadable.size(), 1u);
  EXPECT_NE(lines[0].unreadable[0].find("frequency"), std::string::npos);
}

TEST(ReadDosageLines, DosageTextAsTheOnlyTiming) {
  const auto lines = Lines(
      Order(Cat({"[", Dose(R"({"value":100,"unit":"mg"})", R"(,"text":"Once daily")"), "]"})));
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_TRUE(lines[0].timing.frequency);
  EXPECT_EQ(lines[0].timing.frequency->per_day, 1);
}

TEST(ReadDosageLines, WrongTypedEntryAndSequence) {
  const auto lines = Lines(Order(
      R"(["daily",{"sequence":"one","doseAndRate":[{"doseQuantity":{"value":100,"unit":"mg"}}]}])"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].dose_given);
  EXPECT_FALSE(lines[0].unreadable.empty());
  EXPECT_EQ(lines[1].dose_mg, 100);
  EXPECT_FALSE(lines[1].sequence);
  EXPECT_FALSE(lines[1].unreadable.empty());
}

}  // namespace
