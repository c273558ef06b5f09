// FHIR Quantity reading and the UCUM unit conversions (doses, weights, counts, clearances).
#include "fhir/quantity.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using fhir::Quantity;

Quantity Q(double value, const std::string& unit) { return Quantity{value, unit, ""}; }

std::optional<Quantity> Read(const char* json) {
  rapidjson::Document doc;
  EXPECT_TRUE(base::ParseJson(json, 16, doc).ok()) << json;
  return fhir::ReadQuantity(doc);
}

struct Conversion {
  double value;
  const char* unit;
  double expected;
};

void ExpectConversions(std::optional<double> (*convert)(const Quantity&),
                       std::initializer_list<Conversion> cases) {
  for (const Conversion& c : cases) {
    auto v = convert(Q(c.value, c.unit));
    ASSERT_TRUE(v) << c.unit;
    EXPECT_NEAR(*v, c.expected, 1e-9 * (1 + c.expected)) << c.value << " " << c.unit;
  }
}

// ---- ReadQuantity ----------------------------------------------------------------------------

TEST(ReadQuantity, UcumCodeWins) {
  auto q =
      Read(R"({"value":3,"unit":"milligram","system":"http://unitsofmeasure.org","code":"mg"})");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->value, 3);
  EXPECT_EQ(q->unit, "mg");
}

TEST(ReadQuantity, CodeWithoutSystemIsUsed) {
  auto q = Read(R"({"value":3,"unit":"milligram","code":"mg"})");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->unit, "mg");
}

TEST(ReadQuantity, NonUcumSystemFallsBackToUnit) {
  auto q = Read(R"({"value":3,"unit":"mg","system":"http://snomed.info/sct","code":"258684004"})");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->unit, "mg");
  EXPECT_EQ(fhir::ToMilligrams(*q), 3);
}

TEST(ReadQuantity, NonUcumSystemWithoutUnitKeepsTheCode) {
  auto q = Read(R"({"value":3,"system":"http://snomed.info/sct","code":"258684004"})");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->unit, "258684004");
  EXPECT_FALSE(fhir::ToMilligrams(*q));
}

TEST(ReadQuantity, UnitOnly) {
  auto q = Read(R"({"value":150,"unit":"lb"})");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->unit, "lb");
}

TEST(ReadQuantity, ComparatorIsKept) {
  auto q = Read(R"({"value":1.5,"comparator":"<","code":"10*9/L"})");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->comparator, "<");
}

TEST(ReadQuantity, NoNumericValueIsNullopt) {
  EXPECT_FALSE(Read(R"({"unit":"mg"})"));
  EXPECT_FALSE(Read(R"({"value":"100","unit":"mg"})"));
}

// ---- conversions -------------------------------------------------------------------------------

TEST(ToMilligrams, EveryUnit) {
  ExpectConversions(fhir::ToMilligrams, {{100, "mg", 100},
                                         {0.1, "g", 100},
                                         {100000, "ug", 100},
                                         {100000, "mcg", 100},
                                         {0.0001, "kg", 100},
                                         {1e8, "ng", 100},
                                         {100, "MG", 100}});
  EXPECT_FALSE(fhir::ToMilligrams(Q(1, "mL")));
  EXPECT_FALSE(fhir::ToMilligrams(Q(1, "{syringe}")));
  EXPECT_FALSE(fhir::ToMilligrams(Q(1, "")));
}

TEST(ToMillilitres, EveryUnit) {
  ExpectConversions(fhir::ToMillilitres, {{0.67, "mL", 0.67},
                                          {0.00067, "L", 0.67},
                                          {670, "uL", 0.67},
                                          {0.0067, "dL", 0.67},
                                          {0.067, "cL", 0.67},
                                          {0.67, "ml", 0.67}});
  EXPECT_FALSE(fhir::ToMillilitres(Q(1, "mg")));
}

TEST(ToKilograms, EveryUnit) {
  ExpectConversions(fhir::ToKilograms, {{70, "kg", 70},
                                        {70000, "g", 70},
                                        {100, "[lb_av]", 45.359237},
                                        {100, "lb", 45.359237},
                                        {100, "lbs", 45.359237},
                                        {16, "[oz_av]", 0.45359237},
                                        {16, "oz", 0.45359237},
                                        {70, "KG", 70}});
  EXPECT_FALSE(fhir::ToKilograms(Q(11, "[stone_av]")));
  EXPECT_FALSE(fhir::ToKilograms(Q(70, "mg/kg")));
  EXPECT_FALSE(fhir::ToKilograms(Q(70, "cm")));
}

TEST(ToBillionPerLitre, EveryUnit) {
  ExpectConversions(fhir::ToBillionPerLitre, {{1.49, "10*9/L", 1.49},
                                              {1.49, "10^9/L", 1.49},
                                              {1.49, "10*3/uL", 1.49},
                                              {1.49, "10^3/uL", 1.49},
                                              {1.49, "K/uL", 1.49},
                                              {1490, "/uL", 1.49},
                                              {1490, "/mm3", 1.49},
                                              {1490, "cells/uL", 1.49},
                                              {1490, "{cells}/uL", 1.49},
                                              {1490, "10*6/L", 1.49},
                                              {1.49, "/nL", 1.49}});
  EXPECT_FALSE(fhir::ToBillionPerLitre(Q(60, "%")));
  EXPECT_FALSE(fhir::ToBillionPerLitre(Q(60, "10*12/L")));
}

TEST(ToMillilitresPerMinute, EveryUnit) {
  ExpectConversions(fhir::ToMillilitresPerMinute, {{29.9, "mL/min", 29.9},
                                                   {29.9, "mL/min/{1.73_m2}", 29.9},
                                                   {29.9, "mL/min/1.73m2", 29.9},
                                                   {29.9, "mL/min/1.73 m2", 29.9},
                                                   {0.5, "mL/s", 30},
                                                   {0.5, "mL/s/{1.73_m2}", 30}});
  EXPECT_FALSE(fhir::ToMillilitresPerMinute(Q(30, "mL/h")));
  EXPECT_FALSE(fhir::ToMillilitresPerMinute(Q(30, "mg/dL")));
}

TEST(Conversions, EachRefusesTheOthersUnits) {
  EXPECT_FALSE(fhir::ToMilligrams(Q(1, "10*9/L")));
  EXPECT_FALSE(fhir::ToKilograms(Q(1, "mL/min")));
  EXPECT_FALSE(fhir::ToBillionPerLitre(Q(1, "kg")));
  EXPECT_FALSE(fhir::ToMillilitresPerMinute(Q(1, "mL")));
  EXPECT_FALSE(fhir::ToMillilitres(Q(1, "mL/min")));
}

TEST(Conversions, FromReadQuantityEndToEnd) {
  auto q = Read(
      R"({"value":154.3,"unit":"pounds","system":"http://unitsofmeasure.org","code":"[lb_av]"})");
  ASSERT_TRUE(q);
  EXPECT_NEAR(fhir::ToKilograms(*q).value_or(0), 69.989, 1e-3);
}

}  // namespace
