// The clinical knowledge the rules read: value sets, dosing thresholds, sources and card texts.
//
// Everything comes from JSON files under hooks/ and is checked once at load: a missing value set,
// a threshold that is not a number, or a card without its text stops loading with an error that
// names the file and the entry.
#pragma once

#include "base/status.h"
#include "cdshooks/card.h"
#include "fhir/code_set.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace anakinra {

struct ValueSet {
  std::string name;
  std::string description;
  std::string source;
  fhir::CodeSet set;
  std::vector<cdshooks::Coding> codes;  // the listed codes, in file order
};

// The value sets the rules read, bound by name at load (a missing or misspelt set stops
// loading with the file and name). Pointers into Knowledge::value_sets; never null once loaded.
struct ValueSets {
  const ValueSet* anakinra = nullptr;
  const ValueSet* tnf_antagonist = nullptr;
  const ValueSet* il1_blocker = nullptr;  // canakinumab, rilonacept
  const ValueSet* live_vaccine = nullptr;
  const ValueSet* pneumococcal_vaccine = nullptr;
  const ValueSet* hib_vaccine = nullptr;
  const ValueSet* antibacterial_prophylaxis = nullptr;
  const ValueSet* blood_count_order = nullptr;  // CBC with differential, neutrophil counts
  const ValueSet* body_weight = nullptr;
  const ValueSet* creatinine_clearance = nullptr;
  const ValueSet* egfr = nullptr;
  const ValueSet* neutrophil_count = nullptr;
  const ValueSet* pregnancy_status = nullptr;
  const ValueSet* pregnancy_status_pregnant = nullptr;
  const ValueSet* pregnancy_status_not_pregnant = nullptr;
  const ValueSet* breastfeeding_status = nullptr;
  const ValueSet* breastfeeding_status_yes = nullptr;
  const ValueSet* pregnancy = nullptr;
  const ValueSet* pregnancy_ended = nullptr;  // delivery, miscarriage: a later one ends it
  const ValueSet* lactation = nullptr;
  const ValueSet* severe_renal_impairment = nullptr;
  const ValueSet* hepatic_impairment = nullptr;
  const ValueSet* serious_infection = nullptr;
  const ValueSet* non_infectious_pneumonia = nullptr;  // excluded from serious_infection
  const ValueSet* immunosuppression = nullptr;
  const ValueSet* chronic_infection = nullptr;
  const ValueSet* indication_ra = nullptr;
  const ValueSet* indication_caps = nullptr;
  const ValueSet* indication_dira = nullptr;
  const ValueSet* indication_stills = nullptr;
  const ValueSet* indication_fmf = nullptr;
  const ValueSet* unspecified_jia = nullptr;  // JIA without its type: not proof of off-label
  const ValueSet* off_label_use = nullptr;
  const ValueSet* ecoli_protein_allergy = nullptr;
  const ValueSet* injection_site_reaction = nullptr;
  const ValueSet* subcutaneous_route = nullptr;
};

// A dose band of policy v2 §3. Per-kg bands check mg/kg/day against the weight; fixed bands
// check mg/day and, when a weight is known, the mg/kg/day maximum too.
struct DoseBand {
  std::string name;    // very-young-child | caps-dira | stills-fmf-weight-based |
                       // stills-fmf-fixed | child | adult
  std::string label;   // for card text
  bool per_kg = true;  // basis mg/kg/day (else mg/day)
  double usual_min = 0;
  double usual_max = 0;
  double maximum = 0;                    // per-kg bands: mg/kg/day
  double maximum_mg_per_kg = 0;          // fixed bands: the mg/kg/day maximum with a weight
  double maximum_without_weight_mg = 0;  // fixed bands: the mg/day maximum without a weight
  // Per-kg bands: above this (and within `maximum`) the dose is above the label though within
  // the band (very young children: 8-10 mg/kg/day); 0 when the band has no such zone.
  double label_maximum = 0;
  bool twice_daily_allowed = false;  // a twice-daily split is allowed (CAPS/DIRA, NOMID label)
  std::string source;                // key of Knowledge::sources
  std::string section;               // where in the source the band comes from
};

struct DosingPolicy {
  double concentration_mg_per_ml = 0;
  double very_young_age_years = 0;
  double adult_age_years = 0;
  double stills_fixed_dose_min_weight_kg = 0;  // Still's/FMF: at or above, 100 mg/day fixed
  int weight_max_age_days = 0;
  int weight_max_age_days_very_young = 0;
  int renal_max_age_days = 0;
  double renal_threshold_ml_min = 0;
  double neutrophil_threshold = 0;             // order hooks: do not start below
  double neutrophil_threshold_monitoring = 0;  // patient-view: warning below
  int neutrophil_window_start_days = 0;        // start, and continuation months 0-3
  int neutrophil_window_months_3_12_days = 0;  // continuation months 3-12
  int neutrophil_monitoring_months = 0;        // after this many months: no missing-count card
  int neutrophil_monthly_months = 0;           // the monthly part of the schedule (3)
  int pregnancy_status_max_age_days = 0;
  int breastfeeding_status_max_age_days = 0;
  double dose_rounding_mg = 0;
  double max_one_click_change = 0;  // 0.5: a warning's suggestion may change the daily dose by 50%
  double label_maximum_mg_per_kg = 0;
  // Plausibility (policy §0): outside these a value is unreadable, never a fact.
  double max_plausible_dose_mg = 0;
  double max_plausible_per_day = 0;
  double min_plausible_weight_kg = 0, max_plausible_weight_kg = 0;
  double max_plausible_neutrophils = 0;
  double max_plausible_renal_ml_min = 0;
  // The longest look-back any rule uses (days): a date-sorted page reaching past it is complete.
  int longest_lookback_days = 0;
  DoseBand very_young_child, caps_dira, stills_fmf_weight_based, stills_fmf_fixed, child, adult;
  cdshooks::Coding pneumococcal_order, hib_order, blood_count_order;  // suggested orders
};

struct SourceInfo {
  std::string label;
  std::string url;
};

// The text of one card code, from hooks/cards.json. Templates use {name} placeholders, each
// declared (per card, or globally); every sentence key the rules use exists (checked at load
// against RequiredCardText()).
struct CardText {
  std::string indicator;                // the default indicator
  std::vector<std::string> indicators;  // every indicator a finding may choose (incl. default)
  std::string source;                   // key of `sources`
  std::string section;                  // label section or seed heading
  std::vector<std::string> links;       // keys of `sources`: second sources (card links)
  std::map<std::string, std::string> summaries;  // variant -> template ("default" always)
  std::map<std::string, std::string> sentences;  // detail sentence key -> template
  std::map<std::string, std::string> labels;     // suggestion label / action key -> template
  std::vector<std::string> placeholders;         // declared for this card
  std::vector<cdshooks::Coding> override_reasons;
  // Label keys whose suggestions are the card's recommended action (isRecommended).
  std::vector<std::string> recommended;
};

// The sentence keys the rules use for one card: the loader requires each of them.
struct CardKeys {
  std::vector<std::string> summaries;
  std::vector<std::string> sentences;
  std::vector<std::string> labels;
};

struct Knowledge {
  std::map<std::string, ValueSet> value_sets;
  ValueSets sets;  // the ones the rules read, bound at load
  // Phrases that make condition text negated or historical ("no", "denies", "history of"...):
  // such text never matches a value set (policy §2).
  std::vector<std::string> negation_phrases;
  DosingPolicy dosing;
  std::map<std::string, SourceInfo> sources;
  std::map<std::string, CardText> cards;
  std::string topic_system;
  // cards.json: section headings ("found", "why", "todo"), sentences shared by every card,
  // globally declared placeholders, the placeholders holding EHR text that may be shortened to
  // keep a summary or label short, and the name of each check for data-not-checked.
  std::map<std::string, std::string> headings;
  std::map<std::string, std::string> shared_sentences;
  std::vector<std::string> global_placeholders;
  std::vector<std::string> shortenable;
  std::map<std::string, std::string> check_names;  // NotChecked::check -> text
  // The prefetch key name of each DataKey (facts.h order).
  std::vector<std::string> data_keys = {"patient",   "medications",   "conditions",
                                        "allergies", "immunizations", "observations"};

  const ValueSet& Set(const std::string& name) const { return value_sets.at(name); }
  // LOINC codes of every observation value set the rules read, in a stable order.
  std::vector<std::string> ObservationLoincCodes() const;
};

// Names of the value sets the rules require, and of every card code.
const std::vector<std::string>& RequiredValueSets();
const std::vector<std::string>& CardCodes();
// Per card code, the summary variants, detail sentences and labels the rules use; and the
// shared sentences (key "") and check names (key "checks").
const std::map<std::string, CardKeys>& RequiredCardText();

// Loads hooks/knowledge/*.json and hooks/cards.json from `hooks_dir`. Errors: kInvalidArgument
// (kIoError when a file cannot be read) whose message, "knowledge: <file>: <entry>: <what>",
// names what to fix; the first mistake found stops the load. Never throws.
base::StatusOr<std::shared_ptr<const Knowledge>> LoadKnowledge(const std::string& hooks_dir);

}  // namespace anakinra
