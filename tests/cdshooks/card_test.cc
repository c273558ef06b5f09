#include "cdshooks/card.h"

#include "base/json.h"

#include <gtest/gtest.h>

namespace {

TEST(ResponseJson, EmptyCardsIsAnEmptyArray) {
  EXPECT_EQ(cdshooks::ResponseJson({}), R"({"cards":[]})");
}

TEST(ResponseJson, OmitsEmptyOptionalMembers) {
  cdshooks::Card card;
  card.summary = "s";
  card.indicator = "info";
  card.source.label = "label";
  const std::string json = cdshooks::ResponseJson({card});
  EXPECT_EQ(json, R"({"cards":[{"summary":"s","indicator":"info","source":{"label":"label"}}]})");
}

TEST(ResponseJson, WritesSuggestionsWithSelectionBehavior) {
  cdshooks::Card card;
  card.uuid = "u";
  card.summary = "s";
  card.indicator = "warning";
  card.source = {"l", "https://example.org", {"urn:anakinra-cds:card", "x", ""}};
  cdshooks::Suggestion s;
  s.label = "Remove";
  s.uuid = "su";
  s.actions.push_back({"delete", "Remove it", nullptr, "MedicationRequest/1"});
  card.suggestions.push_back(s);
  card.selection_behavior = "at-most-one";
  card.override_reasons.push_back({"urn:x", "c", "Because"});
  rapidjson::Document doc;
  ASSERT_TRUE(base::ParseJson(cdshooks::ResponseJson({card}), 32, doc).ok());
  const auto& c = doc["cards"][0];
  EXPECT_STREQ(c["selectionBehavior"].GetString(), "at-most-one");
  EXPECT_STREQ(c["suggestions"][0]["actions"][0]["resourceId"].GetString(), "MedicationRequest/1");
  EXPECT_FALSE(c["suggestions"][0]["actions"][0].HasMember("resource"));
  EXPECT_STREQ(c["overrideReasons"][0]["display"].GetString(), "Because");
  EXPECT_STREQ(c["source"]["topic"]["code"].GetString(), "x");
}

}  // namespace
