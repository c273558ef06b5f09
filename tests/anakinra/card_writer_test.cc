// The card writer: EHR text is escaped where card text is written, summaries and labels stay
// short by shortening the drug's name, sources and links, data-not-checked.
#include "anakinra/card_writer.h"

#include "anakinra/suggestions.h"
#include "cdshooks/card.h"

#include "support/test_support.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace anakinra {
namespace {

// The project's own hooks/ knowledge, loaded once.
const Knowledge& K() { return *testing_support::RealKnowledge(); }

Finding LiveVaccine(const std::string& vaccine) {
  Finding f;
  f.code = "live-vaccine";
  f.subject = "MedicationRequest/a1";
  f.params["drug"] = "Kineret";
  f.params["other"] = vaccine;
  f.found = {"found-draft"};
  f.todo = {"todo-remove"};
  f.suggestions.push_back(DeleteOrder("MedicationRequest/v1", "remove-vaccine"));
  return f;
}

// A markdown link or image: "](" whose "]" is not escaped.
bool HasLink(const std::string& text) {
  for (std::size_t at = text.find("]("); at != std::string::npos; at = text.find("](", at + 1))
    if (at == 0 || text[at - 1] != '\\') return true;
  return false;
}

TEST(Escape, MarkdownHasNoHtmlLinksOrImages) {
  const std::string e = EscapeMarkdown(
      "<img src=x onerror=alert(1)> [click](javascript:alert(1)) ![i](http://x/i.png) *b* _u_ `c`");
  EXPECT_EQ(e.find('<'), std::string::npos);
  EXPECT_EQ(e.find('>'), std::string::npos);
  EXPECT_FALSE(HasLink(e));
  EXPECT_EQ(e.find("javascript:"), std::string::npos);
  EXPECT_NE(e.find("\\*b\\*"), std::string::npos);
  EXPECT_NE(e.find("\\_u\\_"), std::string::npos);
  EXPECT_NE(e.find("\\`c\\`"), std::string::npos);
  EXPECT_NE(e.find("\\[click\\]"), std::string::npos);
  EXPECT_EQ(EscapeMarkdown("JavaScript:x").find("JavaScript:"), std::string::npos);
  EXPECT_EQ(EscapeMarkdown("a\nb"), "a b");
}

TEST(Escape, PlainTextHasNoAngleBracketsOrLinkSyntax) {
  const std::string p = EscapePlain("<b>x</b> [a](javascript:alert(1))");
  EXPECT_EQ(p.find('<'), std::string::npos);
  EXPECT_EQ(p.find('['), std::string::npos);
  EXPECT_EQ(p.find("javascript:"), std::string::npos);
}

// Every script-capable scheme, in any case and anywhere in the text, loses its colon; other
// colons and text without a colon come back as they were.
TEST(Escape, EverySchemeColonIsBrokenAndNoOtherColon) {
  EXPECT_EQ(EscapeMarkdown("data:x VBScript:y FILE:z javascript:w"),
            "data\\:x VBScript\\:y FILE\\:z javascript\\:w");
  EXPECT_EQ(EscapePlain("data:x VBScript:y FILE:z javascript:w"),
            "data x VBScript y FILE z javascript w");
  EXPECT_EQ(EscapePlain("seen 10:30, metadata:x"), "seen 10:30, metadata x");
  EXPECT_EQ(EscapePlain("ratio 1:2 at https://example.org"), "ratio 1:2 at https://example.org");
  EXPECT_EQ(EscapePlain("no colon here"), "no colon here");
  EXPECT_EQ(EscapePlain(":data"), ":data");
}

TEST(RenderTemplate, PlaceholdersUnknownNamesAndUnclosedBraces) {
  const anakinra::CardParams params{{"drug", "Kineret"}, {"dose", "100 mg"}};
  EXPECT_EQ(anakinra::RenderTemplate("{drug} {dose} daily", params), "Kineret 100 mg daily");
  EXPECT_EQ(anakinra::RenderTemplate("a {unknown} b", params), "a  b");
  EXPECT_EQ(anakinra::RenderTemplate("open { brace", params), "open { brace");
  EXPECT_EQ(anakinra::RenderTemplate("{drug}{drug}", params), "KineretKineret");
  EXPECT_EQ(anakinra::RenderTemplate("", params), "");
}

TEST(WriteCard, EhrTextIsEscapedInSummaryDetailAndLabels) {
  const auto card =
      WriteCard(LiveVaccine("<img src=x onerror=alert(1)>[MMR](javascript:alert(1))"), K());
  for (const std::string* text : {&card.summary, &card.detail, &card.suggestions[0].label}) {
    EXPECT_EQ(text->find("<img"), std::string::npos) << *text;
    EXPECT_FALSE(HasLink(*text)) << *text;
    EXPECT_EQ(text->find("javascript:"), std::string::npos) << *text;
  }
}

TEST(WriteCard, LongDrugNameShortensTheNameNotTheMessage) {
  const std::string name(300, 'M');
  const auto card = WriteCard(LiveVaccine(name + " vaccine"), K());
  EXPECT_LT(card.summary.size(), 140u);
  // The message after the name is whole: the template's last words are there.
  const std::string tmpl = K().cards.at("live-vaccine").summaries.at("default");
  const std::string tail = tmpl.substr(tmpl.rfind('}') + 1);
  ASSERT_GE(card.summary.size(), tail.size());
  EXPECT_EQ(card.summary.compare(card.summary.size() - tail.size(), tail.size(), tail), 0);
  ASSERT_EQ(card.suggestions.size(), 1u);
  EXPECT_LT(card.suggestions[0].label.size(), 80u);
  EXPECT_FALSE(card.suggestions[0].actions[0].description.empty());
  EXPECT_EQ(card.suggestions[0].actions[0].resource_id, "MedicationRequest/v1");  // id in action
  EXPECT_EQ(card.detail.find("MedicationRequest/"), std::string::npos);
  EXPECT_EQ(card.summary.find("MedicationRequest/"), std::string::npos);
}

TEST(WriteCard, MultibyteNamesAreShortenedOnCharacterBoundaries) {
  std::string name;
  for (int i = 0; i < 200; ++i) name += "\xC3\xA9";  // é
  const auto card = WriteCard(LiveVaccine(name), K());
  EXPECT_LT(card.summary.size(), 140u);
  // Valid UTF-8: no continuation byte right after an ASCII byte.
  for (std::size_t i = 1; i < card.summary.size(); ++i)
    if ((static_cast<unsigned char>(card.summary[i]) & 0xC0) == 0x80) {
      EXPECT_GE(static_cast<unsigned char>(card.summary[i - 1]), 0x80u);
    }
}

TEST(WriteCard, SourceLinksIndicatorAndOverrideReasons) {
  const auto card = WriteCard(LiveVaccine("MMR"), K());
  EXPECT_EQ(card.source.url, K().sources.at("label").url);
  EXPECT_EQ(card.source.topic.code, "live-vaccine");
  EXPECT_EQ(card.source.topic.system, "urn:anakinra-cds:card");
  // The label section the card rests on, then the seed, its second source: absolute links.
  ASSERT_EQ(card.links.size(), 2u);
  EXPECT_EQ(card.links[0].url, card.source.url);
  EXPECT_EQ(card.links[0].label, card.source.label);
  EXPECT_EQ(card.links[1].url, K().sources.at("seed").url);
  EXPECT_EQ(card.links[0].type, "absolute");
  EXPECT_EQ(card.links[1].type, "absolute");
  // The order the card is about, structured (never only in prose).
  EXPECT_EQ(card.order, "MedicationRequest/a1");
  EXPECT_FALSE(card.suggestions[0].is_recommended);  // removing one of two drugs is a choice
  EXPECT_EQ(card.indicator, "warning");
  EXPECT_FALSE(card.override_reasons.empty());
  EXPECT_EQ(card.selection_behavior, "at-most-one");
  EXPECT_FALSE(card.suggestions[0].uuid.empty());
  // The source is not repeated at the end of the detail.
  EXPECT_EQ(card.detail.find(K().sources.at("label").label), std::string::npos);
}

TEST(WriteCard, IndicatorVariantMustBeAllowed) {
  Finding f;
  f.code = "ecoli-protein-hypersensitivity";
  f.params["allergy"] = f.params["allergyShort"] = "Kineret";
  f.indicator = "warning";
  EXPECT_EQ(WriteCard(f, K()).indicator, "warning");
  f.indicator = "info";  // not an allowed variant: the card's default
  EXPECT_EQ(WriteCard(f, K()).indicator, "critical");
  EXPECT_NE(CheckFinding(f, K()), "");
}

TEST(WriteCard, InfoCardsHaveNoOverrideReasons) {
  Finding f;
  f.code = "caps-lifelong";
  f.params["indication"] = "NOMID";
  f.found = {"found-reason"};
  const auto card = WriteCard(f, K());
  EXPECT_EQ(card.indicator, "info");
  EXPECT_TRUE(card.override_reasons.empty());
  EXPECT_TRUE(card.suggestions.empty());
  EXPECT_TRUE(card.selection_behavior.empty());
}

TEST(CheckFinding, NamesAMissingKey) {
  Finding f = LiveVaccine("MMR");
  EXPECT_EQ(CheckFinding(f, K()), "");
  f.found = {"found-nothing"};
  EXPECT_NE(CheckFinding(f, K()).find("found-nothing"), std::string::npos);
}

TEST(DataNotChecked, ListsEachCheckAndKey) {
  const Finding f = DataNotCheckedFinding({{"neutrophil-count", "observations"},
                                           {"weight-required", "observations"},
                                           {"neutrophil-count", "observations"}},
                                          {"observations", "immunizations"});
  EXPECT_EQ(f.code, "data-not-checked");
  ASSERT_EQ(f.not_checked.size(), 2u);  // duplicates merged
  EXPECT_EQ(f.params.at("keys"), "observations, immunizations");
  EXPECT_EQ(CheckFinding(f, K()), "");
  const auto card = WriteCard(f, K());
  EXPECT_EQ(card.indicator, "warning");
  EXPECT_EQ(card.source.topic.code, "data-not-checked");
  EXPECT_LT(card.summary.size(), 140u);
  EXPECT_NE(card.detail.find(K().check_names.at("weight-required")), std::string::npos);
}

}  // namespace
}  // namespace anakinra

namespace anakinra {
namespace {

// A finding resting on another source than its card's (a very young child's band from the seed)
// keeps the card's own source (the label) as a second source in links (policy §6).
TEST(Sources, OverriddenSourceKeepsTheCardSourceAsALink) {
  Finding f = LiveVaccine("MMR");
  f.source = "seed";
  f.section = "Dosing";
  const cdshooks::Card card = WriteCard(f, K());
  EXPECT_EQ(card.source.url, K().sources.at("seed").url);
  const std::string label_url = K().sources.at(K().cards.at("live-vaccine").source).url;
  bool linked = false;
  for (const auto& l : card.links) linked = linked || l.url == label_url;
  EXPECT_TRUE(linked);
  EXPECT_EQ(card.links.front().url, card.source.url);  // the section the card rests on first
  for (std::size_t i = 1; i < card.links.size(); ++i) EXPECT_NE(card.links[i].url, card.source.url);
}

// The dose correction is the card's recommended action, and the override reasons carry the HL7
// non-adherence codes where one means the same (ours elsewhere).
TEST(WriteCard, RecommendedSuggestionAndStandardOverrideReasons) {
  Finding f;
  f.code = "dose-above-maximum";
  f.subject = "MedicationRequest/mr-9";
  f.params = {{"drug", "Kineret"},  {"ordered", "200 mg"}, {"daily", "200 mg"},
              {"band", "adults"},   {"maximum", "100 mg"}, {"usual", "100 mg"},
              {"target", "100 mg"}, {"age", "40 years"}};
  f.found = {"found-fixed"};
  f.todo = {"todo-update"};
  rapidjson::Document order;
  order.Parse(R"({"resourceType":"MedicationRequest","id":"mr-9","status":"draft"})");
  DoseChange change;
  change.dose_mg = 100;
  f.suggestions.push_back(UpdateOrder(order, change, "update", "update"));
  ASSERT_EQ(CheckFinding(f, K()), "");
  const auto card = WriteCard(f, K());
  ASSERT_EQ(card.suggestions.size(), 1u);
  EXPECT_TRUE(card.suggestions[0].is_recommended);
  EXPECT_EQ(card.order, "MedicationRequest/mr-9");
  bool hl7 = false, ours = false;
  for (const auto& r : card.override_reasons) {
    if (r.system == "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes") {
      hl7 = true;
      EXPECT_EQ(r.code, "risk-benefit-ratio");
    }
    ours = ours || (r.system == "urn:anakinra-cds:override-reason" && r.code == "dose-intended");
  }
  EXPECT_TRUE(hl7);
  EXPECT_TRUE(ours);
  const std::string json = cdshooks::ResponseJson({card});
  EXPECT_NE(json.find(R"("isRecommended":true)"), std::string::npos) << json;
  EXPECT_NE(
      json.find(R"("extension":{"org.anakinra-cds.order":{"reference":"MedicationRequest/mr-9"}})"),
      std::string::npos)
      << json;
}

}  // namespace
}  // namespace anakinra
