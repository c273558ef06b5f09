// Every fhir-samples bundle gets exactly the cards its golden file lists (codes, indicators,
// suggestion action types), at the golden's reference time and prefetch paging, and every card is
// complete per the policy's card shape and text rules (policy v2 sections 0 and 4).
#include "base/json.h"
#include "cdshooks/bundle_request.h"
#include "fhir/date.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <set>

namespace {

using namespace testing_support;

constexpr const char* kDefaultNow = "2026-11-20T09:00:00Z";

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

std::vector<CardShape> Shapes(const base::Json& cards, const std::string& code_path) {
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

// The service for `hook`, found by hook (as the CLI does), never by a built id.
const cdshooks::ServiceDefinition* ServiceForHook(const std::string& hook) {
  for (const auto& s : RealHandler()->catalog().services())
    if (s.hook == hook) return &s;
  return nullptr;
}

// Every resource id in a sample bundle: none of them may appear in clinician prose.
std::set<std::string> ResourceIds(const base::Json& bundle) {
  std::set<std::string> ids;
  for (const auto& e : bundle["entry"].GetArray()) ids.insert(e["resource"]["id"].GetString());
  return ids;
}

// Every "{name}" placeholder hooks/cards.json uses (text from the request, such as a dose unit
// "{syringe}", may legitimately hold braces, so only these count as unfilled).
const std::set<std::string>& Placeholders() {
  static const std::set<std::string> names = [] {
    std::set<std::string> out;
    const std::string text = ReadFile(SourcePath("hooks/cards.json"));
    // "{" + a letter + letters, digits or '_' + "}" (no std::regex: GCC 12 warns inside it).
    for (std::size_t open = text.find('{'); open != std::string::npos;
         open = text.find('{', open + 1)) {
      std::size_t end = open + 1;
      if (end >= text.size() || !std::isalpha(static_cast<unsigned char>(text[end]))) continue;
      while (end < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
        ++end;
      if (end < text.size() && text[end] == '}') out.insert(text.substr(open, end - open + 1));
    }
    return out;
  }();
  return names;
}

class SampleGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(SampleGolden, CardsMatchGolden) {
  const std::string name = GetParam();
  const auto expected_doc =
      ParseJsonOrDie(ReadFile(SourcePath("fhir-samples/expected/" + name + ".cards.json")));
  const auto bundle = ParseJsonOrDie(ReadFile(SourcePath("fhir-samples/" + name + ".json")));
  const std::string hook =
      expected_doc.HasMember("hook") ? expected_doc["hook"].GetString() : "order-sign";
  const std::string now_text =
      expected_doc.HasMember("now") ? expected_doc["now"].GetString() : kDefaultNow;
  const auto now_seconds = fhir::ParseDateTime(now_text);
  ASSERT_TRUE(now_seconds.has_value()) << name << ": now " << now_text;
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(*now_seconds));

  const auto* service = ServiceForHook(hook);
  ASSERT_NE(service, nullptr) << hook;
  cdshooks::BundleRequestOptions options;
  if (expected_doc.HasMember("pageSize")) options.page_size = expected_doc["pageSize"].GetUint();
  auto request = cdshooks::RequestFromBundle(bundle, *service, options);
  ASSERT_TRUE(request.ok()) << name << ": " << request.status().message();

  auto result = RealHandler()->Call(service->id, base::ToString(**request), now);
  ASSERT_EQ(result.status, 200) << result.body;
  const auto response = ParseJsonOrDie(result.body);
  const auto actual = Shapes(response["cards"], "topic");
  const auto expected = Shapes(expected_doc["cards"], "code");
  EXPECT_EQ(actual, expected) << name << "\nexpected:\n"
                              << Describe(expected) << "actual:\n"
                              << Describe(actual);

  const std::set<std::string> ids = ResourceIds(bundle);
  const std::vector<std::string> forbidden = {"<img",
                                              "](javascript:",
                                              "<script",
                                              "MedicationRequest/",
                                              "MedicationOrder/",
                                              "Medication/",
                                              "Patient/",
                                              "Observation/",
                                              "Condition/",
                                              "Immunization/",
                                              "AllergyIntolerance/"};
  for (const auto& card : response["cards"].GetArray()) {
    const std::string code = card["source"]["topic"]["code"].GetString();
    EXPECT_TRUE(card.HasMember("uuid")) << code;
    const std::string summary = card["summary"].GetString();
    const std::string detail = card["detail"].GetString();
    EXPECT_LT(summary.size(), 140u) << code << ": " << summary;
    for (const auto& placeholder : Placeholders())
      for (const auto& text : {summary, detail})
        EXPECT_EQ(text.find(placeholder), std::string::npos)
            << code << ": unfilled placeholder in " << text;
    for (const auto& text : {summary, detail}) {
      for (const auto& bad : forbidden)
        EXPECT_EQ(text.find(bad), std::string::npos)
            << name << " " << code << ": \"" << bad << "\" in clinician prose: " << text;
      for (const auto& id : ids)
        EXPECT_EQ(text.find(id), std::string::npos)
            << name << " " << code << ": FHIR id " << id << " in clinician prose: " << text;
    }
    ASSERT_TRUE(card.HasMember("source")) << code;
    EXPECT_FALSE(std::string(card["source"]["label"].GetString()).empty());
    EXPECT_STREQ(card["source"]["topic"]["system"].GetString(), "urn:anakinra-cds:card");
    if (card["source"].HasMember("url")) {
      // The main source is the card's source, not repeated at the end of detail.
      const std::string url = card["source"]["url"].GetString();
      EXPECT_EQ(detail.find(url), std::string::npos) << code << ": source repeated in detail";
    }
    const std::string indicator = card["indicator"].GetString();
    if (indicator != "info") {
      ASSERT_TRUE(card.HasMember("overrideReasons")) << code;
      for (const auto& r : card["overrideReasons"].GetArray()) EXPECT_TRUE(r.HasMember("display"));
    }
    if (card.HasMember("suggestions")) {
      EXPECT_TRUE(card.HasMember("selectionBehavior")) << code;
      for (const auto& s : card["suggestions"].GetArray()) {
        EXPECT_TRUE(s.HasMember("uuid"));
        ASSERT_TRUE(s.HasMember("label")) << code;
        const std::string label = s["label"].GetString();
        EXPECT_LT(label.size(), 80u) << code << ": " << label;
        for (const auto& bad : forbidden)
          EXPECT_EQ(label.find(bad), std::string::npos) << code << ": " << label;
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

// Every golden pins the reference time, and a paged golden really pages its prefetch: the test
// above would otherwise pass by accident.
TEST(SampleCoverage, GoldensPinTheReferenceTimeAndPaging) {
  for (const auto& name : SampleNames()) {
    const auto doc =
        ParseJsonOrDie(ReadFile(SourcePath("fhir-samples/expected/" + name + ".cards.json")));
    ASSERT_TRUE(doc.HasMember("now")) << name;
    EXPECT_STREQ(doc["now"].GetString(), kDefaultNow) << name;
    if (!doc.HasMember("pageSize")) continue;
    const auto bundle = ParseJsonOrDie(ReadFile(SourcePath("fhir-samples/" + name + ".json")));
    cdshooks::BundleRequestOptions options;
    options.page_size = doc["pageSize"].GetUint();
    auto built = cdshooks::RequestFromBundle(bundle, *ServiceForHook("order-sign"), options);
    ASSERT_TRUE(built.ok()) << built.status().message();
    const auto& request = *built;
    int paged = 0;
    for (const auto& m : (*request)["prefetch"].GetObject()) {
      if (!m.value.IsObject() || !m.value.HasMember("link")) continue;
      ++paged;
      EXPECT_LE(m.value["entry"].Size(), options.page_size) << name << " " << m.name.GetString();
    }
    EXPECT_GT(paged, 0) << name << ": pageSize pages no key";
  }
}

}  // namespace
