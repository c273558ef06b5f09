// Unit tests of the v2 rules: facts are built directly (Order, PatientFacts, Treatment,
// DraftFacts) and RunRules is called; no FHIR reading, no HTTP. Assertions are on card codes,
// indicators, text keys, suggestion contents and NotChecked entries, never on prose.
#include "anakinra/rules.h"
#include "anakinra/card_writer.h"

#include "support/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace anakinra {
namespace {

constexpr fhir::EpochSeconds kDay = fhir::kSecondsPerDay;
constexpr fhir::EpochSeconds kNow = 1798761600;  // 2027-01-01T00:00:00Z

// The project's own hooks/ knowledge, loaded once.
const Knowledge& K() { return *testing_support::RealKnowledge(); }

std::shared_ptr<rapidjson::Document> Json(const std::string& text) {
  auto doc = std::make_shared<rapidjson::Document>();
  doc->Parse(text.c_str());
  return doc;
}

struct Line {
  std::optional<double> mg;
  std::optional<double> per_day = 1;
  std::string route;  // "" none, "sc", or a label such as "Intravenous route"
  std::vector<std::string> unreadable = {};
  std::optional<int> sequence = std::nullopt;
};

// A test case: the orders and the facts, built step by step, then run.
class Case {
 public:
  Case() {
    patient.reference_time = kNow;
    patient.coverage.fill(Coverage::kComplete);
    patient.patient_known = true;
    Age(40 * 12);
  }

  Case& Age(int months) { return AgeRange(months, months); }
  Case& AgeRange(int min_months, int max_months) {
    patient.birth_date = fhir::PartialDate{1990, 1, 1};
    patient.age = fhir::AgeRange{min_months, max_months};
    return *this;
  }
  Case& Weight(double kg) {
    patient.weight_kg = Measurement{kg, kNow - 5 * kDay, "Body weight"};
    return *this;
  }
  Case& Vaccinated() {
    patient.pneumococcal_vaccines.push_back({"PCV20", "2020-01-01"});
    patient.hib_vaccines.push_back({"Hib", "2020-01-01"});
    return *this;
  }
  Case& Neutrophils(double value, int days_ago) {
    patient.neutrophils = Measurement{value, kNow - days_ago * kDay, "Neutrophils"};
    return *this;
  }
  Case& Renal(double ml_min, bool egfr = false) {
    patient.renal_ml_min = Measurement{ml_min, kNow - 2 * kDay, egfr ? "eGFR" : "CrCl"};
    patient.renal_is_egfr = egfr;
    return *this;
  }
  Case& Continuation(int days_on) {
    treatment.phase = Phase::kContinuation;
    treatment.began = kNow - days_on * kDay;
    return *this;
  }
  // A complete, unremarkable record: vaccinated, recent normal count.
  Case& Complete() { return Vaccinated().Neutrophils(4.0, 3); }

  // The anakinra draft in focus, with its dosage lines (concurrent unless sequenced).
  Case& Anakinra(std::vector<Line> lines, const std::string& id = "a1") {
    std::string dosages;
    for (std::size_t i = 0; i < lines.size(); ++i)
      dosages += std::string(i ? "," : "") +
                 "{\"text\":\"line\",\"doseAndRate\":[{\"doseQuantity\":{\"value\":1}}]}";
    docs_.push_back(Json("{\"resourceType\":\"MedicationRequest\"," +
                         (id.empty() ? std::string() : "\"id\":\"" + id + "\",") +
                         "\"status\":\"draft\",\"intent\":\"order\",\"note\":[{\"text\":\"keep\"}],"
                         "\"dosageInstruction\":[" +
                         dosages + "]}"));
    Order o;
    o.resource = docs_.back().get();
    o.id = id;
    o.key = id.empty() ? "" : "MedicationRequest/" + id;
    o.label = "Kineret 100 mg/0.67 mL";
    o.drug = DrugClass::kAnakinra;
    o.status = "draft";
    o.draft = true;
    o.evaluated = true;
    o.dose_filled = true;
    std::map<int, std::vector<std::size_t>> by_sequence;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      DoseLine l;
      l.index = i;
      l.sequence = lines[i].sequence;
      l.dose_mg = lines[i].mg;
      l.dose_text = lines[i].mg ? std::to_string(*lines[i].mg) + " mg" : "?";
      l.frequency_given = lines[i].per_day.has_value();
      if (lines[i].per_day) l.frequency = fhir::TimingFrequency{*lines[i].per_day, "x"};
      l.has_route = !lines[i].route.empty();
      l.route_subcutaneous = lines[i].route == "sc";
      l.route_label = lines[i].route;
      l.unreadable = lines[i].unreadable;
      o.dose_lines.push_back(l);
      by_sequence[lines[i].sequence.value_or(0)].push_back(i);
    }
    for (auto& [seq, idx] : by_sequence) o.regimens.push_back(idx);
    orders.insert(orders.begin(), std::move(o));
    return *this;
  }
  Case& Dose(double mg, double per_day = 1) { return Anakinra({Line{mg, per_day, "sc"}}); }

  Case& Other(DrugClass drug, bool draft, const std::string& id, const std::string& label,
              bool evaluated = true) {
    Order o;
    o.id = id;
    o.key = "MedicationRequest/" + id;
    o.label = label;
    o.drug = drug;
    o.draft = draft;
    o.evaluated = draft && evaluated;
    o.status = draft ? "draft" : "active";
    docs_.push_back(Json("{\"resourceType\":\"MedicationRequest\",\"id\":\"" + id + "\"}"));
    o.resource = docs_.back().get();
    orders.push_back(std::move(o));
    return *this;
  }

  const std::vector<Finding>& Run() {
    std::vector<AnakinraInFocus> focus;
    for (const Order& o : orders)
      if (o.evaluated && o.drug == DrugClass::kAnakinra) focus.push_back({&o, &patient, treatment});
    RuleInput in{K(), orders, focus, &patient, drafts, hook, "p1"};
    not_checked.clear();
    findings = RunRules(in, not_checked);
    for (const Finding& f : findings) {
      EXPECT_EQ(CheckFinding(f, K()), "") << f.code;
      const cdshooks::Card card = WriteCard(f, K());
      EXPECT_LT(card.summary.size(), 140u) << card.summary;
      for (const auto& s : card.suggestions) EXPECT_LT(s.label.size(), 80u) << s.label;
    }
    return findings;
  }

  const Finding* Get(const std::string& code) const {
    for (const Finding& f : findings)
      if (f.code == code) return &f;
    return nullptr;
  }
  bool Has(const std::string& code) const { return Get(code) != nullptr; }
  std::vector<std::string> Codes() const {
    std::vector<std::string> out;
    for (const Finding& f : findings) out.push_back(f.code);
    return out;
  }
  bool NotCheckedHas(const std::string& check, const std::string& key) const {
    return std::any_of(not_checked.begin(), not_checked.end(),
                       [&](const NotChecked& n) { return n.check == check && n.key == key; });
  }
  std::string Indicator(const std::string& code) const {
    const Finding* f = Get(code);
    if (f == nullptr) return "none";
    return f->indicator.empty() ? K().cards.at(code).indicator : f->indicator;
  }

  PatientFacts patient;
  Treatment treatment;
  DraftFacts drafts;
  std::string hook = "order-sign";
  std::vector<Order> orders;
  std::vector<Finding> findings;
  std::vector<NotChecked> not_checked;

 private:
  std::vector<std::shared_ptr<rapidjson::Document>> docs_;
};

long Count(const Case& c, const std::string& code) {
  const std::vector<std::string> codes = c.Codes();
  return std::count(codes.begin(), codes.end(), code);
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The updated resource of a finding's only update suggestion.
const rapidjson::Document* Update(const Finding* f) {
  if (f == nullptr || f->suggestions.size() != 1) return nullptr;
  const auto& a = f->suggestions[0].actions;
  if (a.size() != 1 || a[0].type != "update") return nullptr;
  return a[0].resource.get();
}
double DoseOf(const rapidjson::Value& r, int entry = 0) {
  return r["dosageInstruction"][entry]["doseAndRate"][0]["doseQuantity"]["value"].GetDouble();
}
double PeriodOf(const rapidjson::Value& r, int entry = 0) {
  return r["dosageInstruction"][entry]["timing"]["repeat"]["period"].GetDouble();
}
std::string RouteOf(const rapidjson::Value& r, int entry = 0) {
  return r["dosageInstruction"][entry]["route"]["coding"][0]["code"].GetString();
}

const char* kDoseCodes[] = {"dose-above-maximum", "dose-above-range", "dose-below-range"};
bool AnyDoseCard(const Case& c) {
  return std::any_of(std::begin(kDoseCodes), std::end(kDoseCodes),
                     [&](const char* code) { return c.Has(code); });
}

// ---- typical orders: nothing to say ------------------------------------------------------------

TEST(Typical, AdultRaStartWithCompleteRecordsHasNoWarning) {
  Case c;
  c.Complete().Weight(70).Dose(100);
  c.Run();
  for (const Finding& f : c.findings) EXPECT_EQ(c.Indicator(f.code), "info") << f.code;
  EXPECT_TRUE(c.not_checked.empty());
}

TEST(Typical, RenewalAfterTwoYearsHasNoWarning) {
  Case c;
  c.Age(65 * 12).Weight(80).Continuation(730).Dose(100);
  c.Other(DrugClass::kAnakinra, false, "active-1", "Kineret");
  c.orders[0].renewal = true;
  c.orders[0].prior_prescription = "MedicationRequest/active-1";
  c.Run();
  EXPECT_TRUE(c.findings.empty()) << testing::PrintToString(c.Codes());
}

// ---- adult fixed dose ---------------------------------------------------------------------------

TEST(AdultDose, AboveRangeAtFiftyPercentKeepsTheSuggestion) {
  Case c;
  c.Complete().Weight(70).Dose(200);
  c.Run();
  ASSERT_TRUE(c.Has("dose-above-range"));
  const auto* r = Update(c.Get("dose-above-range"));
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(DoseOf(*r), 100);
  EXPECT_DOUBLE_EQ(PeriodOf(*r), 1);
  EXPECT_EQ(RouteOf(*r), "34206005");
  EXPECT_EQ((*r)["note"][0]["text"].GetString(), std::string("keep"));  // everything else kept
  EXPECT_EQ((*r)["id"].GetString(), std::string("a1"));
}

TEST(AdultDose, WarningBeyondTheOneClickLimitAsksForReview) {
  Case c;
  c.Complete().Weight(70).Dose(300);  // 300 -> 100 is a 67 % change
  c.Run();
  const Finding* f = c.Get("dose-above-range");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->suggestions.empty());
  EXPECT_TRUE(Contains(f->todo, "todo-review"));
}

TEST(AdultDose, MaximumIsEightMgPerKgWithAWeight) {
  for (auto [mg, code] : {std::pair{400.0, "dose-above-range"}, {410.0, "dose-above-maximum"}}) {
    Case c;
    c.Complete().Weight(50).Dose(mg);
    c.Run();
    EXPECT_TRUE(c.Has(code)) << mg;
  }
  Case crit;
  crit.Complete().Weight(50).Dose(1000);
  crit.Run();
  // Critical cards are exempt from the one-click limit.
  const auto* r = Update(crit.Get("dose-above-maximum"));
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(DoseOf(*r), 100);
}

TEST(AdultDose, WithoutWeightTheFixedMaximumIs800AndTheCardSaysSo) {
  Case at, above;
  at.Complete().Dose(800);
  above.Complete().Dose(810);
  at.Run();
  above.Run();
  EXPECT_TRUE(at.Has("dose-above-range"));
  EXPECT_FALSE(at.Has("dose-above-maximum"));
  ASSERT_TRUE(above.Has("dose-above-maximum"));
  EXPECT_TRUE(Contains(above.Get("dose-above-maximum")->notes, "mgkg-not-checked"));
  EXPECT_FALSE(above.Has("weight-required"));  // fixed-dose adults need no weight
}

TEST(AdultDose, BelowRange) {
  Case c;
  c.Complete().Weight(70).Dose(70);  // 70 -> 100 is a 43 % change
  c.Run();
  const auto* r = Update(c.Get("dose-below-range"));
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(DoseOf(*r), 100);
}

// ---- children
// -------------------------------------------------------------------------------------

TEST(ChildDose, ThresholdsOfTheChildBand) {
  struct {
    double mg;
    const char* code;
  } cases[] = {{19, "dose-below-range"},
               {20, ""},
               {60, ""},
               {61, "dose-above-range"},
               {160, "dose-above-range"},
               {161, "dose-above-maximum"}};
  for (const auto& t : cases) {
    Case c;
    c.Age(10 * 12).Weight(20).Complete().Dose(t.mg);
    c.Run();
    if (*t.code == 0)
      EXPECT_FALSE(AnyDoseCard(c)) << t.mg;
    else
      EXPECT_TRUE(c.Has(t.code)) << t.mg;
  }
}

TEST(ChildDose, ConcurrentLinesAddUpAndTheSuggestionReplacesBoth) {
  Case c;
  c.Age(8 * 12).Weight(25).Complete().Anakinra({Line{150, 1, "sc"}, Line{150, 1, "sc"}});
  c.Run();
  const auto* r = Update(c.Get("dose-above-maximum"));  // 300 mg = 12 mg/kg/day
  ASSERT_NE(r, nullptr);
  ASSERT_EQ((*r)["dosageInstruction"].Size(), 1u);
  EXPECT_DOUBLE_EQ(DoseOf(*r), 70);  // nearest multiple of 10 inside 25-75 mg
  EXPECT_EQ(c.Get("dose-above-maximum")->params.at("daily"), "300 mg/day");
}

TEST(ChildDose, SequencedLinesAreCheckedOneByOne) {
  Case c;
  c.Age(8 * 12).Weight(25).Complete().Anakinra(
      {Line{50, 1, "sc", {}, 1}, Line{50, 1, "sc", {}, 2}});
  c.Run();
  EXPECT_FALSE(AnyDoseCard(c));  // each 2 mg/kg/day
}

TEST(ChildDose, NoWeightGivesWeightRequiredAndNoDoseCard) {
  Case c;
  c.Age(10 * 12).Complete().Dose(500);
  c.Run();
  EXPECT_TRUE(c.Has("weight-required"));
  EXPECT_FALSE(AnyDoseCard(c));
}

TEST(ChildDose, ImplausibleWeightIsNamedNotCalledMissing) {
  Case c;
  c.Age(10 * 12).Complete().Dose(60);
  c.patient.weight_notes.push_back("weight 2000 kg on 2026-12-30 is implausible");
  c.Run();
  ASSERT_TRUE(c.Has("weight-required"));
  EXPECT_EQ(c.Get("weight-required")->found, std::vector<std::string>{"found-implausible"});
}

TEST(Neutrophils, ImplausibleCountIsNamedNotCalledMissing) {
  Case c;
  c.Weight(70).Vaccinated().Dose(100);
  c.patient.neutrophil_notes.push_back("neutrophils 900 x10^9/L is implausible");
  c.Run();
  ASSERT_TRUE(c.Has("neutrophil-count"));
  EXPECT_EQ(c.Get("neutrophil-count")->found, std::vector<std::string>{"found-implausible"});
}

TEST(ChildDose, IncompleteObservationsReportNotCheckedInsteadOfWeightRequired) {
  Case c;
  c.Age(10 * 12).Complete().Dose(100);
  c.patient.coverage[static_cast<std::size_t>(DataKey::kObservations)] = Coverage::kPartial;
  c.Run();
  EXPECT_FALSE(c.Has("weight-required"));
  EXPECT_TRUE(c.NotCheckedHas("weight-required", "observations"));
}

// Incomplete observations: a low CrCl/eGFR or a weight may be on an unread page, so the renal
// check and a fixed-dose adult's mg/kg maximum are reported as not checked (policy §0).
TEST(AdultDose, IncompleteObservationsReportRenalAndWeightNotChecked) {
  Case c;
  c.Age(40 * 12).Complete().Dose(100);
  c.patient.coverage[static_cast<std::size_t>(DataKey::kObservations)] = Coverage::kPartial;
  c.Run();
  EXPECT_FALSE(c.Has("weight-required"));
  EXPECT_FALSE(c.Has("renal-impairment"));
  EXPECT_TRUE(c.NotCheckedHas("renal-impairment", "observations"));
  EXPECT_TRUE(c.NotCheckedHas("weight-required", "observations"));
}

TEST(AdultDose, CompleteObservationsReportNothingNotChecked) {
  Case c;
  c.Age(40 * 12).Complete().Dose(100);
  c.Run();
  EXPECT_FALSE(c.NotCheckedHas("renal-impairment", "observations"));
  EXPECT_FALSE(c.NotCheckedHas("weight-required", "observations"));
}

TEST(ChildDose, RoundingFallsBackToWholeMilligrams) {
  Case c;  // 3 kg, 2 years: usual 3-9 mg; no multiple of 10 fits
  c.Age(3 * 12).Weight(3).Complete().Dose(15);
  c.Run();
  const auto* r = Update(c.Get("dose-above-range"));
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(DoseOf(*r), 9);
}

TEST(VeryYoungChild, EightToTenIsAWarningAboveTheLabel) {
  struct {
    double mg;
    const char* code;
    const char* summary;
  } cases[] = {{9, "dose-below-range", "default"},
               {10, "", ""},
               {60, "", ""},
               {80, "", ""},
               {90, "dose-above-range", "above-label"},
               {100, "dose-above-range", "above-label"},
               {101, "dose-above-maximum", "default"}};
  for (const auto& t : cases) {
    Case c;
    c.Age(12).Weight(10).Complete().Dose(t.mg);
    c.Run();
    if (*t.code == 0) {
      EXPECT_FALSE(AnyDoseCard(c)) << t.mg;
      continue;
    }
    ASSERT_TRUE(c.Has(t.code)) << t.mg;
    EXPECT_EQ(c.Get(t.code)->summary, t.summary) << t.mg;
  }
}

TEST(VeryYoungChild, CapsIsCheckedAsVeryYoungFirst) {
  Case c;
  c.Age(12).Weight(10).Complete().Dose(90);
  c.patient.caps.push_back({"NOMID", ""});
  c.Run();
  EXPECT_EQ(c.Indicator("dose-above-range"), "warning");  // not the CAPS maximum of 8
  EXPECT_TRUE(c.Has("caps-lifelong"));
}

TEST(VeryYoungChild, WeightWindowIsThePatientsAndSuggestionNeverAbove8) {
  Case c;
  c.Age(12).Weight(10).Complete().Dose(150);  // 15 mg/kg: critical
  c.Run();
  const auto* r = Update(c.Get("dose-above-maximum"));
  ASSERT_NE(r, nullptr);
  EXPECT_LE(DoseOf(*r), 80);
}

TEST(VeryYoungChild, ProphylaxisAndItsThreshold) {
  Case young, two;
  young.Age(23).Weight(10).Complete().Dose(50);
  two.Age(24).Weight(12).Complete().Dose(30);
  young.Run();
  two.Run();
  EXPECT_TRUE(young.Has("antibiotic-prophylaxis"));
  EXPECT_FALSE(two.Has("antibiotic-prophylaxis"));
}

TEST(VeryYoungChild, ProphylaxisClearedByADraftAntibacterialAndAlsoAtContinuation) {
  Case drafted, cont;
  drafted.Age(12).Weight(10).Complete().Dose(50);
  drafted.Other(DrugClass::kAntibacterial, true, "amox", "Amoxicillin");
  cont.Age(12).Weight(10).Complete().Continuation(60).Dose(50);
  drafted.Run();
  cont.Run();
  EXPECT_FALSE(drafted.Has("antibiotic-prophylaxis"));
  EXPECT_TRUE(cont.Has("antibiotic-prophylaxis"));
}

TEST(VeryYoungChild, ProphylaxisNeedsCompleteMedications) {
  Case c;
  c.Age(12).Weight(10).Complete().Dose(50);
  c.patient.coverage[static_cast<std::size_t>(DataKey::kMedications)] = Coverage::kPartial;
  c.Run();
  EXPECT_FALSE(c.Has("antibiotic-prophylaxis"));
  EXPECT_TRUE(c.NotCheckedHas("antibiotic-prophylaxis", "medications"));
}

// ---- partial birth dates ---------------------------------------------------------------------

TEST(PartialBirthDate, LeastSevereBandIsReported) {
  Case range, adult;
  range.AgeRange(17 * 12 + 6, 18 * 12 + 5).Weight(70).Complete().Dose(150);  // child 2.1 mg/kg
  adult.Age(18 * 12 + 5).Weight(70).Complete().Dose(150);
  range.Run();
  adult.Run();
  EXPECT_FALSE(AnyDoseCard(range));
  EXPECT_TRUE(adult.Has("dose-above-range"));
}

TEST(PartialBirthDate, YoungestPossibleAgeTriggersProphylaxisWithANote) {
  Case c;
  c.AgeRange(20, 31).Weight(11).Complete().Dose(40);
  c.Run();
  ASSERT_TRUE(c.Has("antibiotic-prophylaxis"));
  EXPECT_TRUE(Contains(c.Get("antibiotic-prophylaxis")->notes, "birth-date-incomplete"));
}

// ---- indications ----------------------------------------------------------------------------

TEST(CapsDira, AdultAtFourMgPerKgIsWithinTheLabel) {
  Case c;
  c.Weight(70).Complete().Dose(280);
  c.patient.caps.push_back({"Neonatal-onset multisystem inflammatory disease", ""});
  c.Run();
  EXPECT_FALSE(AnyDoseCard(c));
  EXPECT_TRUE(c.Has("caps-lifelong"));
}

TEST(CapsDira, OnlyBelowRangeAndAboveMaximum) {
  for (auto [mg, code] : {std::pair{560.0, ""},
                          {570.0, "dose-above-maximum"},
                          {69.0, "dose-below-range"},
                          {70.0, ""}}) {
    Case c;
    c.Weight(70).Complete().Dose(mg);
    c.patient.dira.push_back({"DIRA", ""});
    c.Run();
    if (*code == 0)
      EXPECT_FALSE(AnyDoseCard(c)) << mg;
    else
      EXPECT_TRUE(c.Has(code)) << mg;
  }
}

TEST(CapsDira, TwiceDailySplitIsAllowedOnlyThere) {
  Case caps, ra;
  caps.Weight(70).Complete().Dose(140, 2);
  caps.patient.caps.push_back({"NOMID", ""});
  ra.Weight(70).Complete().Dose(50, 2);
  caps.Run();
  ra.Run();
  EXPECT_FALSE(caps.Has("dose-frequency"));
  ASSERT_TRUE(ra.Has("dose-frequency"));
  const auto* r = Update(ra.Get("dose-frequency"));
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(DoseOf(*r), 100);  // the same daily amount once daily
  EXPECT_DOUBLE_EQ(PeriodOf(*r), 1);
}

TEST(CapsDira, AdultWithoutWeightNeedsOne) {
  Case c;
  c.Complete().Dose(100);
  c.patient.caps.push_back({"Muckle-Wells syndrome", ""});
  c.Run();
  EXPECT_TRUE(c.Has("weight-required"));
  EXPECT_EQ(c.Get("weight-required")->found, std::vector<std::string>{"found-adult-indication"});
}

TEST(StillsFmf, WeightBasedUnder50AndFixedFrom50) {
  struct {
    double kg, mg;
    const char* code;
  } cases[] = {{40, 160, ""}, {40, 170, "dose-above-range"}, {40, 330, "dose-above-maximum"},
               {50, 100, ""}, {50, 150, "dose-above-range"}, {49.9, 100, ""}};
  for (const auto& t : cases) {
    Case c;
    c.Age(14 * 12).Weight(t.kg).Complete().Dose(t.mg);
    c.patient.stills.push_back({"Systemic JIA", ""});
    c.Run();
    if (*t.code == 0)
      EXPECT_FALSE(AnyDoseCard(c)) << t.kg << " " << t.mg;
    else
      EXPECT_TRUE(c.Has(t.code)) << t.kg << " " << t.mg;
  }
  Case fmf;
  fmf.Weight(40).Complete().Dose(170);
  fmf.patient.fmf.push_back({"FMF", ""});
  fmf.Run();
  ASSERT_TRUE(fmf.Has("dose-above-range"));
  EXPECT_TRUE(Contains(fmf.Get("dose-above-range")->notes, "unverified-band"));
  EXPECT_EQ(fmf.Get("dose-above-range")->source, "eu-smpc");
}

TEST(Indication, OffLabelFromConditionsAndNotForUnspecifiedJia) {
  Case off, jia;
  off.Weight(70).Complete().Dose(100);
  off.patient.off_label.push_back({"Hidradenitis suppurativa", ""});
  jia.Age(10 * 12).Weight(30).Complete().Dose(60);
  jia.patient.unspecified_jia = true;
  off.Run();
  jia.Run();
  EXPECT_TRUE(off.Has("off-label-indication"));
  EXPECT_FALSE(jia.Has("off-label-indication"));
}

TEST(Indication, ReasonComesFirstAndUnspecifiedJiaIsNoProof) {
  auto jia = Json(R"({"coding":[{"system":"http://snomed.info/sct","code":"410502007"}],
                      "text":"Juvenile idiopathic arthritis"})");
  auto gout = Json(R"({"text":"Gout"})");
  auto negated = Json(R"({"text":"No gout"})");
  for (auto [concept_doc, fires] :
       {std::pair{jia.get(), false}, {gout.get(), true}, {negated.get(), false}}) {
    Case c;
    c.Age(12 * 12).Weight(40).Complete().Dose(80);
    c.patient.ra.push_back({"Rheumatoid arthritis", ""});  // ignored: the reason comes first
    c.orders[0].reasons.push_back(concept_doc);
    c.Run();
    EXPECT_EQ(c.Has("off-label-indication"), fires);
  }
}

// ---- frequency, route, unreadable doses --------------------------------------------------------

// A warning dose card that asks for review (the one-click limit) is not undone by dose-frequency:
// 150 mg twice daily (300 mg/day, +200 % to 100 mg) gets no one-click change on either card.
TEST(Frequency, DoseCardAskingForReviewLeavesDoseFrequencyWithoutAnUpdate) {
  Case c;
  c.Weight(70).Complete().Dose(150, 2);
  c.Run();
  ASSERT_TRUE(c.Has("dose-above-range"));
  EXPECT_TRUE(c.Get("dose-above-range")->suggestions.empty());
  ASSERT_TRUE(c.Has("dose-frequency"));
  EXPECT_TRUE(c.Get("dose-frequency")->suggestions.empty());
  EXPECT_EQ(c.Get("dose-frequency")->todo, std::vector<std::string>{"todo-see-dose-review"});
}

// With renal impairment and no frequency, the renal card carries the every-other-day update;
// dose-frequency never offers a conflicting once-daily one.
TEST(Frequency, NoFrequencyWithRenalImpairmentPointsToTheRenalCard) {
  Case c;
  c.Weight(70).Renal(20).Complete().Anakinra({Line{100, std::nullopt, "sc"}});
  c.Run();
  ASSERT_TRUE(c.Has("dose-frequency"));
  EXPECT_TRUE(c.Get("dose-frequency")->suggestions.empty());
  EXPECT_EQ(c.Get("dose-frequency")->todo, std::vector<std::string>{"todo-see-renal-card"});
  ASSERT_TRUE(c.Has("renal-impairment"));
  const auto* r = Update(c.Get("renal-impairment"));
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(PeriodOf(*r), 2);
}

TEST(Frequency, NoFrequencyStillChecksTheSingleDoseAgainstTheMaximum) {
  Case high, normal;
  high.Complete().Anakinra({Line{900, std::nullopt, "sc"}});
  normal.Complete().Anakinra({Line{100, std::nullopt, "sc"}});
  high.Run();
  normal.Run();
  ASSERT_TRUE(high.Has("dose-above-maximum"));
  EXPECT_TRUE(Contains(high.Get("dose-above-maximum")->found, "found-no-frequency"));
  EXPECT_FALSE(AnyDoseCard(normal));
  ASSERT_TRUE(normal.Has("dose-frequency"));
  EXPECT_EQ(normal.Get("dose-frequency")->summary, "no-frequency");
  const auto* r = Update(normal.Get("dose-frequency"));
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(PeriodOf(*r), 1);
}

TEST(Frequency, EveryOtherDayWithoutRenalImpairmentCountsHalf) {
  Case c;
  c.Weight(70).Complete().Dose(200, 0.5);  // 100 mg/day
  c.Run();
  EXPECT_FALSE(AnyDoseCard(c));
  EXPECT_TRUE(c.Has("dose-frequency"));
}

TEST(Route, IntravenousRouteIsNamedOnce) {
  Case c;
  c.Weight(70).Complete().Anakinra({Line{100, 1, "Intravenous route"}});
  c.Run();
  const Finding* f = c.Get("dose-frequency");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->params.at("route"), "Intravenous");
  EXPECT_EQ(f->summary, "route");
  const auto* r = Update(f);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(RouteOf(*r), "34206005");
}

TEST(DoseNotChecked, UnreadableDoseListsWhatAndKeepsOtherCards) {
  Case c;
  c.Weight(70).Complete().Anakinra({Line{std::nullopt, 1, "sc", {"dose unit {syringe}"}}});
  c.Other(DrugClass::kTnfAntagonist, false, "ada", "Adalimumab");
  c.Run();
  ASSERT_TRUE(c.Has("dose-not-checked"));
  EXPECT_EQ(c.Get("dose-not-checked")->params.at("unreadable"), "dose unit {syringe}");
  EXPECT_FALSE(AnyDoseCard(c));
  EXPECT_TRUE(c.Has("tnf-antagonist"));
}

TEST(DoseNotChecked, OrderSelectWithoutDoseGetsNoDoseCards) {
  Case c;
  c.hook = "order-select";
  c.Weight(70).Complete().Anakinra({Line{std::nullopt, std::nullopt, "", {"no dose"}}});
  c.orders[0].dose_filled = false;
  c.Run();
  EXPECT_FALSE(c.Has("dose-not-checked"));
  EXPECT_FALSE(c.Has("dose-frequency"));
  EXPECT_FALSE(AnyDoseCard(c));
}

TEST(DoseNotChecked, OrderSignWithoutDoseIsReported) {
  Case c;
  c.Weight(70).Complete().Anakinra({});
  c.orders[0].dose_filled = false;
  c.Run();
  ASSERT_TRUE(c.Has("dose-not-checked"));
  EXPECT_EQ(c.Get("dose-not-checked")->found, std::vector<std::string>{"found-no-dose"});
}

TEST(DraftWithoutId, NoUpdateAndTheCardSaysWhy) {
  Case c;
  c.Weight(70).Complete().Anakinra({Line{200, 1, "sc"}}, "");
  c.Run();
  const Finding* f = c.Get("dose-above-range");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->suggestions.empty());
  EXPECT_TRUE(Contains(f->notes, "no-id-update"));
}

TEST(PatientData, NoBirthDateMeansNoDoseCheck) {
  Case c;
  c.Complete().Dose(1000);
  c.patient.birth_date.reset();
  c.patient.age.reset();
  c.Run();
  EXPECT_TRUE(c.Has("patient-data-missing"));
  EXPECT_FALSE(AnyDoseCard(c));
  Case missing;
  missing.Complete().Dose(1000);
  missing.patient.patient_known = false;
  missing.patient.birth_date.reset();
  missing.patient.age.reset();
  missing.patient.coverage[static_cast<std::size_t>(DataKey::kPatient)] = Coverage::kMissing;
  missing.Run();
  EXPECT_FALSE(missing.Has("patient-data-missing"));
  EXPECT_TRUE(missing.NotCheckedHas("dose", "patient"));
}

// ---- renal ------------------------------------------------------------------------------------

TEST(Renal, ThresholdAndCombinedUpdate) {
  Case at;
  at.Weight(70).Complete().Renal(30).Dose(100);
  at.Run();
  EXPECT_FALSE(at.Has("renal-impairment"));

  Case c;  // CrCl 20 and 200 mg daily: one update, 100 mg every other day
  c.Weight(70).Complete().Renal(20).Dose(200);
  c.Run();
  const auto* r = Update(c.Get("dose-above-range"));
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(DoseOf(*r), 100);
  EXPECT_DOUBLE_EQ(PeriodOf(*r), 2);
  ASSERT_TRUE(c.Has("renal-impairment"));
  EXPECT_TRUE(c.Get("renal-impairment")->suggestions.empty());
  EXPECT_EQ(c.Get("renal-impairment")->todo, std::vector<std::string>{"todo-see-dose-card"});
}

TEST(Renal, SuppressedForACorrectEveryOtherDayOrder) {
  Case c;
  c.Weight(70).Complete().Renal(20).Dose(100, 0.5);
  c.Run();
  EXPECT_FALSE(c.Has("renal-impairment"));
  EXPECT_FALSE(c.Has("dose-frequency"));
  EXPECT_FALSE(AnyDoseCard(c));
}

TEST(Renal, EveryOtherDayChecksThePerDoseAmount) {
  Case c;
  c.Weight(70).Complete().Renal(20).Dose(300, 0.5);  // 300 mg per dose
  c.Run();
  EXPECT_TRUE(c.Has("dose-above-range"));
  EXPECT_TRUE(c.Has("renal-impairment"));
}

TEST(Renal, OnceDailyInRangeGetsTheEveryOtherDayChange) {
  Case c;
  c.Weight(70).Complete().Renal(12, true).Dose(100);
  c.Run();
  const auto* r = Update(c.Get("renal-impairment"));
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(DoseOf(*r), 100);
  EXPECT_DOUBLE_EQ(PeriodOf(*r), 2);
  EXPECT_TRUE(Contains(c.Get("renal-impairment")->notes, "egfr-normalised"));
  EXPECT_FALSE(AnyDoseCard(c));
}

TEST(Renal, WhenTheLimitRemovesTheCombinedUpdateTheRenalCardCarriesQodAlone) {
  Case c;
  c.Weight(70).Complete().Renal(20).Dose(400);  // 400 -> 100 is 75 %
  c.Run();
  ASSERT_TRUE(c.Has("dose-above-range"));
  EXPECT_TRUE(c.Get("dose-above-range")->suggestions.empty());
  const auto* r = Update(c.Get("renal-impairment"));
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(DoseOf(*r), 400);
  EXPECT_DOUBLE_EQ(PeriodOf(*r), 2);
}

TEST(Renal, ConditionAlsoCounts) {
  Case c;
  c.Weight(70).Complete().Dose(100);
  c.patient.renal_conditions.push_back({"End-stage renal disease", ""});
  c.Run();
  EXPECT_TRUE(c.Has("renal-impairment"));
}

// ---- prerequisites and monitoring --------------------------------------------------------------

TEST(Immunisation, OnlyAtAStartAndClearedByDrafts) {
  Case start;
  start.Weight(70).Neutrophils(4, 3).Dose(100);
  start.Run();
  ASSERT_TRUE(start.Has("immunisation-pneumococcal"));
  ASSERT_TRUE(start.Has("immunisation-hib"));
  const auto& s = start.Get("immunisation-pneumococcal")->suggestions;
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].actions[0].type, "create");
  EXPECT_EQ(start.Get("immunisation-hib")->why, std::vector<std::string>{"why-adult"});

  Case cont;
  cont.Weight(70).Neutrophils(4, 3).Continuation(400).Dose(100);
  cont.Run();
  EXPECT_FALSE(cont.Has("immunisation-pneumococcal"));
  EXPECT_FALSE(cont.Has("immunisation-hib"));

  Case drafted;
  drafted.Weight(70).Neutrophils(4, 3).Dose(100);
  drafted.drafts.pneumococcal_vaccine = true;
  drafted.drafts.hib_vaccine = true;
  drafted.Run();
  EXPECT_FALSE(drafted.Has("immunisation-pneumococcal"));
  EXPECT_FALSE(drafted.Has("immunisation-hib"));
}

TEST(Immunisation, AdultCardsDoNotCiteTheChildrensSection) {
  Case adult, child;
  adult.Weight(70).Neutrophils(4, 3).Dose(100);
  child.Age(12).Weight(10).Neutrophils(4, 3).Dose(50);
  adult.Run();
  child.Run();
  ASSERT_TRUE(adult.Has("immunisation-hib"));
  ASSERT_TRUE(child.Has("immunisation-hib"));
  EXPECT_NE(adult.Get("immunisation-hib")->section, child.Get("immunisation-hib")->section);
  EXPECT_EQ(child.Get("immunisation-hib")->why, std::vector<std::string>{"why-child"});
}

TEST(Immunisation, IncompleteRecordIsNotChecked) {
  Case c;
  c.Weight(70).Neutrophils(4, 3).Dose(100);
  c.patient.coverage[static_cast<std::size_t>(DataKey::kImmunizations)] = Coverage::kPartial;
  c.Run();
  EXPECT_FALSE(c.Has("immunisation-pneumococcal"));
  EXPECT_TRUE(c.NotCheckedHas("immunisation-pneumococcal", "immunizations"));
  EXPECT_TRUE(c.NotCheckedHas("immunisation-hib", "immunizations"));
}

TEST(Neutrophils, LowThresholdInEveryPhase) {
  for (auto [value, fires] : {std::pair{1.49, true}, {1.5, false}}) {
    Case c;
    c.Weight(70).Vaccinated().Neutrophils(value, 3).Dose(100);
    c.Run();
    EXPECT_EQ(c.Has("neutrophil-count"), fires) << value;
    if (fires) {
      EXPECT_EQ(c.Get("neutrophil-count")->summary, "low");
    }
  }
  Case late;  // after 12 months no count is due, but a low count still speaks
  late.Weight(70).Neutrophils(1.0, 200).Continuation(800).Dose(100);
  late.Other(DrugClass::kAnakinra, false, "active-1", "Kineret");
  late.orders[0].renewal = true;
  late.Run();
  ASSERT_TRUE(late.Has("neutrophil-count"));
  EXPECT_EQ(late.Get("neutrophil-count")->summary, "low");
}

TEST(Neutrophils, StartWindowIs30Days) {
  for (auto [days, fires] : {std::pair{30, false}, {31, true}}) {
    Case c;
    c.Weight(70).Vaccinated().Neutrophils(4, days).Dose(100);
    c.Run();
    EXPECT_EQ(c.Has("neutrophil-count"), fires) << days;
    if (!fires) continue;
    const Finding* f = c.Get("neutrophil-count");
    EXPECT_EQ(f->summary, "missing-start");
    ASSERT_EQ(f->suggestions.size(), 1u);
    const auto& res = *f->suggestions[0].actions[0].resource;
    EXPECT_EQ(std::string(res["code"]["coding"][0]["code"].GetString()), "57021-8");
  }
}

TEST(Neutrophils, ContinuationWindowsByMonth) {
  struct {
    int days_on, count_age;
    bool fires;
  } cases[] = {
      {60, 29, false}, {60, 40, true}, {180, 80, false}, {180, 100, true}, {400, 300, false}};
  for (const auto& t : cases) {
    Case c;
    c.Weight(70).Neutrophils(4, t.count_age).Continuation(t.days_on).Dose(100);
    c.Run();
    EXPECT_EQ(c.Has("neutrophil-count"), t.fires) << t.days_on << " " << t.count_age;
  }
  Case unknown_start;  // unknown start: start windows
  unknown_start.Weight(70).Neutrophils(4, 40).Dose(100);
  unknown_start.treatment.phase = Phase::kContinuation;
  unknown_start.Run();
  EXPECT_TRUE(unknown_start.Has("neutrophil-count"));
}

TEST(Neutrophils, OldLowCountIsNamedAndDraftClearsOnlyTheMissingCard) {
  Case old;
  old.Weight(70).Vaccinated().Neutrophils(1.2, 60).Dose(100);
  old.Run();
  ASSERT_TRUE(old.Has("neutrophil-count"));
  EXPECT_EQ(old.Get("neutrophil-count")->found, std::vector<std::string>{"found-old-low"});

  Case drafted;
  drafted.Weight(70).Vaccinated().Dose(100);
  drafted.drafts.blood_count = true;
  drafted.Run();
  EXPECT_FALSE(drafted.Has("neutrophil-count"));

  Case low;
  low.Weight(70).Vaccinated().Neutrophils(1.0, 2).Dose(100);
  low.drafts.blood_count = true;
  low.Run();
  EXPECT_TRUE(low.Has("neutrophil-count"));
}

TEST(Neutrophils, IncompleteObservationsAreNotChecked) {
  Case c;
  c.Weight(70).Vaccinated().Dose(100);
  c.patient.coverage[static_cast<std::size_t>(DataKey::kObservations)] = Coverage::kPartial;
  c.Run();
  EXPECT_FALSE(c.Has("neutrophil-count"));
  EXPECT_TRUE(c.NotCheckedHas("neutrophil-count", "observations"));
}

// ---- interactions -----------------------------------------------------------------------------

TEST(Tnf, ActiveOrOnHoldIsCriticalWithOneSuggestion) {
  Case c;
  c.Weight(70).Complete().Dose(100);
  c.Other(DrugClass::kTnfAntagonist, false, "ada", "Adalimumab");
  c.orders.back().status = "on-hold";
  c.Run();
  const Finding* f = c.Get("tnf-antagonist");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(c.Indicator("tnf-antagonist"), "critical");
  ASSERT_EQ(f->suggestions.size(), 1u);
  EXPECT_EQ(f->suggestions[0].actions[0].type, "delete");
  EXPECT_EQ(f->suggestions[0].actions[0].resource_id, "MedicationRequest/a1");
}

TEST(Tnf, DraftPairOffersEitherRemoval) {
  Case c;
  c.Weight(70).Complete().Dose(100);
  c.Other(DrugClass::kTnfAntagonist, true, "eta", "Etanercept");
  c.Run();
  const Finding* f = c.Get("tnf-antagonist");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->suggestions.size(), 2u);
  EXPECT_EQ(f->selection_behavior, "at-most-one");
  EXPECT_EQ(f->suggestions[1].actions[0].resource_id, "MedicationRequest/eta");
  // The TNF draft in focus does not get a second card for the same pair.
  EXPECT_EQ(Count(c, "tnf-antagonist"), 1);
}

TEST(Tnf, PresenceRuleRunsOnPartialMedicationsAndSaysSo) {
  Case c;
  c.Weight(70).Complete().Dose(100);
  c.Other(DrugClass::kTnfAntagonist, false, "ada", "Adalimumab");
  c.patient.coverage[static_cast<std::size_t>(DataKey::kMedications)] = Coverage::kPartial;
  c.Run();
  EXPECT_TRUE(c.Has("tnf-antagonist"));
  EXPECT_TRUE(c.NotCheckedHas("interactions", "medications"));
}

TEST(Il1, CanakinumabIsCriticalSecondAnakinraAWarningRenewalNothing) {
  Case cana;
  cana.Weight(70).Complete().Dose(100);
  cana.Other(DrugClass::kIl1Blocker, false, "can", "Canakinumab");
  cana.Run();
  EXPECT_EQ(cana.Indicator("il1-blocker-duplication"), "critical");

  Case second;
  second.Weight(70).Complete().Continuation(100).Dose(100);
  second.Other(DrugClass::kAnakinra, false, "active-1", "Kineret");
  second.Run();
  ASSERT_TRUE(second.Has("il1-blocker-duplication"));
  EXPECT_EQ(second.Indicator("il1-blocker-duplication"), "warning");
  EXPECT_EQ(second.Get("il1-blocker-duplication")->summary, "second-anakinra");
  ASSERT_EQ(second.Get("il1-blocker-duplication")->suggestions.size(), 1u);
  EXPECT_EQ(second.Get("il1-blocker-duplication")->suggestions[0].actions[0].resource_id,
            "MedicationRequest/a1");

  for (bool renewal : {true, false}) {
    Case r;
    r.Weight(70).Complete().Continuation(100).Dose(100, 1);
    r.Other(DrugClass::kAnakinra, false, renewal ? "active-1" : "a1", "Kineret");
    if (renewal) r.orders[0].renewal = true;  // else: same id, a revision
    if (!renewal) r.orders[0].revision = true;
    r.Run();
    EXPECT_FALSE(r.Has("il1-blocker-duplication")) << renewal;
  }
}

TEST(Il1, TwoAnakinraDraftsGiveOneCard) {
  Case c;
  c.Weight(70).Neutrophils(4, 3).Dose(100);
  c.Anakinra({Line{100, 1, "sc"}}, "a2");
  c.Run();
  EXPECT_EQ(Count(c, "il1-blocker-duplication"), 1);
  EXPECT_EQ(Count(c, "immunisation-hib"), 1);
}

TEST(LiveVaccine, DraftOrActive) {
  for (bool draft : {true, false}) {
    Case c;
    c.Weight(70).Complete().Dose(100);
    c.Other(DrugClass::kLiveVaccine, draft, "mmr", "MMR II");
    c.Run();
    ASSERT_TRUE(c.Has("live-vaccine")) << draft;
    EXPECT_EQ(c.Get("live-vaccine")->suggestions.size(), draft ? 1u : 0u);
  }
}

TEST(Reverse, InteractingDraftWithAnakinraActive) {
  Case c;
  c.Other(DrugClass::kAnakinra, false, "active-1", "Kineret");
  c.Other(DrugClass::kTnfAntagonist, true, "inf", "Infliximab");
  c.Other(DrugClass::kIl1Blocker, true, "ril", "Rilonacept");
  c.Other(DrugClass::kLiveVaccine, true, "yf", "Yellow fever vaccine");
  c.Run();
  for (const char* code : {"tnf-antagonist", "il1-blocker-duplication", "live-vaccine"}) {
    const Finding* f = c.Get(code);
    ASSERT_NE(f, nullptr) << code;
    EXPECT_EQ(f->summary, "reverse");
    ASSERT_EQ(f->suggestions.size(), 1u);
    EXPECT_EQ(f->suggestions[0].actions[0].type, "delete");
  }
  EXPECT_EQ(c.Indicator("il1-blocker-duplication"), "critical");
  Case none;
  none.Other(DrugClass::kTnfAntagonist, true, "inf", "Infliximab");
  none.patient.coverage[static_cast<std::size_t>(DataKey::kMedications)] = Coverage::kMissing;
  none.Run();
  EXPECT_TRUE(none.findings.empty());
  EXPECT_TRUE(none.NotCheckedHas("tnf-antagonist", "medications"));
}

// order-select with only the TNF antagonist selected while anakinra is also a draft: the patient
// is not on anakinra yet; either draft may be removed (at most one).
TEST(Reverse, InteractingDraftWithAnakinraDraftNotSelected) {
  Case c;
  c.hook = "order-select";
  c.Other(DrugClass::kAnakinra, true, "ana", "Kineret", /*evaluated=*/false);
  c.Other(DrugClass::kTnfAntagonist, true, "ada", "Adalimumab");
  c.Run();
  const Finding* f = c.Get("tnf-antagonist");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->found, std::vector<std::string>{"found-reverse-draft"});
  ASSERT_EQ(f->suggestions.size(), 2u);
  EXPECT_EQ(f->suggestions[0].actions[0].resource_id, "MedicationRequest/ada");
  EXPECT_EQ(f->suggestions[1].actions[0].resource_id, "MedicationRequest/ana");
  EXPECT_EQ(f->selection_behavior, "at-most-one");
}

// ---- allergy and conditions --------------------------------------------------------------------

TEST(Allergy, CriticalAndIntoleranceAWarning) {
  Case c, tol;
  c.Weight(70).Complete().Dose(100);
  c.patient.ecoli_allergy.push_back({{"E. coli protein", ""}, false});
  tol.Weight(70).Complete().Dose(100);
  tol.patient.ecoli_allergy.push_back({{"Kineret", ""}, true});
  c.Run();
  tol.Run();
  EXPECT_EQ(c.Indicator("ecoli-protein-hypersensitivity"), "critical");
  EXPECT_EQ(tol.Indicator("ecoli-protein-hypersensitivity"), "warning");
  EXPECT_EQ(c.Get("ecoli-protein-hypersensitivity")->suggestions.size(), 1u);
}

TEST(Conditions, PatientLevelCards) {
  Case c;
  c.Weight(70).Complete().Dose(100);
  c.patient.serious_infection.push_back({"Sepsis", "2026-12-20"});
  c.patient.immunosuppression.push_back({"Immunodeficiency", ""});
  c.patient.hepatic.push_back({"Hepatic failure", ""});
  c.patient.pregnancy.push_back({"Pregnant", ""});
  c.patient.breastfeeding.push_back({"Breast-feeding", ""});
  c.Run();
  for (const char* code : {"active-infection", "immunosuppression-chronic-infection",
                           "hepatic-impairment", "pregnancy", "breastfeeding"})
    EXPECT_TRUE(c.Has(code)) << code;
  EXPECT_EQ(c.Get("breastfeeding")->subject, "");
}

// ---- card writing of real findings ------------------------------------------------------------

TEST(Cards, NoFhirIdsInProseAndSourceNotRepeated) {
  Case c;
  c.Weight(70).Renal(20).Dose(200);
  c.Other(DrugClass::kTnfAntagonist, true, "tnf-xyz-123", "Etanercept");
  c.orders[0].id = "order-abc-987";
  c.orders[0].key = "MedicationRequest/order-abc-987";
  c.Run();
  ASSERT_FALSE(c.findings.empty());
  for (const Finding& f : c.findings) {
    const cdshooks::Card card = WriteCard(f, K());
    for (const std::string* text : {&card.summary, &card.detail}) {
      EXPECT_EQ(text->find("order-abc-987"), std::string::npos) << f.code;
      EXPECT_EQ(text->find("tnf-xyz-123"), std::string::npos) << f.code;
      EXPECT_EQ(text->find("MedicationRequest/"), std::string::npos) << f.code;
      EXPECT_EQ(text->find("Source:"), std::string::npos) << f.code;
    }
  }
}

}  // namespace
}  // namespace anakinra
