// Reading medication orders across FHIR versions: medication and first dosage.
#include "fhir/medication_order.h"

#include "fhir/code_set.h"

#include <gtest/gtest.h>

#include <string>

namespace {

rapidjson::Document Parse(const std::string& json) {
  rapidjson::Document doc;
  EXPECT_FALSE(fhir::ParseJson(json, 32, doc)) << json;
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

double DoseValue(const fhir::DosageView& d) {
  return d.dose == nullptr ? -1 : fhir::NumberMember(*d.dose, "value").value_or(-2);
}

TEST(FirstDosage, R4DoseAndRateArray) {
  const auto order = Parse(R"({"dosageInstruction":[
    {"timing":{"code":{"text":"QD"}},"route":{"text":"SC"},
     "doseAndRate":[{"type":{"text":"ordered"},"doseRange":{}},{"doseQuantity":{"value":100,"unit":"mg"}}]},
    {"doseAndRate":[{"doseQuantity":{"value":999,"unit":"mg"}}]}]})");
  const auto d = fhir::FirstDosage(order);
  ASSERT_NE(d.dosage, nullptr);
  EXPECT_EQ(DoseValue(d), 100);  // first doseQuantity of the first dosage only
  EXPECT_NE(d.timing, nullptr);
  EXPECT_NE(d.route, nullptr);
}

TEST(FirstDosage, DoseAndRateAsAnObject) {
  const auto order =
      Parse(R"({"dosageInstruction":[{"doseAndRate":{"doseQuantity":{"value":70,"unit":"mg"}}}]})");
  const auto d = fhir::FirstDosage(order);
  EXPECT_EQ(DoseValue(d), 70);
}

TEST(FirstDosage, DosageInstructionAsAnObject) {
  const auto order =
      Parse(R"({"dosageInstruction":{"doseAndRate":[{"doseQuantity":{"value":60,"unit":"mg"}}]}})");
  const auto d = fhir::FirstDosage(order);
  EXPECT_EQ(DoseValue(d), 60);
}

TEST(FirstDosage, Stu3AndDstu2DoseQuantityOnTheDosage) {
  const auto order = Parse(
      R"({"resourceType":"MedicationOrder","dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}},"doseQuantity":{"value":0.67,"unit":"mL"}}]})");
  const auto d = fhir::FirstDosage(order);
  EXPECT_EQ(DoseValue(d), 0.67);
  EXPECT_NE(d.timing, nullptr);
  EXPECT_EQ(d.route, nullptr);
}

TEST(FirstDosage, NoDose) {
  const auto as_directed = Parse(R"({"dosageInstruction":[{"text":"as directed"}]})");
  const auto none = fhir::FirstDosage(as_directed);
  EXPECT_NE(none.dosage, nullptr);
  EXPECT_EQ(none.dose, nullptr);
  EXPECT_EQ(none.timing, nullptr);
  const auto empty = fhir::FirstDosage(Parse(R"({})"));
  EXPECT_EQ(empty.dosage, nullptr);
  const auto wrong = Parse(R"({"dosageInstruction":[{"timing":"daily","doseQuantity":100}]})");
  const auto wrong_types = fhir::FirstDosage(wrong);
  EXPECT_EQ(wrong_types.timing, nullptr);
  EXPECT_EQ(wrong_types.dose, nullptr);
}

TEST(OrderPatientId, SubjectOrDstu2Patient) {
  EXPECT_EQ(fhir::OrderPatientId(Parse(R"({"subject":{"reference":"Patient/p1"}})")), "p1");
  EXPECT_EQ(fhir::OrderPatientId(Parse(R"({"patient":{"reference":"Patient/p2"}})")), "p2");
  EXPECT_EQ(fhir::OrderPatientId(Parse(R"({})")), "");
}

}  // namespace
