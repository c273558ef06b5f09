// Engine::MakePlan (fast path, needed keys, keys to fetch, Medication references to fetch) and
// the section-0 outcome of Evaluate that needs no card text: 412 when needed data is missing and
// nothing serious was found. Uses a tiny Knowledge (facts_test_support.h).
#include "anakinra/engine.h"

#include "anakinra/facts_test_support.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using anakinra::Engine;
using cdshooks::PrefetchState;
using namespace facts_test;

const std::vector<std::string> kAllKeys = {"patient",   "medications",   "conditions",
                                           "allergies", "immunizations", "observations"};

class EngineTest : public ::testing::Test {
 protected:
  Engine engine_{TinyKnowledge()};
};

TEST_F(EngineTest, FastPathForOtherDrugs) {
  RequestSpec spec;
  spec.drafts = {
      Med("m", "draft", "Metformin 500 mg"),
      R"({"resourceType":"ServiceRequest","id":"s","status":"draft","code":{"text":"CBC"}})"};
  const auto request = MakeRequest(spec);
  const auto plan = engine_.MakePlan(request);
  EXPECT_TRUE(plan.nothing_to_do);
  EXPECT_TRUE(plan.needed_keys.empty());
  EXPECT_TRUE(plan.keys_to_fetch.empty());
  EXPECT_TRUE(plan.medications_to_fetch.empty());
  const auto evaluation = engine_.Evaluate(request, kNow);
  EXPECT_TRUE(evaluation.cards.empty());
  EXPECT_FALSE(evaluation.precondition_failed);
  EXPECT_TRUE(evaluation.missing_keys.empty());
}

TEST_F(EngineTest, AnakinraNeedsEveryKeyAndFetchesTheIncompleteOnes) {
  RequestSpec spec;
  spec.drafts = {Anakinra("a", "draft")};
  spec.prefetch["patient"] = Patient(R"("1980-01-01")");
  spec.prefetch["medications"] = Bundle({});
  spec.prefetch["conditions"] = "null";
  spec.prefetch["allergies"] = Bundle({});
  spec.prefetch["observations"] =
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]})";
  spec.states["allergies"] = PrefetchState::kIncomplete;
  const auto plan = engine_.MakePlan(MakeRequest(spec));
  EXPECT_FALSE(plan.nothing_to_do);
  EXPECT_EQ(plan.needed_keys, kAllKeys);
  // immunizations absent, allergies incomplete, observations failed.
  EXPECT_EQ(plan.keys_to_fetch,
            (std::vector<std::string>{"allergies", "immunizations", "observations"}));
  EXPECT_TRUE(plan.medications_to_fetch.empty());
}

TEST_F(EngineTest, InteractingDrugNeedsOnlyMedications) {
  for (const char* drug : {"Adalimumab 40 mg", "Canakinumab", "Measles vaccine"}) {
    RequestSpec spec;
    spec.drafts = {Med("m", "draft", drug)};
    const auto plan = engine_.MakePlan(MakeRequest(spec));
    EXPECT_FALSE(plan.nothing_to_do) << drug;
    EXPECT_EQ(plan.needed_keys, std::vector<std::string>{"medications"}) << drug;
    EXPECT_EQ(plan.keys_to_fetch, std::vector<std::string>{"medications"}) << drug;
  }
  RequestSpec sent;
  sent.drafts = {Med("m", "draft", "Adalimumab 40 mg")};
  sent.prefetch["medications"] = Bundle({});
  EXPECT_TRUE(engine_.MakePlan(MakeRequest(sent)).keys_to_fetch.empty());
}

TEST_F(EngineTest, OrderSelectPlansOnlyTheSelectedOrders) {
  RequestSpec spec;
  spec.hook = "order-select";
  spec.drafts = {Anakinra("a", "draft"), Med("m", "draft", "Metformin")};
  spec.selections = {"MedicationRequest/m"};
  EXPECT_TRUE(engine_.MakePlan(MakeRequest(spec)).nothing_to_do);
  spec.selections = {"MedicationRequest/a"};
  EXPECT_EQ(engine_.MakePlan(MakeRequest(spec)).needed_keys, kAllKeys);
}

TEST_F(EngineTest, UnresolvedMedicationReferencesAreFetched) {
  RequestSpec spec;
  spec.drafts = {
      R"({"resourceType":"MedicationRequest","id":"x","status":"draft","medicationReference":{"reference":"Medication/m1"}})",
      R"({"resourceType":"MedicationRequest","id":"y","status":"draft","medicationReference":{"reference":"Medication/m1"}})",
      R"({"resourceType":"MedicationRequest","id":"z","status":"draft","medicationReference":{"reference":"#missing"}})"};
  auto request = MakeRequest(spec);
  const auto plan = engine_.MakePlan(request);
  EXPECT_EQ(plan.medications_to_fetch, std::vector<std::string>{"Medication/m1"});
  EXPECT_FALSE(plan.nothing_to_do);  // it may be anakinra: fetch before answering
  EXPECT_TRUE(plan.needed_keys.empty());

  request.AddFetchedResource(
      ParseDoc(R"({"resourceType":"Medication","id":"m1","code":{"coding":[)" +
               Coding(kRx, "72435") + "]}}"));
  const auto after = engine_.MakePlan(request);
  EXPECT_TRUE(after.medications_to_fetch.empty());
  EXPECT_EQ(after.needed_keys, kAllKeys);
}

TEST_F(EngineTest, MissingDataWithoutASeriousCardIsAPreconditionFailure) {
  // A TNF antagonist draft and no medications key: nothing can be found, so 412 for that key.
  RequestSpec spec;
  spec.drafts = {Med("m", "draft", "Adalimumab 40 mg")};
  const auto evaluation = engine_.Evaluate(MakeRequest(spec), kNow);
  EXPECT_TRUE(evaluation.precondition_failed);
  EXPECT_TRUE(evaluation.cards.empty());
  EXPECT_EQ(evaluation.missing_keys, std::vector<std::string>{"medications"});
}

TEST_F(EngineTest, IncompleteKeyIsStillMissing) {
  RequestSpec spec;
  spec.drafts = {Med("m", "draft", "Adalimumab 40 mg")};
  spec.prefetch["medications"] = Bundle({Med("o", "active", "Metformin")});
  spec.states["medications"] = PrefetchState::kIncomplete;
  const auto evaluation = engine_.Evaluate(MakeRequest(spec), kNow);
  EXPECT_EQ(evaluation.missing_keys, std::vector<std::string>{"medications"});
  EXPECT_TRUE(evaluation.precondition_failed);
}

// ---------------------------------------------------------------- patient-view (policy §7)

const std::vector<std::string> kPatientViewKeys = {"patient", "medications", "conditions",
                                                   "observations"};

TEST(KeysReadBy, PatientViewReadsNoAllergiesOrImmunisations) {
  EXPECT_EQ(anakinra::KeysReadBy("patient-view").size(), 4u);
  EXPECT_EQ(anakinra::KeysReadBy("order-sign").size(), anakinra::kDataKeyCount);
  EXPECT_EQ(anakinra::KeysReadBy("order-select").size(), anakinra::kDataKeyCount);
}

TEST_F(EngineTest, PatientViewNotOnAnakinraIsNothingToDoOnlyWithACompleteList) {
  RequestSpec spec;
  spec.hook = "patient-view";
  spec.prefetch["medications"] = Bundle({Med("o", "active", "Metformin")});
  EXPECT_TRUE(engine_.MakePlan(MakeRequest(spec)).nothing_to_do);
  EXPECT_TRUE(engine_.Evaluate(MakeRequest(spec), kNow).cards.empty());
  EXPECT_FALSE(engine_.Evaluate(MakeRequest(spec), kNow).precondition_failed);

  // The same page with more to come: "no anakinra" is not known, so every key is fetched and,
  // when that fails, the answer is 412 for medications (never an empty list read from a page).
  spec.states["medications"] = PrefetchState::kIncomplete;
  const auto plan = engine_.MakePlan(MakeRequest(spec));
  EXPECT_FALSE(plan.nothing_to_do);
  EXPECT_EQ(plan.needed_keys, kPatientViewKeys);
  EXPECT_EQ(plan.keys_to_fetch, kPatientViewKeys);
  const auto evaluation = engine_.Evaluate(MakeRequest(spec), kNow);
  EXPECT_TRUE(evaluation.precondition_failed);
  EXPECT_EQ(evaluation.missing_keys, std::vector<std::string>{"medications"});
}

TEST_F(EngineTest, PatientViewOnAnakinraFetchesOnlyTheKeysItReads) {
  RequestSpec spec;
  spec.hook = "patient-view";
  spec.prefetch["medications"] = Bundle({Anakinra("a", "active")});
  spec.prefetch["patient"] = Patient(R"("1980-01-01")");
  const auto plan = engine_.MakePlan(MakeRequest(spec));
  EXPECT_FALSE(plan.nothing_to_do);
  EXPECT_EQ(plan.needed_keys, kPatientViewKeys);
  EXPECT_EQ(plan.keys_to_fetch, (std::vector<std::string>{"conditions", "observations"}));
}

TEST_F(EngineTest, PatientViewOnHoldOnlyGivesNoCard) {
  // The rules run on active orders (policy §7); a paused treatment has no schedule to keep.
  RequestSpec spec;
  spec.hook = "patient-view";
  spec.prefetch["medications"] = Bundle({Anakinra("a", "on-hold")});
  spec.prefetch["patient"] = Patient(R"("1980-01-01")");
  spec.prefetch["conditions"] = Bundle({});
  spec.prefetch["observations"] = Bundle({});
  const auto evaluation = engine_.Evaluate(MakeRequest(spec), kNow);
  EXPECT_TRUE(evaluation.cards.empty());
  EXPECT_FALSE(evaluation.precondition_failed);
}

}  // namespace
