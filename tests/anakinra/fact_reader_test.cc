// FactReader on small CDS Hooks requests: orders (focus, revision, renewal, regimens, fetched
// medications), treatment phase, patient facts (coverage, renal, weight, negation, pregnancy,
// breast-feeding, allergies) and draft facts. Uses a tiny Knowledge (facts_test_support.h).
#include "anakinra/fact_reader.h"

#include "anakinra/facts_test_support.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

namespace {

using anakinra::Coverage;
using anakinra::DataKey;
using anakinra::DrugClass;
using anakinra::FactReader;
using anakinra::Order;
using anakinra::Phase;
using cdshooks::PrefetchState;
using namespace facts_test;

class FactReaderTest : public ::testing::Test {
 protected:
  std::shared_ptr<anakinra::Knowledge> k_ = TinyKnowledge();

  // Orders point into their request: the fixture keeps each request alive for the test.
  std::vector<Order> Orders(cdshooks::Request r) {
    requests_.push_back(std::move(r));
    return FactReader(*k_, requests_.back()).ReadOrders();
  }
  std::deque<cdshooks::Request> requests_;
  anakinra::PatientFacts Facts(const cdshooks::Request& r) {
    return FactReader(*k_, r).ReadPatient(kNow);
  }
};

std::string Dosage(const std::string& mg, const std::string& extra = "") {
  return R"({"doseAndRate":[{"doseQuantity":{"value":)" + mg + R"(,"unit":"mg"}}])" + extra + "}";
}

TEST_F(FactReaderTest, KeyNames) {
  EXPECT_EQ(anakinra::KeyName(DataKey::kPatient), "patient");
  EXPECT_EQ(anakinra::KeyName(DataKey::kMedications), "medications");
  EXPECT_EQ(anakinra::KeyName(DataKey::kConditions), "conditions");
  EXPECT_EQ(anakinra::KeyName(DataKey::kAllergies), "allergies");
  EXPECT_EQ(anakinra::KeyName(DataKey::kImmunizations), "immunizations");
  EXPECT_EQ(anakinra::KeyName(DataKey::kObservations), "observations");
}

TEST_F(FactReaderTest, RegimensBySequence) {
  RequestSpec spec;
  spec.drafts = {Anakinra("same", "draft",
                          R"(,"dosageInstruction":[)" + Dosage("150", R"(,"sequence":1)") + "," +
                              Dosage("150", R"(,"sequence":1)") + "]"),
                 Anakinra("different", "draft",
                          R"(,"dosageInstruction":[)" + Dosage("100", R"(,"sequence":1)") + "," +
                              Dosage("200", R"(,"sequence":2)") + "]"),
                 Anakinra("none", "draft",
                          R"(,"dosageInstruction":[)" + Dosage("100") + "," + Dosage("50") + "]")};
  const auto orders = Orders(MakeRequest(spec));
  ASSERT_EQ(orders.size(), 3u);
  EXPECT_EQ(orders[0].regimens, (std::vector<std::vector<std::size_t>>{{0, 1}}));
  EXPECT_EQ(orders[1].regimens, (std::vector<std::vector<std::size_t>>{{0}, {1}}));
  EXPECT_EQ(orders[2].regimens, (std::vector<std::vector<std::size_t>>{{0, 1}}));
  for (const auto& o : orders) {
    EXPECT_TRUE(o.dose_filled);
    EXPECT_TRUE(o.evaluated);
    EXPECT_EQ(o.drug, DrugClass::kAnakinra);
  }
  EXPECT_EQ(orders[0].dose_lines[1].dose_mg, 150);
  EXPECT_EQ(orders[1].dose_lines[1].dose_mg, 200);
}

TEST_F(FactReaderTest, UnreadableDoseAndRouteReachTheDoseLines) {
  RequestSpec spec;
  spec.drafts = {Anakinra(
      "a", "draft",
      R"(,"dosageInstruction":[{"doseAndRate":[{"doseQuantity":{"value":1,"unit":"{syringe}"}}],"route":{"coding":[)" +
          Coding(kSct, "34206005") + "]}}]")};
  const auto orders = Orders(MakeRequest(spec));
  ASSERT_EQ(orders.size(), 1u);
  ASSERT_EQ(orders[0].dose_lines.size(), 1u);
  const auto& line = orders[0].dose_lines[0];
  EXPECT_FALSE(line.dose_mg);
  ASSERT_EQ(line.unreadable.size(), 1u);
  EXPECT_NE(line.unreadable[0].find("{syringe}"), std::string::npos);
  EXPECT_TRUE(line.has_route);
  EXPECT_TRUE(line.route_subcutaneous);
  EXPECT_TRUE(orders[0].dose_filled);
}

TEST_F(FactReaderTest, RevisionIsOneOrderAndAContinuation) {
  RequestSpec spec;
  spec.drafts = {Anakinra("mr1", "draft", R"(,"authoredOn":"2026-06-14")")};
  spec.prefetch["medications"] =
      Bundle({Anakinra("mr1", "active", R"(,"authoredOn":"2024-01-10")")});
  const auto request = MakeRequest(spec);
  FactReader reader(*k_, request);
  const auto orders = reader.ReadOrders();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_TRUE(orders[0].draft);
  EXPECT_TRUE(orders[0].revision);
  const auto t = reader.TreatmentOf(orders[0], orders);
  EXPECT_EQ(t.phase, Phase::kContinuation);
  ASSERT_TRUE(t.began);
  EXPECT_EQ(fhir::FormatDate(*t.began), "2024-01-10");
}

TEST_F(FactReaderTest, RenewalPointsAtTheActiveOrder) {
  RequestSpec spec;
  spec.drafts = {
      Anakinra("new", "draft", R"(,"priorPrescription":{"reference":"MedicationRequest/old"})")};
  spec.prefetch["medications"] = Bundle(
      {Anakinra(
           "old", "active",
           R"(,"authoredOn":"2025-03-01","dispenseRequest":{"validityPeriod":{"start":"2024-06-01"}})"),
       Anakinra("older", "completed", R"(,"authoredOn":"2023-02-01")")});
  const auto request = MakeRequest(spec);
  FactReader reader(*k_, request);
  const auto orders = reader.ReadOrders();
  ASSERT_EQ(orders.size(), 2u);  // the completed order is not an Order, but counts for `began`
  EXPECT_TRUE(orders[0].renewal);
  EXPECT_FALSE(orders[0].revision);
  EXPECT_EQ(orders[0].prior_prescription, "MedicationRequest/old");
  EXPECT_EQ(orders[1].key, "MedicationRequest/old");
  EXPECT_FALSE(orders[1].draft);
  const auto t = reader.TreatmentOf(orders[0], orders);
  EXPECT_EQ(t.phase, Phase::kContinuation);
  ASSERT_TRUE(t.began);
  EXPECT_EQ(fhir::FormatDate(*t.began), "2023-02-01");
}

TEST_F(FactReaderTest, PriorPrescriptionToAnInactiveOrderIsNoRenewal) {
  RequestSpec spec;
  spec.drafts = {
      Anakinra("new", "draft", R"(,"priorPrescription":{"reference":"MedicationRequest/gone"})")};
  spec.prefetch["medications"] = Bundle({Anakinra("gone", "stopped")});
  const auto request = MakeRequest(spec);
  FactReader reader(*k_, request);
  const auto orders = reader.ReadOrders();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_FALSE(orders[0].renewal);
  const auto t = reader.TreatmentOf(orders[0], orders);
  EXPECT_EQ(t.phase, Phase::kStart);
  EXPECT_FALSE(t.began);
}

TEST_F(FactReaderTest, PhaseStartAndOnHoldContinuation) {
  RequestSpec start;
  start.drafts = {Anakinra("a", "draft")};
  start.prefetch["medications"] = Bundle({Med("tnf", "active", "adalimumab")});
  {
    const auto request = MakeRequest(start);
    FactReader reader(*k_, request);
    const auto orders = reader.ReadOrders();
    ASSERT_EQ(orders.size(), 2u);
    EXPECT_EQ(orders[1].drug, DrugClass::kTnfAntagonist);
    EXPECT_EQ(reader.TreatmentOf(orders[0], orders).phase, Phase::kStart);
  }
  RequestSpec hold;
  hold.drafts = {Anakinra("a", "draft")};
  hold.prefetch["medications"] = Bundle({Anakinra("b", "on-hold")});
  const auto request = MakeRequest(hold);
  FactReader reader(*k_, request);
  const auto orders = reader.ReadOrders();
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[1].status, "on-hold");
  EXPECT_EQ(reader.TreatmentOf(orders[0], orders).phase, Phase::kContinuation);
}

TEST_F(FactReaderTest, OrderSelectFocusAndDraftWithoutId) {
  RequestSpec spec;
  spec.hook = "order-select";
  spec.drafts = {Anakinra("a", "draft"), Anakinra("b", "draft")};
  spec.selections = {"MedicationRequest/b"};
  const auto orders = Orders(MakeRequest(spec));
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_FALSE(orders[0].evaluated);
  EXPECT_TRUE(orders[1].evaluated);

  RequestSpec sign;
  sign.drafts = {Anakinra("", "draft", R"(,"dosageInstruction":[)" + Dosage("100") + "]")};
  const auto unnamed = Orders(MakeRequest(sign));
  ASSERT_EQ(unnamed.size(), 1u);
  EXPECT_EQ(unnamed[0].key, "");
  EXPECT_TRUE(unnamed[0].evaluated);
  ASSERT_EQ(unnamed[0].dose_lines.size(), 1u);
  EXPECT_EQ(unnamed[0].dose_lines[0].dose_mg, 100);
}

TEST_F(FactReaderTest, NdcWithAndWithoutHyphensIsAnakinra) {
  for (const char* ndc : {"66658-234-07", "66658-0234-07", "66658023407", "6665823407"}) {
    RequestSpec spec;
    spec.drafts = {
        R"({"resourceType":"MedicationRequest","id":"x","status":"draft","medicationCodeableConcept":{"coding":[)" +
        Coding(kNdc, ndc) + "]}}"};
    const auto orders = Orders(MakeRequest(spec));
    ASSERT_EQ(orders.size(), 1u);
    EXPECT_EQ(orders[0].drug, DrugClass::kAnakinra) << ndc;
  }
}

TEST_F(FactReaderTest, MedicationReferenceResolution) {
  const std::string draft =
      R"({"resourceType":"MedicationRequest","id":"x","status":"draft","medicationReference":{"reference":"Medication/m1"}})";
  RequestSpec spec;
  spec.drafts = {draft};
  auto request = MakeRequest(spec);
  {
    FactReader reader(*k_, request);
    EXPECT_EQ(reader.UnresolvedMedicationReferences(), std::vector<std::string>{"Medication/m1"});
    const auto orders = reader.ReadOrders();
    ASSERT_EQ(orders.size(), 1u);
    EXPECT_TRUE(orders[0].medication_unresolved);
    EXPECT_EQ(orders[0].drug, DrugClass::kOther);  // never guessed
  }
  request.AddFetchedResource(
      ParseDoc(R"({"resourceType":"Medication","id":"m1","code":{"coding":[)" +
               Coding(kRx, "72435") + "]}}"));
  FactReader reader(*k_, request);
  EXPECT_TRUE(reader.UnresolvedMedicationReferences().empty());
  const auto orders = reader.ReadOrders();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_FALSE(orders[0].medication_unresolved);
  EXPECT_EQ(orders[0].drug, DrugClass::kAnakinra);

  // A contained Medication and one in the draft Bundle resolve without fetching.
  RequestSpec contained;
  contained.drafts = {
      R"({"resourceType":"MedicationRequest","id":"c","status":"draft","contained":[{"resourceType":"Medication","id":"k","code":{"text":"Kineret"}}],"medicationReference":{"reference":"#k"}})",
      R"({"resourceType":"MedicationRequest","id":"d","status":"draft","medicationReference":{"reference":"Medication/inbundle"}})",
      R"({"resourceType":"Medication","id":"inbundle","code":{"text":"anakinra 100 mg/0.67 mL"}})"};
  const auto r2 = MakeRequest(contained);
  FactReader reader2(*k_, r2);
  EXPECT_TRUE(reader2.UnresolvedMedicationReferences().empty());
  const auto o2 = reader2.ReadOrders();
  ASSERT_EQ(o2.size(), 2u);
  EXPECT_EQ(o2[0].drug, DrugClass::kAnakinra);
  EXPECT_EQ(o2[1].drug, DrugClass::kAnakinra);
}

TEST_F(FactReaderTest, ReasonsFromCodeAndReference) {
  RequestSpec spec;
  spec.drafts = {Anakinra(
      "a", "draft",
      R"(,"reasonCode":[{"text":"Still's disease"}],"reasonReference":[{"reference":"Condition/c1"}])")};
  spec.prefetch["conditions"] =
      Bundle({R"({"resourceType":"Condition","id":"c1","code":{"text":"Muckle-Wells syndrome"}})"});
  const auto orders = Orders(MakeRequest(spec));
  ASSERT_EQ(orders.size(), 1u);
  ASSERT_EQ(orders[0].reasons.size(), 2u);
  EXPECT_EQ(fhir::ConceptLabel(*orders[0].reasons[1]), "Muckle-Wells syndrome");
}

TEST_F(FactReaderTest, CoveragePerKey) {
  RequestSpec spec;
  spec.prefetch["patient"] = Patient(R"("1980-01-01")");
  spec.prefetch["conditions"] = Bundle({Cond(R"({"text":"Sepsis"})")});
  spec.prefetch["allergies"] = "null";
  spec.prefetch["observations"] =
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]})";
  spec.states["conditions"] = PrefetchState::kIncomplete;
  const auto f = Facts(MakeRequest(spec));
  using anakinra::kDataKeyCount;
  auto cov = [&](DataKey k) { return f.coverage[static_cast<std::size_t>(k)]; };
  EXPECT_EQ(cov(DataKey::kPatient), Coverage::kComplete);
  EXPECT_EQ(cov(DataKey::kConditions), Coverage::kPartial);
  EXPECT_EQ(cov(DataKey::kAllergies), Coverage::kComplete);
  EXPECT_EQ(cov(DataKey::kObservations), Coverage::kMissing);
  EXPECT_EQ(cov(DataKey::kMedications), Coverage::kMissing);
  EXPECT_EQ(cov(DataKey::kImmunizations), Coverage::kMissing);
  // The entries of an incomplete key are still read.
  ASSERT_EQ(f.serious_infection.size(), 1u);
  EXPECT_EQ(f.serious_infection[0].label, "Sepsis");
  EXPECT_TRUE(f.patient_known);
  ASSERT_TRUE(f.age);
  EXPECT_EQ(f.age->min_months, 46 * 12 + 5);
}

TEST_F(FactReaderTest, PartialAndUnreadableBirthDates) {
  RequestSpec partial;
  partial.prefetch["patient"] = Patient(R"("2025")");
  const auto f = Facts(MakeRequest(partial));
  ASSERT_TRUE(f.age);
  EXPECT_FALSE(f.age->exact());
  EXPECT_EQ(f.age->min_months, 5);   // born 2025-12-31 at the latest
  EXPECT_EQ(f.age->max_months, 17);  // born 2025-01-01 at the earliest
  EXPECT_FALSE(f.birth_date_unreadable);
  for (const char* bad : {R"("15/06/1980")", "19800615", R"("2030-01-01")"}) {
    RequestSpec spec;
    spec.prefetch["patient"] = Patient(bad);
    const auto g = Facts(MakeRequest(spec));
    EXPECT_TRUE(g.patient_known) << bad;
    EXPECT_TRUE(g.birth_date_unreadable) << bad;
    EXPECT_FALSE(g.age) << bad;
  }
}

TEST_F(FactReaderTest, MostRecentOfCrClAndEgfr) {
  RequestSpec spec;
  spec.prefetch["observations"] = Bundle({Obs("2164-2", DaysAgo(300), Qty(25, "mL/min")),
                                          Obs("98979-8", DaysAgo(2), Qty(12, "mL/min/{1.73_m2}"))});
  const auto f = Facts(MakeRequest(spec));
  ASSERT_TRUE(f.renal_ml_min);
  EXPECT_EQ(f.renal_ml_min->value, 12);
  EXPECT_TRUE(f.renal_is_egfr);

  RequestSpec newer_crcl;
  newer_crcl.prefetch["observations"] = Bundle({Obs("2164-2", DaysAgo(1), Qty(45, "mL/min")),
                                                Obs("33914-3", DaysAgo(20), Qty(20, "mL/min"))});
  const auto g = Facts(MakeRequest(newer_crcl));
  ASSERT_TRUE(g.renal_ml_min);
  EXPECT_EQ(g.renal_ml_min->value, 45);
  EXPECT_FALSE(g.renal_is_egfr);

  RequestSpec old;
  old.prefetch["observations"] = Bundle({Obs("2164-2", DaysAgo(400), Qty(20, "mL/min"))});
  EXPECT_FALSE(Facts(MakeRequest(old)).renal_ml_min);
}

TEST_F(FactReaderTest, ImplausibleRenalIsSkippedWithANote) {
  RequestSpec spec;
  spec.prefetch["observations"] = Bundle({Obs("2164-2", DaysAgo(30), Qty(25, "mL/min")),
                                          Obs("33914-3", DaysAgo(2), Qty(900, "mL/min")),
                                          Obs("33914-3", DaysAgo(1), Qty(-3, "mL/min"))});
  const auto f = Facts(MakeRequest(spec));
  ASSERT_TRUE(f.renal_ml_min);
  EXPECT_EQ(f.renal_ml_min->value, 25);
  EXPECT_EQ(f.renal_notes.size(), 2u);
}

TEST_F(FactReaderTest, WeightUnitsWindowAndImplausible) {
  RequestSpec spec;
  spec.prefetch["patient"] = Patient(R"("1980-01-01")");
  spec.prefetch["observations"] =
      Bundle({Obs("29463-7", DaysAgo(10), Qty(154, "[lb_av]")),
              Obs("29463-7", DaysAgo(2), Qty(4000, "kg")),
              Obs("29463-7", DaysAgo(1), R"("valueQuantity":{"value":"70","unit":"kg"})")});
  const auto f = Facts(MakeRequest(spec));
  EXPECT_EQ(f.weight_window_days, 90);
  ASSERT_TRUE(f.weight_kg);
  EXPECT_NEAR(f.weight_kg->value, 69.85, 0.01);
  ASSERT_EQ(f.weight_notes.size(), 2u);
  EXPECT_NE(f.weight_notes[0].find("implausible"), std::string::npos);

  // A newer implausibly low weight does not hide an older usable one.
  RequestSpec low;
  low.prefetch["observations"] = Bundle(
      {Obs("29463-7", DaysAgo(20), Qty(70, "kg")), Obs("29463-7", DaysAgo(1), Qty(0.1, "kg"))});
  const auto l = Facts(MakeRequest(low));
  ASSERT_TRUE(l.weight_kg);
  EXPECT_EQ(l.weight_kg->value, 70);
  EXPECT_EQ(l.weight_notes.size(), 1u);

  RequestSpec grams;
  grams.prefetch["observations"] = Bundle({Obs("29463-7", DaysAgo(1), Qty(9500, "g"))});
  const auto g = Facts(MakeRequest(grams));
  ASSERT_TRUE(g.weight_kg);
  EXPECT_EQ(g.weight_kg->value, 9.5);

  // Under two years the window is 30 days: a 40-day-old weight is stale.
  RequestSpec infant;
  infant.prefetch["patient"] = Patient(R"("2025-09-01")");
  infant.prefetch["observations"] = Bundle({Obs("29463-7", DaysAgo(40), Qty(8, "kg"))});
  const auto h = Facts(MakeRequest(infant));
  EXPECT_EQ(h.weight_window_days, 30);
  EXPECT_FALSE(h.weight_kg);
  ASSERT_TRUE(h.stale_weight_kg);
  EXPECT_EQ(h.stale_weight_kg->value, 8);
}

TEST_F(FactReaderTest, NeutrophilUnitsAndImplausible) {
  RequestSpec spec;
  spec.prefetch["observations"] = Bundle({Obs("751-8", DaysAgo(5), Qty(1400, "/uL")),
                                          Obs("26499-4", DaysAgo(1), Qty(2000, "10*9/L")),
                                          Obs("770-8", DaysAgo(0.5), Qty(50, "%"))});
  const auto f = Facts(MakeRequest(spec));
  ASSERT_TRUE(f.neutrophils);
  EXPECT_NEAR(f.neutrophils->value, 1.4, 1e-9);
  EXPECT_EQ(f.neutrophil_notes.size(), 1u);
  RequestSpec units;
  units.prefetch["observations"] = Bundle({Obs("753-4", DaysAgo(1), Qty(3.2, "10*3/uL"))});
  const auto g = Facts(MakeRequest(units));
  ASSERT_TRUE(g.neutrophils);
  EXPECT_NEAR(g.neutrophils->value, 3.2, 1e-9);
}

// Only a leading negation or history phrase negates the text: a "not" or "no" later in it never
// hides an active condition (a missed infection is the worse error).
TEST_F(FactReaderTest, NegationWordLaterInTheTextDoesNotNegateIt) {
  RequestSpec spec;
  spec.prefetch["conditions"] =
      Bundle({Cond(R"({"text":"Sepsis, not responding to antibiotics"})"),
              Cond(R"({"text":"Pneumonia - no cough"})"),
              Cond(R"({"text":"Pneumonia, treatment not started"})"),
              Cond(R"({"text":"Denies pneumonia"})"), Cond(R"({"text":"  negative for sepsis"})"),
              Cond(R"({"text":"Nothing else"})")});
  const auto f = Facts(MakeRequest(spec));
  EXPECT_EQ(f.serious_infection.size(), 3u);
}

TEST_F(FactReaderTest, NegatedAndHistoricalTextIsNotMatched) {
  RequestSpec spec;
  spec.prefetch["conditions"] = Bundle(
      {Cond(R"({"text":"History of pneumonia"})"), Cond(R"({"text":"No sepsis"})"),
       Cond(R"({"text":"h/o HIV test negative"})"), Cond(R"({"text":"Interstitial pneumonia"})"),
       Cond(R"({"coding":[)" + Coding(kSct, "69896004") +
            R"(],"text":"not rheumatoid arthritis?"})"),
       Cond(R"({"text":"Psoriasis"})")});
  const auto f = Facts(MakeRequest(spec));
  EXPECT_TRUE(f.serious_infection.empty());
  EXPECT_TRUE(f.chronic_infection.empty());
  ASSERT_EQ(f.ra.size(), 1u);  // codes still match
  EXPECT_EQ(f.off_label.size(), 1u);

  RequestSpec real;
  real.prefetch["conditions"] = Bundle(
      {Cond(R"({"text":"Community-acquired pneumonia"})"),
       Cond(R"({"text":"Pneumonia"})", R"(,"verificationStatus":{"coding":[{"code":"refuted"}]})"),
       R"({"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"text":"Sepsis"}})"});
  const auto g = Facts(MakeRequest(real));
  ASSERT_EQ(g.serious_infection.size(), 1u);
  EXPECT_EQ(g.serious_infection[0].label, "Community-acquired pneumonia");
}

TEST_F(FactReaderTest, UnspecifiedJia) {
  RequestSpec spec;
  spec.prefetch["conditions"] = Bundle({Cond(R"({"coding":[)" + Coding(kSct, "410502007") + "]}")});
  EXPECT_TRUE(Facts(MakeRequest(spec)).unspecified_jia);
}

TEST_F(FactReaderTest, PregnancyEndedByALaterRecord) {
  const std::string pregnant = Cond(R"({"coding":[)" + Coding(kSct, "77386006") + "]}",
                                    R"(,"onsetDateTime":")" + DaysAgo(200) + "\"");
  RequestSpec active;
  active.prefetch["conditions"] = Bundle({pregnant});
  EXPECT_EQ(Facts(MakeRequest(active)).pregnancy.size(), 1u);

  RequestSpec delivered;
  delivered.prefetch["conditions"] = Bundle(
      {pregnant,
       R"({"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"coding":[)" +
           Coding(kSct, "236973005") + R"(]},"onsetDateTime":")" + DaysAgo(10) + "\"}"});
  EXPECT_TRUE(Facts(MakeRequest(delivered)).pregnancy.empty());

  RequestSpec not_pregnant;
  not_pregnant.prefetch["conditions"] = Bundle({pregnant});
  not_pregnant.prefetch["observations"] =
      Bundle({Obs("82810-3", DaysAgo(5),
                  R"("valueCodeableConcept":{"coding":[)" + Coding(kLoinc, "LA26683-5") + "]}")});
  EXPECT_TRUE(Facts(MakeRequest(not_pregnant)).pregnancy.empty());

  // An earlier ended pregnancy does not end a later one.
  RequestSpec again;
  again.prefetch["conditions"] = Bundle(
      {pregnant, Cond(R"({"text":"Miscarriage"})", R"(,"onsetDateTime":")" + DaysAgo(400) + "\"")});
  EXPECT_EQ(Facts(MakeRequest(again)).pregnancy.size(), 1u);
}

TEST_F(FactReaderTest, PregnancyStatusObservation) {
  const std::string yes =
      R"("valueCodeableConcept":{"coding":[)" + Coding(kLoinc, "LA15173-0") + "]}";
  RequestSpec recent;
  recent.prefetch["observations"] = Bundle({Obs("82810-3", DaysAgo(30), yes)});
  EXPECT_EQ(Facts(MakeRequest(recent)).pregnancy.size(), 1u);

  RequestSpec old;
  old.prefetch["observations"] = Bundle({Obs("82810-3", DaysAgo(301), yes)});
  EXPECT_TRUE(Facts(MakeRequest(old)).pregnancy.empty());

  RequestSpec ended;
  ended.prefetch["observations"] = Bundle({Obs("82810-3", DaysAgo(30), yes)});
  ended.prefetch["conditions"] =
      Bundle({Cond(R"({"text":"Miscarriage"})", R"(,"onsetDateTime":")" + DaysAgo(3) + "\"")});
  EXPECT_TRUE(Facts(MakeRequest(ended)).pregnancy.empty());
}

TEST_F(FactReaderTest, BreastfeedingConditionAndObservation) {
  RequestSpec cond;
  cond.prefetch["conditions"] = Bundle({Cond(R"({"coding":[)" + Coding(kSct, "413712001") + "]}")});
  EXPECT_EQ(Facts(MakeRequest(cond)).breastfeeding.size(), 1u);

  RequestSpec boolean;
  boolean.prefetch["observations"] =
      Bundle({R"({"resourceType":"Observation","status":"final","code":{"coding":[)" +
              Coding(kSct, "413712001") + R"(]},"effectiveDateTime":")" + DaysAgo(10) +
              R"(","valueBoolean":true})"});
  EXPECT_EQ(Facts(MakeRequest(boolean)).breastfeeding.size(), 1u);

  RequestSpec coded;
  coded.prefetch["observations"] =
      Bundle({Obs("63895-7", DaysAgo(181),
                  R"("valueCodeableConcept":{"coding":[)" + Coding(kLoinc, "LA29252-6") + "]}")});
  EXPECT_TRUE(Facts(MakeRequest(coded)).breastfeeding.empty());  // outside 180 days
}

TEST_F(FactReaderTest, AllergiesAndIntolerance) {
  RequestSpec spec;
  spec.prefetch["allergies"] = Bundle(
      {R"({"resourceType":"AllergyIntolerance","type":"allergy","code":{"text":"Anakinra"}})",
       R"({"resourceType":"AllergyIntolerance","type":"intolerance","code":{"text":"Kineret"}})",
       R"({"resourceType":"AllergyIntolerance","code":{"text":"Kineret"},"reaction":[{"manifestation":[{"coding":[)" +
           Coding(kSct, "95376002") + R"(]}]}]})",
       R"({"resourceType":"AllergyIntolerance","code":{"text":"Peanut"},"reaction":[{"substance":{"text":"E. coli derived proteins"}}]})",
       R"({"resourceType":"AllergyIntolerance","clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"text":"Kineret"}})",
       R"({"resourceType":"AllergyIntolerance","verificationStatus":{"coding":[{"code":"refuted"}]},"code":{"text":"Kineret"}})"});
  const auto f = Facts(MakeRequest(spec));
  ASSERT_EQ(f.ecoli_allergy.size(), 4u);
  EXPECT_FALSE(f.ecoli_allergy[0].intolerance_only);
  EXPECT_TRUE(f.ecoli_allergy[1].intolerance_only);
  EXPECT_TRUE(f.ecoli_allergy[2].intolerance_only);
  EXPECT_FALSE(f.ecoli_allergy[3].intolerance_only);
  EXPECT_EQ(f.ecoli_allergy[3].evidence.label, "E. coli derived proteins");
}

// An intolerance of high criticality, or with a severe reaction, is not "only an intolerance":
// it keeps the critical contraindication card.
TEST_F(FactReaderTest, HighCriticalityOrSevereIntoleranceIsNotOnlyAnIntolerance) {
  RequestSpec spec;
  spec.prefetch["allergies"] = Bundle(
      {R"({"resourceType":"AllergyIntolerance","type":"intolerance","criticality":"high","code":{"text":"Kineret"}})",
       R"({"resourceType":"AllergyIntolerance","type":"intolerance","code":{"text":"Kineret"},"reaction":[{"severity":"severe","manifestation":[{"text":"Anaphylaxis"}]}]})",
       R"({"resourceType":"AllergyIntolerance","type":"intolerance","criticality":"low","code":{"text":"Kineret"}})"});
  const auto f = Facts(MakeRequest(spec));
  ASSERT_EQ(f.ecoli_allergy.size(), 3u);
  EXPECT_FALSE(f.ecoli_allergy[0].intolerance_only);
  EXPECT_FALSE(f.ecoli_allergy[1].intolerance_only);
  EXPECT_TRUE(f.ecoli_allergy[2].intolerance_only);
}

TEST_F(FactReaderTest, CompletedImmunizations) {
  RequestSpec spec;
  spec.prefetch["immunizations"] =
      Bundle({R"({"resourceType":"Immunization","status":"completed","vaccineCode":{"coding":[)" +
                  Coding(kCvx, "33") + R"(]},"occurrenceDateTime":"2020-01-01"})",
              R"({"resourceType":"Immunization","status":"not-done","vaccineCode":{"coding":[)" +
                  Coding(kCvx, "48") + "]}}"});
  const auto f = Facts(MakeRequest(spec));
  ASSERT_EQ(f.pneumococcal_vaccines.size(), 1u);
  EXPECT_EQ(f.pneumococcal_vaccines[0].date, "2020-01-01");
  EXPECT_TRUE(f.hib_vaccines.empty());
}

TEST_F(FactReaderTest, DraftFacts) {
  RequestSpec spec;
  spec.drafts = {
      Anakinra("a", "draft"),
      R"({"resourceType":"ServiceRequest","id":"s","status":"draft","code":{"coding":[)" +
          Coding(kLoinc, "57021-8") + "]}}",
      R"({"resourceType":"Immunization","id":"i","status":"completed","vaccineCode":{"coding":[)" +
          Coding(kCvx, "133") + "]}}"};
  const auto request = MakeRequest(spec);
  const auto d = FactReader(*k_, request).ReadDrafts();
  EXPECT_TRUE(d.blood_count);
  EXPECT_TRUE(d.pneumococcal_vaccine);
  EXPECT_FALSE(d.hib_vaccine);

  RequestSpec hib;
  hib.drafts = {
      R"({"resourceType":"MedicationRequest","id":"h","status":"draft","medicationCodeableConcept":{"coding":[)" +
      Coding(kCvx, "48") + "]}}"};
  const auto r2 = MakeRequest(hib);
  const auto d2 = FactReader(*k_, r2).ReadDrafts();
  EXPECT_TRUE(d2.hib_vaccine);
  EXPECT_FALSE(d2.blood_count);
}

TEST_F(FactReaderTest, WrongTypedFieldsNeverFail) {
  RequestSpec spec;
  spec.drafts = {Anakinra("a", "draft", R"(,"dosageInstruction":"daily","reasonCode":7)")};
  spec.prefetch["patient"] = Patient("19800101");
  spec.prefetch["observations"] =
      Bundle({R"({"resourceType":"Observation","code":"weight","effectiveDateTime":7})",
              Obs("29463-7", DaysAgo(1), R"("valueQuantity":"70 kg")")});
  spec.prefetch["conditions"] = Bundle({R"({"resourceType":"Condition","code":[1,2]})"});
  const auto request = MakeRequest(spec);
  FactReader reader(*k_, request);
  const auto orders = reader.ReadOrders();
  ASSERT_EQ(orders.size(), 1u);
  ASSERT_EQ(orders[0].dose_lines.size(), 1u);
  EXPECT_FALSE(orders[0].dose_lines[0].unreadable.empty());
  const auto f = reader.ReadPatient(kNow);
  EXPECT_FALSE(f.weight_kg);
  EXPECT_EQ(f.weight_notes.size(), 1u);
  EXPECT_TRUE(f.birth_date_unreadable);
}

}  // namespace
