// Every fhir-samples bundle gets exactly the cards its golden file lists (codes, indicators,
// suggestion action types), and every card is complete per the policy's card shape.
#include "fhir/json.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace {

using namespace testing_support;

struct CardShape {
  std::string code, indicator;
  std::vector<std::vector<std::string>> suggestions;
  bool operator<(const CardShape& o) const {
    return std::tie(code, indicator, suggestions) < std::tie(o.code, o.indicator, o.suggestions);
  }
  bool operator==(const CardShape& o) const {
    return code == o.code && indicator == o.indicator && suggestions == o.suggestions;
  }
};

std::string Describe(const std::vector<CardShape>& cards) {
  std::string s;
  for (const auto& c : cards) {
    s += "  " + c.code + " " + c.indicator + " [";
    for (const auto& sug : c.suggestions) {
      s += "(";
      for (const auto& a : sug) s += a + " ";
      s += ")";
    }
    s += "]\n";
  }
  return s.empty() ? "  (none)\n" : s;
}

std::vector<CardShape> Shapes(const fhir::Json& cards, const std::string& code_path) {
  std::vector<CardShape> out;
  for (const auto& c : cards.GetArray()) {
    CardShape shape;
    shape.code =
        code_path == "topic" ? c["source"]["topic"]["code"].GetString() : c["code"].GetString();
    shape.indicator = c["indicator"].GetString();
    if (c.HasMember("suggestions"))
      for (const auto& s : c["suggestions"].GetArray()) {
        std::vector<std::string> types;
        if (s.IsArray()) {
          for (const auto& t : s.GetArray()) types.emplace_back(t.GetString());
        } else {
          for (const auto& a : s["actions"].GetArray()) types.emplace_back(a["type"].GetString());
        }
        shape.suggestions.push_back(types);
      }
    out.push_back(shape);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> SampleNames() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(SourcePath("fhir-samples")))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class SampleGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(SampleGolden, CardsMatchGolden) {
  const std::string name = GetParam();
  const auto expected_doc =
      ParseJsonOrDie(ReadFile(SourcePath("fhir-samples/expected/" + name + ".cards.json")));
  const auto now =
      std::chrono::system_clock::time_point(std::chrono::seconds(1795770000));  // 2026-11-27
  auto result = RealHandler()->Call("anakinra-order-sign", SampleRequest(name), now);
  ASSERT_EQ(result.status, 200) << result.body;
  const auto response = ParseJsonOrDie(result.body);
  const auto actual = Shapes(response["cards"], "topic");
  const auto expected = Shapes(expected_doc["cards"], "code");
  EXPECT_EQ(actual, expected) << name << "\nexpected:\n"
                              << Describe(expected) << "actual:\n"
                              << Describe(actual);

  for (const auto& card : response["cards"].GetArray()) {
    const std::string code = card["source"]["topic"]["code"].GetString();
    EXPECT_TRUE(card.HasMember("uuid")) << code;
    EXPECT_LT(std::string(card["summary"].GetString()).size(), 140u) << code;
    const std::string detail = card["detail"].GetString();
    EXPECT_EQ(detail.find('{'), std::string::npos)
        << code << ": unfilled placeholder in " << detail;
    EXPECT_NE(detail.find("**Why it matters:**"), std::string::npos) << code;
    EXPECT_NE(detail.find("**What to do:**"), std::string::npos) << code;
    EXPECT_FALSE(std::string(card["source"]["label"].GetString()).empty());
    EXPECT_STREQ(card["source"]["topic"]["system"].GetString(), "urn:anakinra-cds:card");
    const std::string indicator = card["indicator"].GetString();
    if (indicator != "info") {
      ASSERT_TRUE(card.HasMember("overrideReasons")) << code;
      for (const auto& r : card["overrideReasons"].GetArray()) EXPECT_TRUE(r.HasMember("display"));
    }
    if (card.HasMember("suggestions")) {
      EXPECT_TRUE(card.HasMember("selectionBehavior")) << code;
      for (const auto& s : card["suggestions"].GetArray()) {
        EXPECT_TRUE(s.HasMember("uuid"));
        for (const auto& a : s["actions"].GetArray()) {
          EXPECT_TRUE(a.HasMember("description"));
          const std::string type = a["type"].GetString();
          if (type == "delete") {
            EXPECT_TRUE(a.HasMember("resourceId"));
            EXPECT_FALSE(a.HasMember("resource"));
          } else {
            ASSERT_TRUE(a.HasMember("resource"));
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(FhirSamples, SampleGolden, ::testing::ValuesIn(SampleNames()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// Together the samples cover every card code of the policy.
TEST(SampleCoverage, EveryCardCodeFiresInSomeSample) {
  std::set<std::string> seen;
  for (const auto& name : SampleNames()) {
    const auto doc =
        ParseJsonOrDie(ReadFile(SourcePath("fhir-samples/expected/" + name + ".cards.json")));
    for (const auto& c : doc["cards"].GetArray()) seen.insert(c["code"].GetString());
  }
  for (const auto& code : anakinra::CardCodes()) EXPECT_TRUE(seen.count(code)) << code;
}

}  // namespace
