#include "anakinra/knowledge.h"

#include "base/file.h"
#include "base/json.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace anakinra {
namespace {

namespace fs = std::filesystem;

// Loads and checks the knowledge, keeping the first mistake in `status` (the steps after a
// mistake still run on defaults, harmlessly, and their mistakes are dropped: they are
// consequences of the first). No exceptions.
class Loader {
 public:
  base::Status status;
  bool failed() const { return !status.ok(); }

  void Fail(const std::string& message) {
    if (status.ok()) status = base::Status::InvalidArgument("knowledge: " + message);
  }
  void FailIo(const std::string& message) {
    if (status.ok()) status = base::Status::IoError("knowledge: " + message);
  }
  // What a missing object reads as after its mistake is recorded.
  static const base::Json& EmptyObject() {
    static const rapidjson::Value kEmpty(rapidjson::kObjectType);
    return kEmpty;
  }

  std::string ReadFile(const fs::path& path) {
    auto text = base::ReadFile(path.string());
    if (!text.ok()) {
      FailIo("cannot read " + path.string());
      return {};
    }
    return std::move(*text);
  }

  std::unique_ptr<rapidjson::Document> ParseFile(const fs::path& path) {
    auto doc = std::make_unique<rapidjson::Document>();
    if (base::Status e = base::ParseJson(ReadFile(path), 64, *doc); !e.ok()) {
      Fail(path.string() + ": " + e.message());
      return nullptr;
    }
    if (!doc->IsObject()) {
      Fail(path.string() + ": the root must be an object");
      return nullptr;
    }
    return doc;
  }

  std::string Str(const base::Json& obj, const char* name, const std::string& where,
                  bool required = true) {
    auto v = base::StringMember(obj, name);
    if (!v || v->empty()) {
      if (required) Fail(where + ": \"" + name + "\" must be a non-empty string");
      return {};
    }
    return std::string(*v);
  }

  double Num(const base::Json& obj, const char* name, const std::string& where) {
    auto v = base::NumberMember(obj, name);
    if (!v || *v < 0) {
      Fail(where + ": \"" + name + "\" must be a non-negative number");
      return 0;
    }
    return *v;
  }

  // A threshold entry {"value": n, "source": "...", "note": "..."}.
  double Threshold(const base::Json& root, const char* name, const std::string& file) {
    const base::Json* entry = base::Member(root, name);
    const std::string where = file + ": " + name;
    if (entry == nullptr || !entry->IsObject()) {
      Fail(where + " is missing");
      return 0;
    }
    Str(*entry, "source", where);
    return Num(*entry, "value", where);
  }

  void LoadValueSets(const base::Json& root, const std::string& file, Knowledge& k) {
    const base::Json* sets = base::Member(root, "valueSets");
    if (sets == nullptr) return;
    if (!sets->IsObject()) {
      Fail(file + ": \"valueSets\" must be an object");
      return;
    }
    for (const auto& m : sets->GetObject()) {
      ValueSet vs;
      vs.name = m.name.GetString();
      const std::string where = file + ": valueSets." + vs.name;
      if (!m.value.IsObject()) {
        Fail(where + " must be an object");
        return;
      }
      if (k.value_sets.count(vs.name) != 0) {
        Fail(where + " is defined twice");
        return;
      }
      vs.description = Str(m.value, "description", where);
      vs.source = Str(m.value, "source", where);
      auto read_codes = [&](const char* member, bool prefix) {
        const base::Json* list = base::Member(m.value, member);
        if (list == nullptr) return;
        if (!list->IsArray()) {
          Fail(where + "." + member + " must be an array");
          return;
        }
        rapidjson::SizeType i = 0;
        for (const auto& c : list->GetArray()) {
          const std::string at = where + "." + member + "[" + std::to_string(i++) + "]";
          if (!c.IsObject()) {
            Fail(at + " must be an object");
            return;
          }
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
      if (const base::Json* text = base::Member(m.value, "text")) {
        if (!text->IsArray()) {
          Fail(where + ".text must be an array of strings");
          return;
        }
        for (const auto& t : text->GetArray()) {
          if (!t.IsString() || t.GetStringLength() == 0) {
            Fail(where + ".text must hold non-empty strings");
            return;
          }
          vs.set.AddText(base::View(t));
        }
      }
      if (vs.set.empty()) {
        Fail(where + " has no codes, prefixes or text");
        return;
      }
      k.value_sets.emplace(vs.name, std::move(vs));
    }
  }

  // Every {name} in `text`; a mistake when a brace is not closed.
  std::vector<std::string> PlaceholdersOf(const std::string& text, const std::string& where) {
    std::vector<std::string> out;
    for (std::size_t i = text.find('{'); i != std::string::npos; i = text.find('{', i + 1)) {
      const auto close = text.find('}', i);
      if (close == std::string::npos) {
        Fail(where + ": unclosed \"{\"");
        return out;
      }
      out.push_back(text.substr(i + 1, close - i - 1));
    }
    return out;
  }

  const base::Json& Object(const base::Json& root, const char* name, const std::string& where) {
    const base::Json* v = base::Member(root, name);
    if (v == nullptr || !v->IsObject()) {
      Fail(where + ": \"" + name + "\" must be an object");
      return EmptyObject();
    }
    return *v;
  }

  std::map<std::string, std::string> StringMap(const base::Json& obj, const std::string& where) {
    std::map<std::string, std::string> out;
    for (const auto& m : obj.GetObject()) {
      const std::string name = m.name.GetString();
      if (!m.value.IsString() || m.value.GetStringLength() == 0) {
        Fail(where + "." + name + " must be a non-empty string");
        return out;
      }
      out[name] = m.value.GetString();
    }
    return out;
  }

  std::vector<std::string> StringList(const base::Json& root, const char* name,
                                      const std::string& where, bool required = true) {
    std::vector<std::string> out;
    const base::Json* list = base::Member(root, name);
    if (list == nullptr && !required) return out;
    if (list == nullptr || !list->IsArray()) {
      Fail(where + ": \"" + name + "\" must be an array of strings");
      return out;
    }
    for (const auto& v : list->GetArray()) {
      if (!v.IsString() || v.GetStringLength() == 0) {
        Fail(where + ": \"" + name + "\" must hold non-empty strings");
        return out;
      }
      out.emplace_back(v.GetString());
    }
    return out;
  }

  DoseBand Band(const base::Json& bands, const char* name, const std::string& file,
                const Knowledge& k) {
    const base::Json* b = base::Member(bands, name);
    const std::string where = file + ": bands." + name;
    if (b == nullptr || !b->IsObject()) {
      Fail(where + " is missing");
      return {};
    }
    DoseBand band;
    band.name = name;
    band.label = Str(*b, "label", where);
    band.source = Str(*b, "source", where);
    band.section = Str(*b, "section", where);
    Str(*b, "note", where);
    if (k.sources.count(band.source) == 0) {
      Fail(where + ": unknown source \"" + band.source + "\"");
      return band;
    }
    const std::string basis = Str(*b, "basis", where);
    if (basis != "mg/kg/day" && basis != "mg/day") {
      Fail(where + ": basis must be mg/kg/day or mg/day");
      return band;
    }
    band.per_kg = basis == "mg/kg/day";
    band.usual_min = Num(*b, "usualMin", where);
    band.usual_max = Num(*b, "usualMax", where);
    if (band.per_kg) {
      band.maximum = Num(*b, "maximum", where);
      if (base::Member(*b, "labelMaximum") != nullptr)
        band.label_maximum = Num(*b, "labelMaximum", where);
      if (band.usual_max > band.maximum + 1e-9 ||
          (band.label_maximum > 0 && band.label_maximum > band.maximum + 1e-9)) {
        Fail(where + ": needs usualMax and labelMaximum <= maximum");
        return band;
      }
    } else {
      band.maximum_mg_per_kg = Num(*b, "maximumMgPerKgDay", where);
      band.maximum_without_weight_mg = Num(*b, "maximumWithoutWeightMg", where);
    }
    if (const base::Json* bid = base::Member(*b, "twiceDailyAllowed")) {
      if (!bid->IsBool()) {
        Fail(where + ": \"twiceDailyAllowed\" must be true or false");
        return band;
      }
      band.twice_daily_allowed = bid->GetBool();
    }
    if (band.usual_min <= 0 || band.usual_min > band.usual_max) {
      Fail(where + ": needs 0 < usualMin <= usualMax");
      return band;
    }
    static const std::set<std::string> kKnown = {"label",
                                                 "basis",
                                                 "usualMin",
                                                 "usualMax",
                                                 "maximum",
                                                 "labelMaximum",
                                                 "maximumMgPerKgDay",
                                                 "maximumWithoutWeightMg",
                                                 "twiceDailyAllowed",
                                                 "source",
                                                 "section",
                                                 "note",
                                                 "unverified"};
    for (const auto& m : b->GetObject())
      if (kKnown.count(m.name.GetString()) == 0) {
        Fail(where + ": unknown field \"" + std::string(m.name.GetString()) + "\"");
        return band;
      }
    return band;
  }

  void LoadDosing(const base::Json& root, const std::string& file, Knowledge& k) {
    DosingPolicy& d = k.dosing;
    auto num = [&](const char* name) {
      const double v = Threshold(root, name, file);
      if (const base::Json* e = base::Member(root, name)) {
        const std::string src = Str(*e, "source", file + ": " + name);
        if (k.sources.count(src) == 0) {
          Fail(file + ": " + name + ": unknown source \"" + src + "\"");
          return v;
        }
        Str(*e, "note", file + ": " + name);
      }
      return v;
    };
    auto days = [&](const char* name) { return static_cast<int>(num(name)); };
    d.concentration_mg_per_ml = num("concentrationMgPerMl");
    d.very_young_age_years = num("veryYoungAgeYears");
    d.adult_age_years = num("adultAgeYears");
    d.stills_fixed_dose_min_weight_kg = num("stillsFixedDoseMinWeightKg");
    d.weight_max_age_days = days("weightMaxAgeDays");
    d.weight_max_age_days_very_young = days("weightMaxAgeDaysVeryYoung");
    d.renal_max_age_days = days("renalMaxAgeDays");
    d.renal_threshold_ml_min = num("renalThresholdMlPerMin");
    d.neutrophil_threshold = num("neutrophilThreshold");
    d.neutrophil_threshold_monitoring = num("neutrophilThresholdMonitoring");
    d.neutrophil_window_start_days = days("neutrophilWindowStartDays");
    d.neutrophil_window_months_3_12_days = days("neutrophilWindowMonths3To12Days");
    d.neutrophil_monitoring_months = days("neutrophilMonitoringMonths");
    d.neutrophil_monthly_months = days("neutrophilMonthlyMonths");
    d.pregnancy_status_max_age_days = days("pregnancyStatusMaxAgeDays");
    d.breastfeeding_status_max_age_days = days("breastfeedingStatusMaxAgeDays");
    d.dose_rounding_mg = num("doseRoundingMg");
    d.max_one_click_change = num("maxOneClickChange");
    d.label_maximum_mg_per_kg = num("labelMaximumMgPerKgDay");
    d.max_plausible_dose_mg = num("maxPlausibleDoseMg");
    d.max_plausible_per_day = num("maxPlausiblePerDay");
    d.min_plausible_weight_kg = num("minPlausibleWeightKg");
    d.max_plausible_weight_kg = num("maxPlausibleWeightKg");
    d.max_plausible_neutrophils = num("maxPlausibleNeutrophils");
    d.max_plausible_renal_ml_min = num("maxPlausibleRenalMlPerMin");
    if (d.concentration_mg_per_ml <= 0 || d.dose_rounding_mg <= 0 || d.max_one_click_change <= 0) {
      Fail(file + ": concentrationMgPerMl, doseRoundingMg and maxOneClickChange must be positive");
      return;
    }
    if (d.min_plausible_weight_kg >= d.max_plausible_weight_kg) {
      Fail(file + ": minPlausibleWeightKg must be below maxPlausibleWeightKg");
      return;
    }
    // The longest look-back of any rule: a date-sorted page reaching past it is complete.
    d.longest_lookback_days =
        std::max({d.weight_max_age_days, d.weight_max_age_days_very_young, d.renal_max_age_days,
                  d.neutrophil_window_start_days, d.neutrophil_window_months_3_12_days,
                  d.pregnancy_status_max_age_days, d.breastfeeding_status_max_age_days});
    const base::Json& bands = Object(root, "bands", file);
    d.very_young_child = Band(bands, "very-young-child", file, k);
    d.caps_dira = Band(bands, "caps-dira", file, k);
    d.stills_fmf_weight_based = Band(bands, "stills-fmf-weight-based", file, k);
    d.stills_fmf_fixed = Band(bands, "stills-fmf-fixed", file, k);
    d.child = Band(bands, "child", file, k);
    d.adult = Band(bands, "adult", file, k);
    for (const DoseBand* band :
         {&d.very_young_child, &d.caps_dira, &d.stills_fmf_weight_based, &d.child})
      if (!band->per_kg) {
        Fail(file + ": bands." + band->name + " must be mg/kg/day");
        return;
      }
    for (const DoseBand* band : {&d.stills_fmf_fixed, &d.adult})
      if (band->per_kg) {
        Fail(file + ": bands." + band->name + " must be mg/day");
        return;
      }
    for (const auto& m : bands.GetObject()) {
      static const std::set<std::string> kBands = {
          "very-young-child", "caps-dira", "stills-fmf-weight-based",
          "stills-fmf-fixed", "child",     "adult"};
      if (kBands.count(m.name.GetString()) == 0) {
        Fail(file + ": bands." + m.name.GetString() + " is not a band of the policy");
        return;
      }
    }
    const base::Json& orders = Object(root, "suggestedOrders", file);
    auto order = [&](const char* name, const ValueSet* must_match) {
      const base::Json* o = base::Member(orders, name);
      const std::string where = file + ": suggestedOrders." + name;
      if (o == nullptr || !o->IsObject()) {
        Fail(where + " is missing");
        return cdshooks::Coding{};
      }
      const std::string src = Str(*o, "source", where);
      if (k.sources.count(src) == 0) {
        Fail(where + ": unknown source \"" + src + "\"");
        return cdshooks::Coding{};
      }
      cdshooks::Coding c{Str(*o, "system", where), Str(*o, "code", where),
                         Str(*o, "display", where)};
      (void)must_match;
      return c;
    };
    d.pneumococcal_order = order("pneumococcal-vaccine", nullptr);
    d.hib_order = order("hib-vaccine", nullptr);
    d.blood_count_order = order("cbc-with-differential", nullptr);
    for (const auto& m : orders.GetObject()) {
      const std::string name = m.name.GetString();
      if (name != "pneumococcal-vaccine" && name != "hib-vaccine" &&
          name != "cbc-with-differential") {
        Fail(file + ": suggestedOrders." + name + " is not a suggested order");
        return;
      }
    }
  }

  void LoadCards(const base::Json& root, const std::string& file, Knowledge& k) {
    k.topic_system = Str(root, "topicSystem", file);
    const std::string reason_system = Str(root, "overrideReasonSystem", file);
    const base::Json& reasons = Object(root, "overrideReasons", file);
    const base::Json& cards = Object(root, "cards", file);
    k.headings = StringMap(Object(root, "headings", file), file + ": headings");
    for (const char* h : {"found", "why", "todo"})
      if (k.headings.count(h) == 0) {
        Fail(file + ": headings." + h + " is missing");
        return;
      }
    k.shared_sentences = StringMap(Object(root, "sentences", file), file + ": sentences");
    k.check_names = StringMap(Object(root, "checks", file), file + ": checks");
    k.global_placeholders = StringList(root, "placeholders", file);
    k.shortenable = StringList(root, "shortenable", file);
    auto declared = [](const std::vector<std::string>& list, const std::string& name) {
      return std::find(list.begin(), list.end(), name) != list.end();
    };
    for (const auto& name : k.shortenable)
      if (!declared(k.global_placeholders, name)) {
        Fail(file + ": shortenable \"" + name + "\" is not a declared placeholder");
        return;
      }
    auto check_template = [&](const std::string& text, const std::string& where,
                              const std::vector<std::string>& card_placeholders) {
      for (const auto& name : PlaceholdersOf(text, where))
        if (!declared(card_placeholders, name) && !declared(k.global_placeholders, name)) {
          Fail(where + ": placeholder {" + name + "} is not declared");
          return;
        }
    };
    for (const auto& [key, text] : k.shared_sentences)
      check_template(text, file + ": sentences." + key, {});
    for (const auto& [key, text] : k.check_names)
      check_template(text, file + ": checks." + key, {});
    for (const std::string& code : CardCodes()) {
      const base::Json* c = base::Member(cards, code);
      const std::string where = file + ": cards." + code;
      if (c == nullptr || !c->IsObject()) {
        Fail(where + " is missing");
        return;
      }
      CardText text;
      text.indicator = Str(*c, "indicator", where);
      text.indicators = StringList(*c, "indicators", where, false);
      if (std::find(text.indicators.begin(), text.indicators.end(), text.indicator) ==
          text.indicators.end())
        text.indicators.push_back(text.indicator);
      for (const auto& ind : text.indicators)
        if (ind != "info" && ind != "warning" && ind != "critical") {
          Fail(where + ": indicator \"" + ind + "\" must be info, warning or critical");
          return;
        }
      text.source = Str(*c, "source", where);
      if (k.sources.count(text.source) == 0) {
        Fail(where + ": unknown source \"" + text.source + "\"");
        return;
      }
      text.section = Str(*c, "section", where);
      text.links = StringList(*c, "links", where, false);
      for (const auto& l : text.links) {
        if (k.sources.count(l) == 0) {
          Fail(where + ": unknown link source \"" + l + "\"");
          return;
        }
        if (l == text.source) {
          Fail(where + ": link \"" + l + "\" repeats the source");
          return;
        }
        if (k.sources.at(l).url.empty()) {
          Fail(where + ": link source \"" + l + "\" has no url");
          return;
        }
      }
      text.placeholders = StringList(*c, "placeholders", where, false);
      text.summaries = StringMap(Object(*c, "summary", where), where + ".summary");
      if (text.summaries.count("default") == 0) {
        Fail(where + ".summary.default is missing");
        return;
      }
      text.sentences = StringMap(Object(*c, "sentences", where), where + ".sentences");
      if (base::Member(*c, "labels") != nullptr)
        text.labels = StringMap(Object(*c, "labels", where), where + ".labels");
      for (const auto& [key, t] : text.summaries)
        check_template(t, where + ".summary." + key, text.placeholders);
      for (const auto& [key, t] : text.sentences)
        check_template(t, where + ".sentences." + key, text.placeholders);
      for (const auto& [key, t] : text.labels)
        check_template(t, where + ".labels." + key, text.placeholders);
      const std::string set = Str(*c, "overrideReasons", where);
      const base::Json* list = base::Member(reasons, set);
      if (list == nullptr || !list->IsArray() || list->Empty()) {
        Fail(where + ": unknown overrideReasons set \"" + set + "\"");
        return;
      }
      for (const auto& r : list->GetArray()) {
        if (!r.IsObject()) {
          Fail(file + ": overrideReasons." + set + " entries must be objects");
          return;
        }
        // A reason with its own system is a standard one (the HL7 non-adherence reason codes
        // where one fits); the others are ours.
        std::string system = reason_system;
        if (base::Member(r, "system") != nullptr) {
          system = Str(r, "system", file + ": overrideReasons." + set);
          if (system.rfind("http://", 0) != 0 && system.rfind("https://", 0) != 0 &&
              system.rfind("urn:", 0) != 0) {
            Fail(file + ": overrideReasons." + set + ": system \"" + system +
                 "\" is not an absolute URI");
            return;
          }
        }
        text.override_reasons.push_back({std::move(system),
                                         Str(r, "code", file + ": overrideReasons." + set),
                                         Str(r, "display", file + ": overrideReasons." + set)});
      }
      // Every key the rules use must exist.
      auto it = RequiredCardText().find(code);
      if (it != RequiredCardText().end()) {
        for (const auto& key : it->second.summaries)
          if (text.summaries.count(key) == 0) {
            Fail(where + ".summary." + key + " is missing (the rules use it)");
            return;
          }
        for (const auto& key : it->second.sentences)
          if (text.sentences.count(key) == 0 && k.shared_sentences.count(key) == 0) {
            Fail(where + ".sentences." + key + " is missing (the rules use it)");
            return;
          }
        for (const auto& key : it->second.labels)
          if (text.labels.count(key) == 0) {
            Fail(where + ".labels." + key + " is missing (the rules use it)");
            return;
          }
      }
      if (base::Member(*c, "recommended") != nullptr) {
        text.recommended = StringList(*c, "recommended", where);
        for (const auto& key : text.recommended)
          if (text.labels.count(key) == 0) {
            Fail(where + ".recommended: \"" + key + "\" is not one of the card's labels");
            return;
          }
      }
      k.cards.emplace(code, std::move(text));
    }
    for (const auto& m : cards.GetObject())
      if (std::find(CardCodes().begin(), CardCodes().end(), m.name.GetString()) ==
          CardCodes().end()) {
        Fail(file + ": cards." + m.name.GetString() + " is not a card code of the policy");
        return;
      }
    if (auto it = RequiredCardText().find(""); it != RequiredCardText().end())
      for (const auto& key : it->second.sentences)
        if (k.shared_sentences.count(key) == 0) {
          Fail(file + ": sentences." + key + " is missing (the rules use it)");
          return;
        }
    if (auto it = RequiredCardText().find("checks"); it != RequiredCardText().end())
      for (const auto& key : it->second.sentences)
        if (k.check_names.count(key) == 0) {
          Fail(file + ": checks." + key + " is missing (the rules use it)");
          return;
        }
  }

  void LoadSources(const base::Json& root, const std::string& file, Knowledge& k) {
    const base::Json* sources = base::Member(root, "sources");
    if (sources == nullptr || !sources->IsObject()) return;
    for (const auto& m : sources->GetObject()) {
      const std::string where = file + ": sources." + m.name.GetString();
      // A source without a public page (this project's own policy) has no url; a card citing it
      // then has no source.url, and it can never be a link.
      const std::string url(base::StringMember(m.value, "url").value_or(""));
      if (!url.empty() && url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
        Fail(where + ": url must be absolute");
        return;
      }
      k.sources[m.name.GetString()] = {Str(m.value, "label", where), url};
    }
  }

  // Binds every ValueSets field to its set by kebab-case name.
  void BindValueSets(Knowledge& k, const std::string& dir) {
    const std::vector<std::pair<const char*, const ValueSet**>> fields = {
        {"anakinra", &k.sets.anakinra},
        {"tnf-antagonist", &k.sets.tnf_antagonist},
        {"il1-blocker", &k.sets.il1_blocker},
        {"live-vaccine", &k.sets.live_vaccine},
        {"pneumococcal-vaccine", &k.sets.pneumococcal_vaccine},
        {"hib-vaccine", &k.sets.hib_vaccine},
        {"antibacterial-prophylaxis", &k.sets.antibacterial_prophylaxis},
        {"blood-count-order", &k.sets.blood_count_order},
        {"body-weight", &k.sets.body_weight},
        {"creatinine-clearance", &k.sets.creatinine_clearance},
        {"egfr", &k.sets.egfr},
        {"neutrophil-count", &k.sets.neutrophil_count},
        {"pregnancy-status", &k.sets.pregnancy_status},
        {"pregnancy-status-pregnant", &k.sets.pregnancy_status_pregnant},
        {"pregnancy-status-not-pregnant", &k.sets.pregnancy_status_not_pregnant},
        {"breastfeeding-status", &k.sets.breastfeeding_status},
        {"breastfeeding-status-yes", &k.sets.breastfeeding_status_yes},
        {"pregnancy", &k.sets.pregnancy},
        {"pregnancy-ended", &k.sets.pregnancy_ended},
        {"lactation", &k.sets.lactation},
        {"severe-renal-impairment", &k.sets.severe_renal_impairment},
        {"hepatic-impairment", &k.sets.hepatic_impairment},
        {"serious-infection", &k.sets.serious_infection},
        {"non-infectious-pneumonia", &k.sets.non_infectious_pneumonia},
        {"immunosuppression", &k.sets.immunosuppression},
        {"chronic-infection", &k.sets.chronic_infection},
        {"indication-ra", &k.sets.indication_ra},
        {"indication-caps", &k.sets.indication_caps},
        {"indication-dira", &k.sets.indication_dira},
        {"indication-stills", &k.sets.indication_stills},
        {"indication-fmf", &k.sets.indication_fmf},
        {"unspecified-jia", &k.sets.unspecified_jia},
        {"off-label-use", &k.sets.off_label_use},
        {"ecoli-protein-allergy", &k.sets.ecoli_protein_allergy},
        {"injection-site-reaction", &k.sets.injection_site_reaction},
        {"subcutaneous-route", &k.sets.subcutaneous_route},
    };
    for (const auto& [name, field] : fields) {
      auto it = k.value_sets.find(name);
      if (it == k.value_sets.end()) {
        Fail("value set \"" + std::string(name) + "\" is required but defined in no file under " +
             dir);
        return;
      }
      *field = &it->second;
    }
  }
};

}  // namespace

const std::vector<std::string>& RequiredValueSets() {
  static const std::vector<std::string> kNames = {"anakinra",
                                                  "tnf-antagonist",
                                                  "il1-blocker",
                                                  "live-vaccine",
                                                  "pneumococcal-vaccine",
                                                  "hib-vaccine",
                                                  "antibacterial-prophylaxis",
                                                  "blood-count-order",
                                                  "body-weight",
                                                  "creatinine-clearance",
                                                  "egfr",
                                                  "neutrophil-count",
                                                  "pregnancy-status",
                                                  "pregnancy-status-pregnant",
                                                  "pregnancy-status-not-pregnant",
                                                  "breastfeeding-status",
                                                  "breastfeeding-status-yes",
                                                  "pregnancy",
                                                  "pregnancy-ended",
                                                  "lactation",
                                                  "severe-renal-impairment",
                                                  "hepatic-impairment",
                                                  "serious-infection",
                                                  "non-infectious-pneumonia",
                                                  "immunosuppression",
                                                  "chronic-infection",
                                                  "indication-ra",
                                                  "indication-caps",
                                                  "indication-dira",
                                                  "indication-stills",
                                                  "indication-fmf",
                                                  "unspecified-jia",
                                                  "off-label-use",
                                                  "ecoli-protein-allergy",
                                                  "injection-site-reaction",
                                                  "subcutaneous-route"};
  return kNames;
}

const std::vector<std::string>& CardCodes() {
  static const std::vector<std::string> kCodes = {"dose-above-maximum",
                                                  "dose-above-range",
                                                  "dose-below-range",
                                                  "dose-frequency",
                                                  "dose-not-checked",
                                                  "data-not-checked",
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

const std::map<std::string, CardKeys>& RequiredCardText() {
  // The keys rules.cc and card_writer.cc use; rules_test checks every finding against the
  // loaded text, so a key added to the rules but not here fails the tests.
  static const std::map<std::string, CardKeys> kKeys = [] {
    const std::vector<std::string> dose_found = {
        "found-weight", "found-fixed", "found-no-frequency", "why",
        "todo-review",  "todo-update", "todo-update-renal",  "todo-update-by-hand"};
    const std::vector<std::string> dose_labels = {"update", "update-renal"};
    std::map<std::string, CardKeys> m;
    m["dose-above-maximum"] = {{"default"}, dose_found, dose_labels};
    CardKeys above = {{"default", "above-label"}, dose_found, dose_labels};
    above.sentences.push_back("why-above-label");
    m["dose-above-range"] = above;
    m["dose-below-range"] = {{"default"}, dose_found, dose_labels};
    m["dose-frequency"] = {
        {"default", "no-frequency", "route", "both"},
        {"found-no-frequency", "found-frequency", "found-route", "why", "why-twice-daily-allowed",
         "why-renal", "todo-see-dose-card", "todo-see-dose-review", "todo-see-renal-card",
         "todo-by-hand", "todo-update", "todo-update-route"},
        {"update", "update-route"}};
    m["dose-not-checked"] = {{"default"}, {"found-unreadable", "found-no-dose", "why", "todo"}, {}};
    m["data-not-checked"] = {{"default"}, {"found", "why", "todo"}, {}};
    m["weight-required"] = {{"default"},
                            {"found-child", "found-adult-indication", "found-implausible", "why",
                             "todo", "weight-stale", "weight-implausible"},
                            {}};
    m["renal-impairment"] = {
        {"default", "monitoring"},
        {"found-value", "found-condition", "why", "todo-qod", "todo-see-dose-card",
         "todo-already-qod", "todo-update-qod", "egfr-normalised", "todo-monitoring",
         "todo-monitoring-frequency-unknown"},
        {"update-qod"}};
    for (const char* c : {"hepatic-impairment", "antibiotic-prophylaxis",
                          "immunosuppression-chronic-infection", "pregnancy", "breastfeeding"})
      m[c] = {{"default"}, {"found", "why", "todo"}, {}};
    m["active-infection"] = {
        {"default", "monitoring"}, {"found", "why", "todo", "todo-monitoring"}, {}};
    for (const char* c : {"immunisation-pneumococcal", "immunisation-hib"})
      m[c] = {{"default"},
              {"found", "why-child", "why-adult", "todo"},
              {"order-vaccine", "vaccine-note"}};
    m["neutrophil-count"] = {
        {"default", "low", "missing-start", "missing-continuation"},
        {"found-low", "found-none", "found-old", "found-old-low", "found-implausible", "why",
         "todo-low-start", "todo-low-continuation", "todo-order", "why-monitoring"},
        {"order-blood-count"}};
    m["tnf-antagonist"] = {
        {"default", "reverse", "monitoring"},
        {"found-active", "found-draft", "found-reverse", "found-reverse-draft",
         "todo-reverse-draft", "why", "todo-choose", "todo-remove", "todo-stop-one", "todo-reverse",
         "todo-reverse-no-suggestion", "found-monitoring", "todo-monitoring"},
        {"remove-anakinra", "remove-other"}};
    m["il1-blocker-duplication"] = {
        {"default", "second-anakinra", "reverse", "monitoring", "monitoring-second-anakinra"},
        {"found-active", "found-draft", "found-second-active", "found-second-draft",
         "found-reverse", "found-reverse-draft", "todo-reverse-draft", "why", "why-second",
         "todo-replace", "todo-stop-one", "todo-remove", "todo-reverse",
         "todo-reverse-no-suggestion", "found-monitoring", "todo-monitoring",
         "found-monitoring-second", "todo-monitoring-second"},
        {"remove-anakinra", "remove-other"}};
    m["live-vaccine"] = {
        {"default", "reverse", "monitoring"},
        {"found-active", "found-draft", "found-reverse", "found-reverse-draft",
         "todo-reverse-draft", "why", "todo-no-suggestion", "todo-remove", "todo-reverse",
         "todo-reverse-no-suggestion", "found-monitoring", "todo-monitoring"},
        {"remove-vaccine"}};
    m["ecoli-protein-hypersensitivity"] = {
        {"default", "intolerance"},
        {"found", "found-intolerance", "why", "todo", "todo-intolerance"},
        {"remove-anakinra"}};
    for (const char* c : {"caps-lifelong", "off-label-indication"})
      m[c] = {{"default"}, {"found-reason", "found-condition", "why", "todo"}, {}};
    m["patient-data-missing"] = {
        {"default", "no-patient"},
        {"found-no-patient", "found-no-birth-date", "found-birth-date-unreadable", "why", "todo"},
        {}};
    m[""] = {{},
             {"birth-date-incomplete", "no-id-update", "no-id-delete", "ignored-values",
              "mgkg-not-checked", "unverified-band", "on-anakinra-for"},
             {}};
    m["checks"] = {
        {},
        {"interactions", "ecoli-protein-hypersensitivity", "conditions", "pregnancy", "indication",
         "immunisation-pneumococcal", "immunisation-hib", "antibiotic-prophylaxis",
         "neutrophil-count", "dose", "weight-required", "renal-impairment", "tnf-antagonist",
         "il1-blocker-duplication", "live-vaccine"},
        {}};
    return m;
  }();
  return kKeys;
}

std::vector<std::string> Knowledge::ObservationLoincCodes() const {
  std::vector<std::string> out;
  for (const ValueSet* vs :
       {sets.body_weight, sets.creatinine_clearance, sets.egfr, sets.neutrophil_count,
        sets.pregnancy_status, sets.breastfeeding_status}) {
    if (vs == nullptr) continue;
    for (const auto& c : vs->codes)
      if (c.system == fhir::system::kLoinc &&
          std::find(out.begin(), out.end(), c.code) == out.end())
        out.push_back(c.code);
  }
  return out;
}

base::StatusOr<std::shared_ptr<const Knowledge>> LoadKnowledge(const std::string& hooks_dir) {
  auto k = std::make_shared<Knowledge>();
  Loader l;
  const fs::path dir = fs::path(hooks_dir) / "knowledge";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    l.Fail(dir.string() + " is not a directory");
    return l.status;
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json") files.push_back(it->path());
  if (ec) {
    l.FailIo("cannot list " + dir.string() + ": " + ec.message());
    return l.status;
  }
  std::sort(files.begin(), files.end());
  // Sources first: every other entry names one.
  std::vector<std::pair<std::string, std::unique_ptr<rapidjson::Document>>> docs;
  docs.reserve(files.size());
  for (const auto& path : files) {
    auto doc = l.ParseFile(path);
    if (l.failed()) return l.status;
    docs.emplace_back(path.filename().string(), std::move(doc));
  }
  for (const auto& [file, doc] : docs) l.LoadSources(*doc, file, *k);
  for (const auto& [file, doc] : docs) {
    l.LoadValueSets(*doc, file, *k);
    if (base::Member(*doc, "bands") != nullptr) l.LoadDosing(*doc, file, *k);
  }
  if (l.failed()) return l.status;
  if (k->dosing.concentration_mg_per_ml <= 0) {
    l.Fail("no dosing file (with \"bands\") under " + dir.string());
    return l.status;
  }
  l.BindValueSets(*k, dir.string());
  if (l.failed()) return l.status;
  bool negation_found = false;
  for (const auto& [file, doc] : docs) {
    if (base::Member(*doc, "negationPhrases") == nullptr) continue;
    if (negation_found) {
      l.Fail(file + ": \"negationPhrases\" is defined twice");
      return l.status;
    }
    negation_found = true;
    k->negation_phrases = l.StringList(*doc, "negationPhrases", file);
    if (l.failed()) return l.status;
  }
  if (!negation_found) {
    l.Fail("\"negationPhrases\" is required but defined in no file under " + dir.string());
    return l.status;
  }
  auto doc = l.ParseFile(fs::path(hooks_dir) / "cards.json");
  if (l.failed()) return l.status;
  l.LoadCards(*doc, "cards.json", *k);
  if (l.failed()) return l.status;
  return std::shared_ptr<const Knowledge>(std::move(k));
}

}  // namespace anakinra
