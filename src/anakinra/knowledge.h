// The clinical knowledge the rules read: value sets, dosing thresholds, sources and card texts.
//
// Everything comes from JSON files under hooks/ and is checked once at load: a missing value set,
// a threshold that is not a number, or a card without its text stops loading with an error that
// names the file and the entry.
#pragma once

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

struct DoseBand {
  std::string name;    // very-young-child | child | adult | adult-weight-based
  std::string label;   // for card text
  bool per_kg = true;  // basis mg/kg/day (else mg/day)
  double usual_min = 0;
  double usual_max = 0;
  double maximum = 0;            // in the basis unit; for mg/day bands see maximum_mg_per_kg
  double maximum_mg_per_kg = 0;  // mg/day bands: maximum per kg when a weight is known
  std::string source;
  std::string section;  // where in the source the band comes from
};

struct DosingPolicy {
  double concentration_mg_per_ml = 0;
  double very_young_age_years = 0;
  double adult_age_years = 0;
  int weight_max_age_days = 0;
  int renal_max_age_days = 0;
  double renal_threshold_ml_min = 0;
  int neutrophil_max_age_days = 0;
  double neutrophil_threshold = 0;
  int pregnancy_status_max_age_days = 0;
  int breastfeeding_status_max_age_days = 0;
  double dose_rounding_mg = 0;
  double label_maximum_mg_per_kg = 0;
  DoseBand very_young_child, child, adult, adult_weight_based;
  std::map<std::string, cdshooks::Coding> suggested_orders;  // value-set name → code to order
};

struct SourceInfo {
  std::string label;
  std::string url;
};

struct CardText {
  std::string indicator;
  std::string source;   // key of `sources`
  std::string section;  // label section or seed heading
  std::string summary;  // templates with {name} placeholders
  std::string detail;
  std::vector<cdshooks::Coding> override_reasons;
};

struct Knowledge {
  std::map<std::string, ValueSet> value_sets;
  DosingPolicy dosing;
  std::map<std::string, SourceInfo> sources;
  std::map<std::string, CardText> cards;
  std::string topic_system;

  const ValueSet& Set(const std::string& name) const { return value_sets.at(name); }
  // LOINC codes of every observation value set the rules read, in a stable order.
  std::vector<std::string> ObservationLoincCodes() const;
};

// Names of the value sets the rules require, and of every card code.
const std::vector<std::string>& RequiredValueSets();
const std::vector<std::string>& CardCodes();

// Loads hooks/knowledge/*.json and hooks/cards.json from `hooks_dir`.
std::shared_ptr<const Knowledge> LoadKnowledge(const std::string& hooks_dir, std::string& error);

}  // namespace anakinra
