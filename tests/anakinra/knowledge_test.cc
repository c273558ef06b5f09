// The knowledge under hooks/ loads, and a broken copy fails with a message naming file and entry.
#include "anakinra/knowledge.h"
#include "fhir/json.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

namespace {

namespace fs = std::filesystem;
using testing_support::ParseJsonOrDie;
using testing_support::ReadFile;
using testing_support::SourcePath;

TEST(RealKnowledge, Loads) {
  std::string error;
  auto k = anakinra::LoadKnowledge(SourcePath("hooks"), error);
  ASSERT_NE(k, nullptr) << error;
  EXPECT_TRUE(error.empty()) << error;
  for (const auto& name : anakinra::RequiredValueSets())
    EXPECT_TRUE(k->value_sets.count(name)) << name;
  for (const auto& code : anakinra::CardCodes()) EXPECT_TRUE(k->cards.count(code)) << code;
  EXPECT_EQ(k->topic_system, "urn:anakinra-cds:card");
}

TEST(RealKnowledge, DosingNumbersMatchThePolicy) {
  const auto k = testing_support::RealKnowledge();
  const anakinra::DosingPolicy& d = k->dosing;
  EXPECT_EQ(d.very_young_age_years, 2);
  EXPECT_EQ(d.adult_age_years, 18);
  EXPECT_EQ(d.weight_max_age_days, 90);
  EXPECT_EQ(d.renal_max_age_days, 365);
  EXPECT_EQ(d.renal_threshold_ml_min, 30);
  EXPECT_EQ(d.neutrophil_max_age_days, 30);
  EXPECT_EQ(d.neutrophil_threshold, 1.5);
  EXPECT_EQ(d.pregnancy_status_max_age_days, 300);
  EXPECT_EQ(d.breastfeeding_status_max_age_days, 180);
  EXPECT_EQ(d.dose_rounding_mg, 10);
  EXPECT_EQ(d.label_maximum_mg_per_kg, 8);
  EXPECT_NEAR(d.concentration_mg_per_ml, 100 / 0.67, 0.01);
  EXPECT_EQ(d.very_young_child.usual_min, 6);
  EXPECT_EQ(d.very_young_child.usual_max, 10);
  EXPECT_EQ(d.very_young_child.maximum, 10);
  EXPECT_EQ(d.child.usual_min, 1);
  EXPECT_EQ(d.child.usual_max, 3);
  EXPECT_EQ(d.child.maximum, 10);
  EXPECT_FALSE(d.adult.per_kg);
  EXPECT_EQ(d.adult.usual_min, 100);
  EXPECT_EQ(d.adult.usual_max, 100);
  EXPECT_EQ(d.adult.maximum_mg_per_kg, 8);
  EXPECT_EQ(d.adult_weight_based.usual_min, 1);
  EXPECT_EQ(d.adult_weight_based.usual_max, 3);
  EXPECT_EQ(d.adult_weight_based.maximum, 8);
}

TEST(RealKnowledge, ObservationCodesCoverThePolicy) {
  const auto codes = testing_support::RealKnowledge()->ObservationLoincCodes();
  for (const char* c : {"29463-7", "3141-9",  "8335-2",  "8350-1",  "2164-2",  "35591-7", "33914-3",
                        "48642-3", "48643-1", "62238-1", "77147-7", "98979-8", "50044-7", "88293-6",
                        "88294-4", "751-8",   "753-4",   "26499-4", "82810-3", "63895-7"})
    EXPECT_NE(std::find(codes.begin(), codes.end(), c), codes.end()) << c;
  for (const char* percentage : {"770-8", "26511-6"})
    EXPECT_EQ(std::find(codes.begin(), codes.end(), percentage), codes.end()) << percentage;
}

// A private copy of hooks/ that a test may break.
class BrokenKnowledge : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() / ("anakinra-knowledge-test-" + std::to_string(::getpid()) +
                                        "-" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::copy(SourcePath("hooks"), dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& relative) const { return (dir_ / relative).string(); }

  // Parses a file of the copy, lets `edit` change it, and writes it back.
  void Edit(const std::string& relative, const std::function<void(rapidjson::Document&)>& edit) {
    rapidjson::Document doc = ParseJsonOrDie(ReadFile(Path(relative)));
    edit(doc);
    Write(relative, fhir::ToString(doc));
  }

  void Write(const std::string& relative, const std::string& text) {
    std::ofstream out(Path(relative), std::ios::binary | std::ios::trunc);
    out << text;
  }

  // Loading must fail; returns the message.
  std::string LoadError() {
    std::string error;
    auto k = anakinra::LoadKnowledge(dir_.string(), error);
    EXPECT_EQ(k, nullptr);
    EXPECT_FALSE(error.empty());
    return error;
  }

  fs::path dir_;
};

#define EXPECT_MENTIONS(message, part)               \
  EXPECT_NE((message).find(part), std::string::npos) \
      << "\"" << (message) << "\" lacks \"" << (part) << "\""

TEST_F(BrokenKnowledge, UnmodifiedCopyLoads) {
  std::string error;
  EXPECT_NE(anakinra::LoadKnowledge(dir_.string(), error), nullptr) << error;
}

TEST_F(BrokenKnowledge, MissingValueSet) {
  Edit("knowledge/codes.json",
       [](rapidjson::Document& d) { d["valueSets"].RemoveMember("hib-vaccine"); });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "\"hib-vaccine\"");
  EXPECT_MENTIONS(e, "required");
}

TEST_F(BrokenKnowledge, ValueSetDefinedTwice) {
  Write("knowledge/extra.json",
        R"({"valueSets":{"anakinra":{"description":"again","source":"label","text":["x"]}}})");
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "valueSets.anakinra");
  EXPECT_MENTIONS(e, "defined twice");
}

TEST_F(BrokenKnowledge, EmptyValueSet) {
  Edit("knowledge/routes.json", [](rapidjson::Document& d) {
    auto& set = d["valueSets"]["subcutaneous-route"];
    set.RemoveMember("codes");
    set.RemoveMember("text");
  });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "routes.json");
  EXPECT_MENTIONS(e, "valueSets.subcutaneous-route");
}

TEST_F(BrokenKnowledge, CodeWithoutSystem) {
  Edit("knowledge/codes.json", [](rapidjson::Document& d) {
    d["valueSets"]["anakinra"]["codes"][0].RemoveMember("system");
  });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "codes.json");
  EXPECT_MENTIONS(e, "valueSets.anakinra.codes[0]");
  EXPECT_MENTIONS(e, "\"system\"");
}

TEST_F(BrokenKnowledge, ThresholdAsAString) {
  Edit("knowledge/dosing.json",
       [](rapidjson::Document& d) { d["weightMaxAgeDays"]["value"].SetString("90"); });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "dosing.json");
  EXPECT_MENTIONS(e, "weightMaxAgeDays");
  EXPECT_MENTIONS(e, "number");
}

TEST_F(BrokenKnowledge, ThresholdMissing) {
  Edit("knowledge/dosing.json",
       [](rapidjson::Document& d) { d.RemoveMember("neutrophilThreshold"); });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "dosing.json");
  EXPECT_MENTIONS(e, "neutrophilThreshold");
}

TEST_F(BrokenKnowledge, ThresholdWithoutSource) {
  Edit("knowledge/dosing.json",
       [](rapidjson::Document& d) { d["renalThresholdMlPerMin"].RemoveMember("source"); });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "renalThresholdMlPerMin");
  EXPECT_MENTIONS(e, "\"source\"");
}

TEST_F(BrokenKnowledge, BandOutOfOrder) {
  Edit("knowledge/dosing.json", [](rapidjson::Document& d) {
    d["bands"]["child"]["usualMax"].SetDouble(12);  // above the maximum of 10
  });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "dosing.json");
  EXPECT_MENTIONS(e, "bands.child");
}

TEST_F(BrokenKnowledge, BandMaximumAsAString) {
  Edit("knowledge/dosing.json",
       [](rapidjson::Document& d) { d["bands"]["very-young-child"]["maximum"].SetString("10"); });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "bands.very-young-child");
  EXPECT_MENTIONS(e, "\"maximum\"");
}

TEST_F(BrokenKnowledge, SuggestedOrderMissing) {
  Edit("knowledge/dosing.json",
       [](rapidjson::Document& d) { d["suggestedOrders"].RemoveMember("cbc-with-differential"); });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "suggestedOrders.cbc-with-differential");
}

TEST_F(BrokenKnowledge, UnknownCardSource) {
  Edit("cards.json",
       [](rapidjson::Document& d) { d["cards"]["pregnancy"]["source"].SetString("wikipedia"); });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "cards.json");
  EXPECT_MENTIONS(e, "cards.pregnancy");
  EXPECT_MENTIONS(e, "wikipedia");
}

TEST_F(BrokenKnowledge, MissingCard) {
  Edit("cards.json", [](rapidjson::Document& d) { d["cards"].RemoveMember("breastfeeding"); });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "cards.json");
  EXPECT_MENTIONS(e, "cards.breastfeeding");
}

TEST_F(BrokenKnowledge, CardCodeOutsideThePolicy) {
  Edit("cards.json", [](rapidjson::Document& d) {
    rapidjson::Value copy(d["cards"]["pregnancy"], d.GetAllocator());
    d["cards"].AddMember("made-up-card", copy, d.GetAllocator());
  });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "cards.made-up-card");
}

TEST_F(BrokenKnowledge, BadIndicator) {
  Edit("cards.json", [](rapidjson::Document& d) {
    d["cards"]["hepatic-impairment"]["indicator"].SetString("hard-stop");
  });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "cards.hepatic-impairment");
  EXPECT_MENTIONS(e, "indicator");
}

TEST_F(BrokenKnowledge, UnknownOverrideReasonSet) {
  Edit("cards.json", [](rapidjson::Document& d) {
    d["cards"]["renal-impairment"]["overrideReasons"].SetString("nonexistent");
  });
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "cards.renal-impairment");
  EXPECT_MENTIONS(e, "nonexistent");
}

TEST_F(BrokenKnowledge, InvalidJsonInAKnowledgeFile) {
  Write("knowledge/routes.json", ReadFile(Path("knowledge/routes.json")) + ",}");
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "routes.json");
  EXPECT_MENTIONS(e, "JSON syntax error");
}

TEST_F(BrokenKnowledge, InvalidJsonInCards) {
  Write("cards.json", "{\"cards\": [");
  const std::string e = LoadError();
  EXPECT_MENTIONS(e, "cards.json");
  EXPECT_MENTIONS(e, "JSON");
}

TEST_F(BrokenKnowledge, MissingKnowledgeDirectory) {
  fs::remove_all(dir_ / "knowledge");
  EXPECT_MENTIONS(LoadError(), "knowledge");
}

}  // namespace
