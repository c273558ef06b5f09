// The knowledge under hooks/ loads and binds every name the rules use; a broken copy (a
// misspelt value set, sentence, placeholder or band) stops loading with the file and entry.
#include "anakinra/knowledge.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

std::string Hooks() { return std::string(ANAKINRA_SOURCE_DIR) + "/hooks"; }

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// A copy of hooks/ in a temporary directory, removed at the end of the test.
class HooksCopy {
 public:
  HooksCopy() {
    static std::atomic<int> n{0};
    dir_ = fs::temp_directory_path() /
           ("anakinra-knowledge-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(dir_);
    fs::copy(Hooks(), dir_, fs::copy_options::recursive);
  }
  ~HooksCopy() { fs::remove_all(dir_); }
  // Replaces the first occurrence of `from` in `file` (relative to hooks/); fails if absent.
  void Replace(const std::string& file, const std::string& from, const std::string& to) {
    std::string text = Read(dir_ / file);
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from << " not in " << file;
    text.replace(at, from.size(), to);
    Write(dir_ / file, text);
  }
  std::string Load() {
    auto k = anakinra::LoadKnowledge(dir_.string());
    EXPECT_FALSE(k.ok()) << "loaded although broken";
    return k.status().message();
  }

 private:
  fs::path dir_;
};

std::shared_ptr<const anakinra::Knowledge> Real() {
  auto k = anakinra::LoadKnowledge(Hooks());
  EXPECT_TRUE(k.ok()) << k.status().message();
  return k.ok() ? std::move(*k) : nullptr;
}

TEST(RealKnowledge, LoadsAndBindsEveryValueSet) {
  auto k = Real();
  ASSERT_NE(k, nullptr);
  const anakinra::ValueSets& s = k->sets;
  for (const anakinra::ValueSet* vs : {s.anakinra,
                                       s.tnf_antagonist,
                                       s.il1_blocker,
                                       s.live_vaccine,
                                       s.pneumococcal_vaccine,
                                       s.hib_vaccine,
                                       s.antibacterial_prophylaxis,
                                       s.blood_count_order,
                                       s.body_weight,
                                       s.creatinine_clearance,
                                       s.egfr,
                                       s.neutrophil_count,
                                       s.pregnancy_status,
                                       s.pregnancy_status_pregnant,
                                       s.pregnancy_status_not_pregnant,
                                       s.breastfeeding_status,
                                       s.breastfeeding_status_yes,
                                       s.pregnancy,
                                       s.pregnancy_ended,
                                       s.lactation,
                                       s.severe_renal_impairment,
                                       s.hepatic_impairment,
                                       s.serious_infection,
                                       s.non_infectious_pneumonia,
                                       s.immunosuppression,
                                       s.chronic_infection,
                                       s.indication_ra,
                                       s.indication_caps,
                                       s.indication_dira,
                                       s.indication_stills,
                                       s.indication_fmf,
                                       s.unspecified_jia,
                                       s.off_label_use,
                                       s.ecoli_protein_allergy,
                                       s.injection_site_reaction,
                                       s.subcutaneous_route})
    EXPECT_NE(vs, nullptr);
  EXPECT_EQ(s.egfr, &k->value_sets.at("egfr"));
  EXPECT_FALSE(k->negation_phrases.empty());
  for (const auto& code : anakinra::CardCodes()) EXPECT_TRUE(k->cards.count(code)) << code;
  EXPECT_TRUE(k->cards.count("dose-not-checked"));
  EXPECT_TRUE(k->cards.count("data-not-checked"));
  EXPECT_EQ(k->topic_system, "urn:anakinra-cds:card");
}

TEST(RealKnowledge, DosingNumbersMatchThePolicy) {
  auto k = Real();
  ASSERT_NE(k, nullptr);
  const anakinra::DosingPolicy& d = k->dosing;
  EXPECT_EQ(d.very_young_age_years, 2);
  EXPECT_EQ(d.adult_age_years, 18);
  EXPECT_EQ(d.stills_fixed_dose_min_weight_kg, 50);
  EXPECT_EQ(d.weight_max_age_days, 90);
  EXPECT_EQ(d.weight_max_age_days_very_young, 30);
  EXPECT_EQ(d.renal_max_age_days, 365);
  EXPECT_EQ(d.renal_threshold_ml_min, 30);
  EXPECT_EQ(d.neutrophil_threshold, 1.5);
  EXPECT_EQ(d.neutrophil_threshold_monitoring, 1.0);
  EXPECT_EQ(d.neutrophil_window_start_days, 30);
  EXPECT_EQ(d.neutrophil_window_months_3_12_days, 90);
  EXPECT_EQ(d.neutrophil_monthly_months, 3);
  EXPECT_EQ(d.neutrophil_monitoring_months, 12);
  EXPECT_EQ(d.dose_rounding_mg, 10);
  EXPECT_EQ(d.max_one_click_change, 0.5);
  EXPECT_EQ(d.label_maximum_mg_per_kg, 8);
  EXPECT_EQ(d.max_plausible_dose_mg, 10000);
  EXPECT_EQ(d.max_plausible_per_day, 24);
  EXPECT_EQ(d.min_plausible_weight_kg, 0.3);
  EXPECT_EQ(d.max_plausible_weight_kg, 400);
  EXPECT_EQ(d.max_plausible_neutrophils, 500);
  EXPECT_EQ(d.max_plausible_renal_ml_min, 300);
  EXPECT_EQ(d.longest_lookback_days, 365);
  EXPECT_EQ(d.blood_count_order.code, "57021-8");
  // Bands of policy v2 section 3.
  EXPECT_EQ(d.very_young_child.usual_min, 1);
  EXPECT_EQ(d.very_young_child.usual_max, 8);
  EXPECT_EQ(d.very_young_child.label_maximum, 8);
  EXPECT_EQ(d.very_young_child.maximum, 10);
  EXPECT_EQ(d.very_young_child.source, "seed");
  EXPECT_EQ(d.caps_dira.usual_min, 1);
  EXPECT_EQ(d.caps_dira.usual_max, 8);
  EXPECT_EQ(d.caps_dira.maximum, 8);
  EXPECT_TRUE(d.caps_dira.twice_daily_allowed);
  EXPECT_EQ(d.stills_fmf_weight_based.usual_max, 4);
  EXPECT_EQ(d.stills_fmf_weight_based.maximum, 8);
  EXPECT_FALSE(d.stills_fmf_fixed.per_kg);
  EXPECT_EQ(d.stills_fmf_fixed.usual_min, 100);
  EXPECT_EQ(d.stills_fmf_fixed.maximum_without_weight_mg, 800);
  EXPECT_EQ(d.child.usual_min, 1);
  EXPECT_EQ(d.child.usual_max, 3);
  EXPECT_EQ(d.child.maximum, 8);
  EXPECT_FALSE(d.adult.per_kg);
  EXPECT_EQ(d.adult.usual_max, 100);
  EXPECT_EQ(d.adult.maximum_mg_per_kg, 8);
  EXPECT_EQ(d.adult.maximum_without_weight_mg, 800);
  EXPECT_FALSE(d.adult.twice_daily_allowed);
}

TEST(RealKnowledge, CardsCiteFittingSourcesAndOverrideReasons) {
  auto k = Real();
  ASSERT_NE(k, nullptr);
  auto has_reason = [&](const std::string& code, const std::string& reason) {
    for (const auto& r : k->cards.at(code).override_reasons)
      if (r.code == reason) return true;
    return false;
  };
  EXPECT_FALSE(has_reason("immunisation-pneumococcal", "switching-therapy"));
  EXPECT_FALSE(has_reason("immunisation-hib", "switching-therapy"));
  EXPECT_FALSE(has_reason("antibiotic-prophylaxis", "condition-resolved"));
  EXPECT_TRUE(has_reason("tnf-antagonist", "switching-therapy"));
  EXPECT_EQ(k->cards.at("immunisation-pneumococcal").source, "seed");
  EXPECT_EQ(k->cards.at("neutrophil-count").source, "eu-smpc");
  // A card's links never repeat its source, and every link is an absolute URL.
  for (const auto& [code, card] : k->cards)
    for (const auto& l : card.links) {
      EXPECT_NE(l, card.source) << code;
      EXPECT_EQ(k->sources.at(l).url.rfind("https://", 0), 0u) << code;
    }
  // Allowed indicator variants: a second anakinra order and an intolerance are warnings.
  const auto& il1 = k->cards.at("il1-blocker-duplication").indicators;
  EXPECT_NE(std::find(il1.begin(), il1.end(), "warning"), il1.end());
  const auto& ecoli = k->cards.at("ecoli-protein-hypersensitivity").indicators;
  EXPECT_NE(std::find(ecoli.begin(), ecoli.end(), "warning"), ecoli.end());
}

TEST(BrokenKnowledge, MisspeltValueSetNamesTheSet) {
  HooksCopy h;
  h.Replace("knowledge/codes.json", "\"egfr\":", "\"egrf\":");
  const std::string e = h.Load();
  EXPECT_NE(e.find("\"egfr\""), std::string::npos) << e;
  EXPECT_NE(e.find("value set"), std::string::npos) << e;
}

TEST(BrokenKnowledge, MissingNegationPhrases) {
  HooksCopy h;
  h.Replace("knowledge/codes.json", "\"negationPhrases\"", "\"negationPhrase\"");
  EXPECT_NE(h.Load().find("negationPhrases"), std::string::npos);
}

TEST(BrokenKnowledge, MisspeltSentenceNamesFileAndEntry) {
  HooksCopy h;
  h.Replace("cards.json", "\"found-low\":", "\"found-lwo\":");
  const std::string e = h.Load();
  EXPECT_NE(e.find("cards.json"), std::string::npos) << e;
  EXPECT_NE(e.find("cards.neutrophil-count.sentences.found-low"), std::string::npos) << e;
}

TEST(BrokenKnowledge, MisspeltSummaryVariant) {
  HooksCopy h;
  h.Replace("cards.json", "\"second-anakinra\":", "\"second-anakinr\":");
  EXPECT_NE(h.Load().find("cards.il1-blocker-duplication.summary.second-anakinra"),
            std::string::npos);
}

TEST(BrokenKnowledge, MisspeltLabel) {
  HooksCopy h;
  h.Replace("cards.json", "\"order-blood-count\":", "\"order-bloodcount\":");
  EXPECT_NE(h.Load().find("cards.neutrophil-count.labels.order-blood-count"), std::string::npos);
}

// The note a suggested vaccine order carries is card text: bound and checked at load.
TEST(BrokenKnowledge, VaccineOrderNoteIsRequiredCardText) {
  HooksCopy h;
  h.Replace("cards.json", "\"vaccine-note\":", "\"vaccine-notes\":");
  EXPECT_NE(h.Load().find("labels.vaccine-note is missing"), std::string::npos);
}

TEST(BrokenKnowledge, RecommendedSuggestionMustBeALabel) {
  HooksCopy h;
  h.Replace("cards.json", "\"recommended\": [\n        \"order-blood-count\"",
            "\"recommended\": [\n        \"order-bloodcount\"");
  EXPECT_NE(h.Load().find("cards.neutrophil-count.recommended: \"order-bloodcount\""),
            std::string::npos);
}

TEST(BrokenKnowledge, OverrideReasonSystemMustBeAnAbsoluteUri) {
  HooksCopy h;
  h.Replace("cards.json", "\"system\": \"http://terminology.hl7.org/",
            "\"system\": \"terminology.hl7.org/");
  EXPECT_NE(h.Load().find("is not an absolute URI"), std::string::npos);
}

TEST(BrokenKnowledge, UndeclaredPlaceholderNamesFileAndEntry) {
  HooksCopy h;
  h.Replace("cards.json", "Pregnancy on record: **{evidence}**.",
            "Pregnancy on record: **{evidense}**.");
  const std::string e = h.Load();
  EXPECT_NE(e.find("cards.json: cards.pregnancy.sentences.found"), std::string::npos) << e;
  EXPECT_NE(e.find("{evidense}"), std::string::npos) << e;
}

TEST(BrokenKnowledge, PlaceholderDeclaredForAnotherCardOnly) {
  HooksCopy h;  // {window} is declared for neutrophil-count and weight-required, not pregnancy
  h.Replace("cards.json", "Pregnancy on record: **{evidence}**.",
            "Pregnancy on record: **{evidence}** {window}.");
  EXPECT_NE(h.Load().find("{window}"), std::string::npos);
}

TEST(BrokenKnowledge, MisspeltBandNamesFileAndBand) {
  HooksCopy h;
  h.Replace("knowledge/dosing.json", "\"caps-dira\":", "\"caps-dria\":");
  const std::string e = h.Load();
  EXPECT_NE(e.find("dosing.json"), std::string::npos) << e;
  EXPECT_NE(e.find("bands.caps-dira"), std::string::npos) << e;
}

TEST(BrokenKnowledge, BandFieldMisspelt) {
  HooksCopy h;
  h.Replace("knowledge/dosing.json", "\"labelMaximum\": 8", "\"labelMaximun\": 8");
  const std::string e = h.Load();
  EXPECT_NE(e.find("bands.very-young-child"), std::string::npos) << e;
  EXPECT_NE(e.find("labelMaximun"), std::string::npos) << e;
}

TEST(BrokenKnowledge, NumberWithoutSource) {
  HooksCopy h;
  h.Replace("knowledge/dosing.json",
            "\"maxOneClickChange\": {\"value\": 0.5, \"source\": \"policy\",",
            "\"maxOneClickChange\": {\"value\": 0.5,");
  const std::string e = h.Load();
  EXPECT_NE(e.find("dosing.json: maxOneClickChange"), std::string::npos) << e;
}

TEST(BrokenKnowledge, MissingDosingNumber) {
  HooksCopy h;
  h.Replace("knowledge/dosing.json", "\"weightMaxAgeDaysVeryYoung\"",
            "\"weightMaxAgeDaysVeryYung\"");
  EXPECT_NE(h.Load().find("weightMaxAgeDaysVeryYoung"), std::string::npos);
}

TEST(BrokenKnowledge, UnknownIndicatorVariant) {
  HooksCopy h;
  h.Replace("cards.json", "\"indicators\": [\n        \"critical\",\n        \"warning\"",
            "\"indicators\": [\n        \"critical\",\n        \"warn\"");
  EXPECT_NE(h.Load().find("\"warn\""), std::string::npos);
}

TEST(BrokenKnowledge, LinkToUnknownSource) {
  HooksCopy h;
  h.Replace("cards.json", "\"lactmed\"", "\"lactmd\"");
  EXPECT_NE(h.Load().find("lactmd"), std::string::npos);
}

}  // namespace

namespace {

// The project's own policy has no public page: cards citing it carry no source.url, and it can
// never be a card's second source (a link needs a url).
TEST(BrokenKnowledge, LinkToASourceWithoutUrl) {
  HooksCopy h;
  h.Replace("cards.json", "\"lactmed\"", "\"policy\"");
  EXPECT_NE(h.Load().find("has no url"), std::string::npos);
}

}  // namespace
