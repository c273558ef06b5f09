#include "anakinra/knowledge.h"

#include "fhir/json.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace anakinra {
namespace {

namespace fs = std::filesystem;

struct LoadError {
  std::string message;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError{"cannot read " + path.string()};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<rapidjson::Document> ParseFile(const fs::path& path) {
  auto doc = std::make_unique<rapidjson::Document>();
  if (auto e = fhir::ParseJson(ReadFile(path), 64, *doc))
    throw LoadError{path.string() + ": " + e->message};
  if (!doc->IsObject()) throw LoadError{path.string() + ": the root must be an object"};
  return doc;
}

std::string Str(const fhir::Json& obj, const char* name, const std::string& where,
                bool required = true) {
  auto v = fhir::StringMember(obj, name);
  if (!v || v->empty()) {
    if (required) throw LoadError{where + ": \"" + name + "\" must be a non-empty string"};
    return {};
  }
  return std::string(*v);
}

double Num(const fhir::Json& obj, const char* name, const std::string& where) {
  auto v = fhir::NumberMember(obj, name);
  if (!v || *v < 0) throw LoadError{where + ": \"" + name + "\" must be a non-negative number"};
  return *v;
}

// A threshold entry {"value": n, "source": "...", "note": "..."}.
double Threshold(const fhir::Json& root, const char* name, const std::string& file) {
  const fhir::Json* entry = fhir::Member(root, name);
  const std::string where = file + ": " + name;
  if (entry == nullptr || !entry->IsObject()) throw LoadError{where + " is missing"};
  Str(*entry, "source", where);
  return Num(*entry, "value", where);
}

void LoadValueSets(const fhir::Json& root, const std::string& file, Knowledge& k) {
  const fhir::Json* sets = fhir::Member(root, "valueSets");
  if (sets == nullptr) return;
  if (!sets->IsObject()) throw LoadError{file + ": \"valueSets\" must be an object"};
  for (const auto& m : sets->GetObject()) {
    ValueSet vs;
    vs.name = m.name.GetString();
    const std::string where = file + ": valueSets." + vs.name;
    if (!m.value.IsObject()) throw LoadError{where + " must be an object"};
    if (k.value_sets.count(vs.name) != 0) throw LoadError{where + " is defined twice"};
    vs.description = Str(m.value, "description", where);
    vs.source = Str(m.value, "source", where);
    auto read_codes = [&](const char* member, bool prefix) {
      const fhir::Json* list = fhir::Member(m.value, member);
      if (list == nullptr) return;
      if (!list->IsArray()) throw LoadError{where + "." + member + " must be an array"};
      rapidjson::SizeType i = 0;
      for (const auto& c : list->GetArray()) {
        const std::string at = where + "." + member + "[" + std::to_string(i++) + "]";
        if (!c.IsObject()) throw LoadError{at + " must be an object"};
        cdshooks::Coding coding{Str(c, "system", at), Str(c, "code", at), Str(c, "display", at)};
        if (prefix) {
          vs.set.AddPrefix(coding.system, coding.code);
        } else {
          vs.set.AddCode(coding.system, coding.code);
          vs.codes.push_back(coding);
        }
      }
    };
    read_codes("codes", false);
    read_codes("prefixes", true);
    if (const fhir::Json* text = fhir::Member(m.value, "text")) {
      if (!text->IsArray()) throw LoadError{where + ".text must be an array of strings"};
      for (const auto& t : text->GetArray()) {
        if (!t.IsString() || t.GetStringLength() == 0)
          throw LoadError{where + ".text must hold non-empty strings"};
        vs.set.AddText(fhir::View(t));
      }
    }
    if (vs.set.empty()) throw LoadError{where + " has no codes, prefixes or text"};
    k.value_sets.emplace(vs.name, std::move(vs));
  }
}

DoseBand Band(const fhir::Json& bands, const char* name, const std::string& file,
              const Knowledge& k) {
  const fhir::Json* b = fhir::Member(bands, name);
  const std::string where = file + ": bands." + name;
  if (b == nullptr || !b->IsObject()) throw LoadError{where + " is missing"};
  DoseBand band;
  band.name = name;
  band.label = Str(*b, "label", where);
  band.source = Str(*b, "source", where);
  band.section = Str(*b, "section", where);
  if (k.sources.count(band.source) == 0)
    throw LoadError{where + ": unknown source \"" + band.source + "\""};
  const std::string basis = Str(*b, "basis", where);
  if (basis != "mg/kg/day" && basis != "mg/day")
    throw LoadError{where + ": basis must be mg/kg/day or mg/day"};
  band.per_kg = basis == "mg/kg/day";
  band.usual_min = Num(*b, "usualMin", where);
  band.usual_max = Num(*b, "usualMax", where);
  if (band.per_kg) {
    band.maximum = Num(*b, "maximum", where);
  } else {
    band.maximum_mg_per_kg = Num(*b, "maximumMgPerKgDay", where);
  }
  if (band.usual_min > band.usual_max || (band.per_kg && band.usual_max > band.maximum))
    throw LoadError{where + ": needs usualMin <= usualMax <= maximum"};
  return band;
}

void LoadDosing(const fhir::Json& root, const std::string& file, Knowledge& k) {
  DosingPolicy& d = k.dosing;
  d.concentration_mg_per_ml = Threshold(root, "concentrationMgPerMl", file);
  d.very_young_age_years = Threshold(root, "veryYoungAgeYears", file);
  d.adult_age_years = Threshold(root, "adultAgeYears", file);
  d.weight_max_age_days = static_cast<int>(Threshold(root, "weightMaxAgeDays", file));
  d.renal_max_age_days = static_cast<int>(Threshold(root, "renalMaxAgeDays", file));
  d.renal_threshold_ml_min = Threshold(root, "renalThresholdMlPerMin", file);
  d.neutrophil_max_age_days = static_cast<int>(Threshold(root, "neutrophilMaxAgeDays", file));
  d.neutrophil_threshold = Threshold(root, "neutrophilThreshold", file);
  d.pregnancy_status_max_age_days =
      static_cast<int>(Threshold(root, "pregnancyStatusMaxAgeDays", file));
  d.breastfeeding_status_max_age_days =
      static_cast<int>(Threshold(root, "breastfeedingStatusMaxAgeDays", file));
  d.dose_rounding_mg = Threshold(root, "doseRoundingMg", file);
  d.label_maximum_mg_per_kg = Threshold(root, "labelMaximumMgPerKgDay", file);
  if (d.concentration_mg_per_ml <= 0 || d.dose_rounding_mg <= 0)
    throw LoadError{file + ": concentrationMgPerMl and doseRoundingMg must be positive"};
  const fhir::Json* bands = fhir::Member(root, "bands");
  if (bands == nullptr || !bands->IsObject()) throw LoadError{file + ": \"bands\" is missing"};
  d.very_young_child = Band(*bands, "very-young-child", file, k);
  d.child = Band(*bands, "child", file, k);
  d.adult = Band(*bands, "adult", file, k);
  d.adult_weight_based = Band(*bands, "adult-weight-based", file, k);
  const fhir::Json* orders = fhir::Member(root, "suggestedOrders");
  if (orders == nullptr || !orders->IsObject())
    throw LoadError{file + ": \"suggestedOrders\" is missing"};
  for (const char* name : {"pneumococcal-vaccine", "hib-vaccine", "cbc-with-differential"}) {
    const fhir::Json* o = fhir::Member(*orders, name);
    const std::string where = file + ": suggestedOrders." + name;
    if (o == nullptr || !o->IsObject()) throw LoadError{where + " is missing"};
    Str(*o, "source", where);
    d.suggested_orders[name] = {Str(*o, "system", where), Str(*o, "code", where),
                                Str(*o, "display", where)};
  }
}

void LoadCards(const fhir::Json& root, const std::string& file, Knowledge& k) {
  k.topic_system = Str(root, "topicSystem", file);
  const std::string reason_system = Str(root, "overrideReasonSystem", file);
  const fhir::Json* reasons = fhir::Member(root, "overrideReasons");
  const fhir::Json* cards = fhir::Member(root, "cards");
  if (reasons == nullptr || !reasons->IsObject() || cards == nullptr || !cards->IsObject())
    throw LoadError{file + ": \"overrideReasons\" and \"cards\" must be objects"};
  for (const std::string& code : CardCodes()) {
    const fhir::Json* c = fhir::Member(*cards, code);
    const std::string where = file + ": cards." + code;
    if (c == nullptr || !c->IsObject()) throw LoadError{where + " is missing"};
    CardText text;
    text.indicator = Str(*c, "indicator", where);
    if (text.indicator != "info" && text.indicator != "warning" && text.indicator != "critical")
      throw LoadError{where + ": indicator must be info, warning or critical"};
    text.source = Str(*c, "source", where);
    if (k.sources.count(text.source) == 0)
      throw LoadError{where + ": unknown source \"" + text.source + "\""};
    text.section = Str(*c, "section", where);
    text.summary = Str(*c, "summary", where);
    text.detail = Str(*c, "detail", where);
    const std::string set = Str(*c, "overrideReasons", where);
    const fhir::Json* list = fhir::Member(*reasons, set);
    if (list == nullptr || !list->IsArray() || list->Empty())
      throw LoadError{where + ": unknown overrideReasons set \"" + set + "\""};
    for (const auto& r : list->GetArray()) {
      if (!r.IsObject())
        throw LoadError{file + ": overrideReasons." + set + " entries must be objects"};
      text.override_reasons.push_back({reason_system,
                                       Str(r, "code", file + ": overrideReasons." + set),
                                       Str(r, "display", file + ": overrideReasons." + set)});
    }
    k.cards.emplace(code, std::move(text));
  }
  for (const auto& m : cards->GetObject())
    if (std::find(CardCodes().begin(), CardCodes().end(), m.name.GetString()) == CardCodes().end())
      throw LoadError{file + ": cards." + m.name.GetString() + " is not a card code of the policy"};
}

void LoadSources(const fhir::Json& root, const std::string& file, Knowledge& k) {
  const fhir::Json* sources = fhir::Member(root, "sources");
  if (sources == nullptr || !sources->IsObject()) return;
  for (const auto& m : sources->GetObject()) {
    const std::string where = file + ": sources." + m.name.GetString();
    k.sources[m.name.GetString()] = {Str(m.value, "label", where), Str(m.value, "url", where)};
  }
}

}  // namespace

const std::vector<std::string>& RequiredValueSets() {
  static const std::vector<std::string> kNames = {"anakinra",
                                                  "tnf-antagonist",
                                                  "il1-blocker",
                                                  "live-vaccine",
                                                  "pneumococcal-vaccine",
                                                  "hib-vaccine",
                                                  "antibacterial-prophylaxis",
                                                  "body-weight",
                                                  "creatinine-clearance",
                                                  "egfr",
                                                  "neutrophil-count",
                                                  "pregnancy-status",
                                                  "pregnancy-status-pregnant",
                                                  "breastfeeding-status",
                                                  "breastfeeding-status-yes",
                                                  "pregnancy",
                                                  "lactation",
                                                  "severe-renal-impairment",
                                                  "hepatic-impairment",
                                                  "serious-infection",
                                                  "immunosuppression",
                                                  "chronic-infection",
                                                  "indication-ra",
                                                  "indication-caps",
                                                  "indication-dira",
                                                  "indication-stills",
                                                  "off-label-use",
                                                  "ecoli-protein-allergy",
                                                  "subcutaneous-route"};
  return kNames;
}

const std::vector<std::string>& CardCodes() {
  static const std::vector<std::string> kCodes = {"dose-above-maximum",
                                                  "dose-above-range",
                                                  "dose-below-range",
                                                  "dose-frequency",
                                                  "weight-required",
                                                  "renal-impairment",
                                                  "hepatic-impairment",
                                                  "immunisation-pneumococcal",
                                                  "immunisation-hib",
                                                  "antibiotic-prophylaxis",
                                                  "neutrophil-count",
                                                  "tnf-antagonist",
                                                  "il1-blocker-duplication",
                                                  "live-vaccine",
                                                  "ecoli-protein-hypersensitivity",
                                                  "active-infection",
                                                  "immunosuppression-chronic-infection",
                                                  "pregnancy",
                                                  "breastfeeding",
                                                  "caps-lifelong",
                                                  "off-label-indication",
                                                  "patient-data-missing"};
  return kCodes;
}

std::vector<std::string> Knowledge::ObservationLoincCodes() const {
  std::vector<std::string> out;
  for (const char* name : {"body-weight", "creatinine-clearance", "egfr", "neutrophil-count",
                           "pregnancy-status", "breastfeeding-status"}) {
    for (const auto& c : Set(name).codes)
      if (c.system == fhir::system::kLoinc &&
          std::find(out.begin(), out.end(), c.code) == out.end())
        out.push_back(c.code);
  }
  return out;
}

std::shared_ptr<const Knowledge> LoadKnowledge(const std::string& hooks_dir, std::string& error) {
  auto k = std::make_shared<Knowledge>();
  try {
    const fs::path dir = fs::path(hooks_dir) / "knowledge";
    if (!fs::is_directory(dir)) throw LoadError{dir.string() + " is not a directory"};
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    // Sources first: every other entry names one.
    std::vector<std::pair<std::string, std::unique_ptr<rapidjson::Document>>> docs;
    docs.reserve(files.size());
    for (const auto& path : files) docs.emplace_back(path.filename().string(), ParseFile(path));
    for (const auto& [file, doc] : docs) LoadSources(*doc, file, *k);
    for (const auto& [file, doc] : docs) {
      LoadValueSets(*doc, file, *k);
      if (fhir::Member(*doc, "bands") != nullptr) LoadDosing(*doc, file, *k);
    }
    if (k->dosing.concentration_mg_per_ml <= 0)
      throw LoadError{"no dosing file (with \"bands\") under " + dir.string()};
    for (const auto& name : RequiredValueSets())
      if (k->value_sets.count(name) == 0)
        throw LoadError{"value set \"" + name + "\" is required but defined in no file under " +
                        dir.string()};
    for (const auto& [name, coding] : k->dosing.suggested_orders) {
      (void)coding;
      if (k->value_sets.count(name) == 0)
        throw LoadError{"suggestedOrders." + name + " names no value set"};
    }
    const fs::path cards = fs::path(hooks_dir) / "cards.json";
    auto doc = ParseFile(cards);
    LoadCards(*doc, "cards.json", *k);
  } catch (const LoadError& e) {
    error = "knowledge: " + e.message;
    return nullptr;
  } catch (const std::exception& e) {
    error = std::string("knowledge: ") + e.what();
    return nullptr;
  }
  return k;
}

}  // namespace anakinra
