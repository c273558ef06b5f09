#include "anakinra/rules.h"

#include "anakinra/suggestions.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <set>

namespace anakinra {
namespace {

constexpr double kEps = 1e-9;

std::string Fmt(const char* format, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// "70 mg", "62.5 mg"
std::string Mg(double mg) {
  return std::fabs(mg - std::round(mg)) < 0.05 ? Fmt("%.0f", mg) + " mg" : Fmt("%.1f", mg) + " mg";
}

std::string Num(double v) {
  return std::fabs(v - std::round(v)) < kEps ? Fmt("%.0f", v) : Fmt("%.1f", v);
}

std::string AgeText(const fhir::AgeRange& age) {
  auto one = [](int months) {
    if (months < 24) return std::to_string(months) + (months == 1 ? " month" : " months");
    return std::to_string(months / 12) + " years";
  };
  if (age.exact()) return one(age.max_months);
  return one(age.min_months) + " to " + one(age.max_months) + " (birth date incomplete)";
}

std::string FrequencyText(const fhir::TimingFrequency& f) {
  if (fhir::SameFrequency(f.per_day, 1)) return "once daily";
  if (fhir::SameFrequency(f.per_day, 2)) return "twice daily";
  if (fhir::SameFrequency(f.per_day, 0.5)) return "every other day";
  return Fmt("%.3g", f.per_day) + " times a day (" + f.code + ")";
}

std::string Join(const std::vector<std::string>& parts, const std::string& last_sep = " and ") {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? last_sep : ", ";
    out += parts[i];
  }
  return out;
}

std::string EvidenceText(const std::vector<Evidence>& evidence) {
  std::vector<std::string> parts;
  parts.reserve(evidence.size());
  for (const auto& e : evidence)
    parts.push_back("**" + e.label + "**" + (e.date.empty() ? "" : " (" + e.date + ")"));
  return Join(parts);
}

std::string OrderText(const Order& o) {
  return o.label + (o.draft ? " (draft order " + o.key + ")" : " (active order " + o.key + ")");
}

class Evaluator {
 public:
  explicit Evaluator(const RuleContext& ctx)
      : ctx_(ctx), k_(ctx.knowledge), d_(ctx.knowledge.dosing) {}

  std::vector<Finding> Run() {
    bool any_anakinra_in_focus = false;
    for (const Order& o : ctx_.orders) {
      if (o.evaluated && o.drug == DrugClass::kAnakinra) {
        any_anakinra_in_focus = true;
        EvaluateAnakinra(o);
      }
    }
    for (const Order& o : ctx_.orders)
      if (o.evaluated && o.drug != DrugClass::kAnakinra && o.drug != DrugClass::kOther &&
          o.drug != DrugClass::kAntibacterial)
        EvaluateInteractingOrder(o, any_anakinra_in_focus);
    return std::move(findings_);
  }

 private:
  // ---- helpers -------------------------------------------------------------------------------
  Finding& Add(const std::string& code, const std::string& subject) {
    for (auto& f : findings_)
      if (f.code == code && f.subject == subject) {
        duplicate_ = f;
        return duplicate_;  // already reported: write into a scratch finding
      }
    findings_.push_back(Finding{code, subject, {}, {}, "at-most-one", {}, {}});
    return findings_.back();
  }

  bool Has(const std::string& code, const std::string& subject) const {
    return std::any_of(findings_.begin(), findings_.end(),
                       [&](const Finding& f) { return f.code == code && f.subject == subject; });
  }

  const PatientFacts& FactsAt(fhir::EpochSeconds t) {
    for (auto& [time, facts] : facts_)
      if (time == t) return facts;
    facts_.emplace_back(t, ctx_.reader.ReadPatient(t));
    return facts_.back().second;
  }

  // ---- anakinra orders -----------------------------------------------------------------------
  void EvaluateAnakinra(const Order& a) {
    const fhir::EpochSeconds t = a.authored_on.value_or(ctx_.now);
    const PatientFacts& p = FactsAt(t);
    Interactions(a);
    Allergy(a, p);
    Conditions(p);
    const bool renal = Renal(a, p);
    Immunisations(p);
    Neutrophils(p, t);
    Indication(a, p);
    if (!p.patient_known || !p.birth_date || !p.age) {
      PatientDataMissing(p);
      return;
    }
    Prophylaxis(a, p);
    Dose(a, p, t, renal);
  }

  void Interactions(const Order& a) {
    std::vector<const Order*> tnf, il1, live;
    for (const Order& o : ctx_.orders) {
      if (&o == &a) continue;
      if (o.drug == DrugClass::kTnfAntagonist) tnf.push_back(&o);
      if (o.drug == DrugClass::kIl1Blocker) il1.push_back(&o);
      if (o.drug == DrugClass::kLiveVaccine) live.push_back(&o);
      if (o.drug == DrugClass::kAnakinra &&
          !(o.draft && o.evaluated && reported_pairs_.count(o.key)))
        il1.push_back(&o);
    }
    reported_pairs_.insert(a.key);
    if (!tnf.empty())
      InteractionCard("tnf-antagonist", a, tnf, "Remove the draft anakinra order", true);
    if (!il1.empty())
      InteractionCard("il1-blocker-duplication", a, il1, "Remove the draft anakinra order", false);
    if (!live.empty()) LiveVaccineCard(a, live);
  }

  void InteractionCard(const std::string& code, const Order& a,
                       const std::vector<const Order*>& others,
                       const std::string& remove_anakinra_label, bool choose_either) {
    Finding& f = Add(code, a.key);
    std::vector<std::string> names, details;
    for (const Order* o : others) {
      names.push_back(o->label);
      details.push_back(OrderText(*o));
    }
    f.params["anakinra"] = OrderText(a);
    f.params["other"] = Join(names);
    f.params["otherDetail"] = Join(details);
    std::vector<std::string> removable;
    std::vector<cdshooks::Suggestion> remove_others;
    for (const Order* o : others)
      if (o->draft) {
        remove_others.push_back(DeleteOrder(o->key, "Remove the draft order for " + o->label));
        removable.push_back(o->label);
      }
    // A TNF antagonist pair is a choice between the two drafts; a duplicate IL-1 blocker is the
    // other draft, or this anakinra draft when the other is already active.
    if (choose_either || removable.empty())
      f.suggestions.push_back(DeleteOrder(a.key, remove_anakinra_label));
    for (auto& s : remove_others) f.suggestions.push_back(std::move(s));
    if (removable.empty()) {
      f.params["action"] =
          "The other drug is already active: the suggestion removes the draft "
          "anakinra order; to switch instead, stop the other drug and document it.";
    } else if (choose_either) {
      f.params["action"] =
          "The suggestions remove either the draft anakinra order or the draft "
          "order for " +
          Join(removable, " or ") + "; pick one.";
    } else {
      f.params["action"] =
          "The suggestion removes the duplicate draft order for " + Join(removable) + ".";
    }
  }

  void LiveVaccineCard(const Order& a, const std::vector<const Order*>& vaccines) {
    Finding& f = Add("live-vaccine", a.key);
    std::vector<std::string> names, details;
    for (const Order* v : vaccines) {
      names.push_back(v->label);
      details.push_back(OrderText(*v));
      if (v->draft)
        f.suggestions.push_back(DeleteOrder(v->key, "Remove the draft order for " + v->label));
    }
    f.params["anakinra"] = OrderText(a);
    f.params["vaccine"] = Join(names);
    f.params["vaccineDetail"] = Join(details);
    f.params["action"] =
        f.suggestions.empty()
            ? "Do not give the live vaccine while on anakinra; if it is needed, give it before "
              "starting treatment."
            : "Do not give the live vaccine while on anakinra; the suggestion removes the draft "
              "vaccine order. If it is needed, give it before starting treatment.";
  }

  void Allergy(const Order& a, const PatientFacts& p) {
    if (p.ecoli_allergy.empty()) return;
    Finding& f = Add("ecoli-protein-hypersensitivity", a.key);
    f.params["allergy"] = "allergy on record: " + EvidenceText(p.ecoli_allergy);
    f.params["allergyShort"] = p.ecoli_allergy.front().label;
    f.suggestions.push_back(DeleteOrder(a.key, "Remove the draft anakinra order"));
  }

  void Conditions(const PatientFacts& p) {
    if (!p.serious_infection.empty()) {
      Finding& f = Add("active-infection", "");
      f.params["infection"] = "active condition " + EvidenceText(p.serious_infection);
      f.params["infectionShort"] = p.serious_infection.front().label;
    }
    if (!p.immunosuppression.empty() || !p.chronic_infection.empty()) {
      std::vector<Evidence> all = p.immunosuppression;
      all.insert(all.end(), p.chronic_infection.begin(), p.chronic_infection.end());
      Finding& f = Add("immunosuppression-chronic-infection", "");
      f.params["condition"] = "active condition " + EvidenceText(all);
      f.params["conditionShort"] = all.front().label;
    }
    if (!p.hepatic.empty()) {
      Finding& f = Add("hepatic-impairment", "");
      f.params["evidence"] = "active condition " + EvidenceText(p.hepatic);
    }
    if (!p.pregnancy.empty()) {
      Finding& f = Add("pregnancy", "");
      f.params["evidence"] = "pregnancy recorded: " + EvidenceText(p.pregnancy);
    }
    if (!p.breastfeeding.empty()) {
      Finding& f = Add("breastfeeding", "");
      f.params["evidence"] = "breast-feeding recorded: " + EvidenceText(p.breastfeeding);
    }
  }

  bool Renal(const Order& a, const PatientFacts& p) {
    const bool low = p.renal_ml_min && p.renal_ml_min->value < d_.renal_threshold_ml_min - kEps;
    if (!low && p.renal_conditions.empty()) return false;
    Finding& f = Add("renal-impairment", a.key);
    std::vector<std::string> parts;
    if (low)
      parts.push_back("**" + p.renal_ml_min->label + " " + Num(p.renal_ml_min->value) +
                      " mL/min** on " + fhir::FormatDate(p.renal_ml_min->time));
    if (!p.renal_conditions.empty())
      parts.push_back("active condition " + EvidenceText(p.renal_conditions));
    f.params["evidence"] = Join(parts);
    f.params["evidenceShort"] =
        low ? (p.renal_is_egfr ? "eGFR " : "CrCl ") + Num(p.renal_ml_min->value) + " mL/min"
            : p.renal_conditions.front().label;
    f.params["threshold"] = Num(d_.renal_threshold_ml_min);
    const bool every_other_day = a.frequency && fhir::SameFrequency(a.frequency->per_day, 0.5);
    if (every_other_day) {
      f.params["action"] = "the order is already every other day; keep it so.";
    } else {
      f.params["action"] =
          "give the prescribed dose every other day; the suggestion changes the "
          "order's timing and keeps the dose.";
      DoseChange change;
      change.period_days = 2;
      f.suggestions.push_back(UpdateOrder(*a.resource, change, "Give every other day",
                                          "Change " + a.key + " to every other day (same dose)."));
    }
    return true;
  }

  void Immunisations(const PatientFacts& p) {
    auto card = [&](const char* code, const char* set, const std::vector<Evidence>& given) {
      if (!given.empty()) return;
      const cdshooks::Coding& vaccine = d_.suggested_orders.at(set);
      Finding& f = Add(code, "");
      f.params["vaccine"] = vaccine.display + " (CVX " + vaccine.code + ")";
      f.suggestions.push_back(
          CreateVaccineOrder(ctx_.patient_id, vaccine, "Order " + vaccine.display));
    };
    card("immunisation-pneumococcal", "pneumococcal-vaccine", p.pneumococcal_vaccines);
    card("immunisation-hib", "hib-vaccine", p.hib_vaccines);
  }

  void Neutrophils(const PatientFacts& p, fhir::EpochSeconds t) {
    const bool recent = p.neutrophils && (t - p.neutrophils->time) / fhir::kSecondsPerDay <=
                                             d_.neutrophil_max_age_days;
    const bool low = recent && p.neutrophils->value < d_.neutrophil_threshold - kEps;
    if (recent && !low) return;
    Finding& f = Add("neutrophil-count", "");
    f.params["threshold"] = Fmt("%.3g", d_.neutrophil_threshold);
    const std::string last =
        p.neutrophils ? "the latest, " + Fmt("%.3g", p.neutrophils->value) + " x10^9/L on " +
                            fhir::FormatDate(p.neutrophils->time) + ", is older than " +
                            std::to_string(d_.neutrophil_max_age_days) + " days."
                      : "none is on record.";
    if (low) {
      f.params["summary"] = "Neutrophil count " + Fmt("%.3g", p.neutrophils->value) +
                            " x10^9/L is below " + Fmt("%.3g", d_.neutrophil_threshold) +
                            ": do not start anakinra";
      f.params["finding"] = "absolute neutrophil count **" + Fmt("%.3g", p.neutrophils->value) +
                            " x10^9/L** on " + fhir::FormatDate(p.neutrophils->time) + ".";
      f.params["action"] =
          "do not start anakinra until the count recovers; look for the cause and "
          "repeat the count.";
    } else {
      const cdshooks::Coding& test = d_.suggested_orders.at("cbc-with-differential");
      f.params["summary"] = "No neutrophil count in the " +
                            std::to_string(d_.neutrophil_max_age_days) +
                            " days before starting anakinra";
      f.params["finding"] = "no absolute neutrophil count in the " +
                            std::to_string(d_.neutrophil_max_age_days) + " days before " +
                            fhir::FormatDate(t) + "; " + last;
      f.params["action"] =
          "check a blood count with differential before the first dose; the "
          "suggestion drafts the order.";
      f.suggestions.push_back(CreateLabOrder(ctx_.patient_id, test, "Order " + test.display));
    }
    if (!p.neutrophil_notes.empty())
      f.params["notes"] = "\n\nIgnored (could not be read): " + Join(p.neutrophil_notes) + ".";
  }

  struct IndicationFacts {
    bool from_reason = false;
    bool ra = false, caps = false, dira = false, stills = false, off_label = false;
    std::string off_label_label, caps_label;
    std::string detail;
  };

  IndicationFacts ReadIndication(const Order& a, const PatientFacts& p) const {
    IndicationFacts ind;
    auto in = [&](const char* set, const fhir::Json& cc) {
      return k_.Set(set).set.MatchesConcept(cc);
    };
    if (!a.reasons.empty()) {
      ind.from_reason = true;
      std::vector<std::string> labels;
      for (const fhir::Json* r : a.reasons) {
        const std::string label = fhir::ConceptLabel(*r);
        labels.push_back(label);
        const bool ra = in("indication-ra", *r), caps = in("indication-caps", *r),
                   dira = in("indication-dira", *r);
        ind.ra |= ra;
        ind.caps |= caps;
        ind.dira |= dira;
        ind.stills |= in("indication-stills", *r);
        if (caps && ind.caps_label.empty()) ind.caps_label = label;
        if (!ra && !caps && !dira && ind.off_label_label.empty()) ind.off_label_label = label;
      }
      ind.off_label = !ind.ra && !ind.caps && !ind.dira;
      ind.detail = "the order's reason: **" + Join(labels) + "**";
      return ind;
    }
    ind.ra = !p.ra.empty();
    ind.caps = !p.caps.empty();
    ind.dira = !p.dira.empty();
    ind.stills = !p.stills.empty();
    if (ind.caps) ind.caps_label = p.caps.front().label;
    const bool on_label = ind.ra || ind.caps || ind.dira;
    if (!on_label && (ind.stills || !p.off_label.empty())) {
      ind.off_label = true;
      ind.off_label_label = ind.stills ? p.stills.front().label : p.off_label.front().label;
    }
    std::vector<Evidence> all = p.ra;
    for (const auto* v : {&p.caps, &p.dira, &p.stills, &p.off_label})
      all.insert(all.end(), v->begin(), v->end());
    ind.detail = "no reason on the order; active conditions: " +
                 (all.empty() ? std::string("none relevant") : EvidenceText(all));
    return ind;
  }

  void Indication(const Order& a, const PatientFacts& p) {
    const IndicationFacts ind = ReadIndication(a, p);
    if (ind.caps) {
      Finding& f = Add("caps-lifelong", "");
      f.params["indication"] = ind.caps_label;
      f.params["indicationDetail"] = ind.detail;
    }
    if (ind.off_label) {
      Finding& f = Add("off-label-indication", a.key);
      f.params["indication"] = ind.off_label_label;
      f.params["indicationDetail"] = "indication from " + ind.detail;
      if (ind.stills)
        f.params["notes"] =
            "\n\nStill's disease (systemic JIA, adult-onset Still's) is an EU "
            "indication for anakinra but not a US one.";
    }
  }

  void PatientDataMissing(const PatientFacts& p) {
    Finding& f = Add("patient-data-missing", "");
    if (!p.patient_known) {
      f.params["missing"] = "the request holds no Patient resource (prefetch \"patient\" is null).";
      f.params["missingShort"] = "no patient record";
    } else {
      f.params["missing"] = p.birth_date ? "the birth date is after the order date."
                                         : "the patient has no (valid) birth date.";
      f.params["missingShort"] = "no birth date";
    }
  }

  void Prophylaxis(const Order& a, const PatientFacts& p) {
    (void)a;
    if (p.age->min_months >= static_cast<int>(d_.very_young_age_years * 12)) return;
    for (const Order& o : ctx_.orders)
      if (o.drug == DrugClass::kAntibacterial) return;
    Finding& f = Add("antibiotic-prophylaxis", "");
    f.params["medication"] = a.label;
    f.params["age"] = AgeText(*p.age);
    f.params["years"] = Num(d_.very_young_age_years);
  }

  // ---- dose ---------------------------------------------------------------------------------
  const DoseBand& BandFor(int months, bool weight_based) const {
    const double years = months / 12.0;
    if (years < d_.very_young_age_years) return d_.very_young_child;
    if (years < d_.adult_age_years) return d_.child;
    return weight_based ? d_.adult_weight_based : d_.adult;
  }

  void Dose(const Order& a, const PatientFacts& p, fhir::EpochSeconds t, bool renal) {
    const IndicationFacts ind = ReadIndication(a, p);
    const bool weight_based_indication = ind.caps || ind.dira || ind.stills;
    // The oldest possible age picks the band; say so when the youngest would pick another.
    const DoseBand& band = BandFor(p.age->max_months, weight_based_indication);
    const DoseBand& young_band = BandFor(p.age->min_months, weight_based_indication);
    std::string notes;
    if (&band != &young_band)
      notes += "\n\nThe birth date is incomplete: the patient may be a " + young_band.label +
               ". The " + band.label + " range was used (the oldest possible age).";
    if (&band == &d_.very_young_child)
      notes +=
          "\n\nThe seed's 6-10 mg/kg/day for very young children goes above the US label "
          "maximum of " +
          Num(d_.label_maximum_mg_per_kg) + " mg/kg/day.";

    if (band.per_kg && !p.weight_kg) {
      Finding& f = Add("weight-required", a.key);
      f.params["medication"] = a.label;
      f.params["days"] = std::to_string(d_.weight_max_age_days);
      f.params["referenceDate"] = fhir::FormatDate(t);
      f.params["reason"] = &band == &d_.adult_weight_based ? "adult with a weight-based indication"
                                                           : "age " + AgeText(*p.age);
      std::string w;
      if (p.stale_weight_kg)
        w += " The latest weight, " + Num(p.stale_weight_kg->value) + " kg on " +
             fhir::FormatDate(p.stale_weight_kg->time) + ", is too old to use.";
      if (!p.weight_notes.empty())
        w += " Ignored (could not be read): " + Join(p.weight_notes) + ".";
      f.params["weightNote"] = w;
      f.params["notes"] = notes;
      // Frequency and route do not depend on the weight: check them all the same.
      if (a.has_dose) FrequencyAndRoute(a, band, renal, notes, std::nullopt);
      return;
    }
    if (!a.has_dose) return;  // not filled in yet (order-select)
    if (!a.frequency) {
      FrequencyAndRoute(a, band, renal, notes, std::nullopt);
      return;
    }
    const double per_day = a.frequency->per_day;
    const bool qod = fhir::SameFrequency(per_day, 0.5);
    // With renal impairment every other day is the recommended regimen: check each dose.
    const double daily = qod && renal ? *a.dose_mg : *a.dose_mg * per_day;

    const bool written_in_mg =
        a.dose_text.size() > 3 && a.dose_text.compare(a.dose_text.size() - 3, 3, " mg") == 0;
    const std::string dose_text = a.dose_text + (written_in_mg ? "" : " (" + Mg(*a.dose_mg) + ")") +
                                  " " + FrequencyText(*a.frequency) +
                                  (a.has_route ? ", " + a.route_label : "");
    std::map<std::string, std::string> params = {{"medication", a.label},
                                                 {"doseText", dose_text},
                                                 {"age", AgeText(*p.age)},
                                                 {"band", band.label},
                                                 {"bandShort", BandShort(band)}};
    params["dailyDose"] = Mg(daily) + (qod && renal ? " per dose (every other day)" : "/day");

    double low_mg = 0, high_mg = 0, max_mg = 0;
    const bool has_weight = p.weight_kg.has_value();
    const double weight = has_weight ? p.weight_kg->value : 0;
    if (band.per_kg) {
      const double w = weight;
      low_mg = band.usual_min * w;
      high_mg = band.usual_max * w;
      max_mg = band.maximum * w;
      params["perKg"] = " = **" + Fmt("%.2f", daily / w) + " mg/kg/day** for " + Num(w) +
                        " kg (weighed " + fhir::FormatDate(p.weight_kg->time) + ")";
      params["usualRange"] = Num(band.usual_min) + "-" + Num(band.usual_max) + " mg/kg/day";
      params["maximum"] = Num(band.maximum) + " mg/kg/day";
    } else {
      low_mg = band.usual_min;
      high_mg = band.usual_max;
      max_mg = has_weight ? band.maximum_mg_per_kg * weight : 0;
      params["usualRange"] = band.usual_min == band.usual_max
                                 ? Num(band.usual_min) + " mg/day"
                                 : Num(band.usual_min) + "-" + Num(band.usual_max) + " mg/day";
      params["maximum"] = Num(band.maximum_mg_per_kg) + " mg/kg/day";
      if (has_weight) {
        params["perKg"] =
            " = " + Fmt("%.2f", daily / weight) + " mg/kg/day for " + Num(weight) + " kg";
      } else {
        notes += "\n\nNo body weight in the last " + std::to_string(d_.weight_max_age_days) +
                 " days, so the maximum of " + params["maximum"] + " could not be checked.";
      }
    }

    std::string code;
    if (max_mg > 0 && daily > max_mg * (1 + kEps)) {
      code = "dose-above-maximum";
    } else if (daily > high_mg * (1 + kEps)) {
      code = "dose-above-range";
    } else if (daily < low_mg * (1 - kEps)) {
      code = "dose-below-range";
    }
    if (!code.empty()) {
      const double target = SuggestedDaily(daily, low_mg, high_mg, max_mg);
      const bool keep_qod = qod && renal;
      params["suggestedDose"] =
          Mg(target) + (keep_qod ? " every other day" : " once daily") + " subcutaneously";
      params["notes"] = notes;
      Finding& f = Add(code, a.key);
      f.params = params;
      f.source = band.source;  // the seed for children's ranges, the label for adults
      f.section = band.section;
      DoseChange change;
      change.dose_mg = target;
      change.period_days = keep_qod ? 2 : 1;
      change.subcutaneous = true;
      f.suggestions.push_back(UpdateOrder(*a.resource, change,
                                          "Change to " + params["suggestedDose"],
                                          "Set " + a.key + " to " + params["suggestedDose"] + "."));
    }
    FrequencyAndRoute(a, band, renal, notes, daily);
  }

  // The dose-frequency card: not once daily (other than every other day with renal impairment,
  // or a twice-daily split of a weight-based dose), or not subcutaneous. `daily` is the checked
  // daily dose, nullopt when it could not be checked.
  void FrequencyAndRoute(const Order& a, const DoseBand& band, bool renal, const std::string& notes,
                         std::optional<double> daily) {
    if (!a.frequency) {
      if (ctx_.hook == "order-sign")
        FrequencyCard(a, band, "no frequency is given", "no frequency", renal, notes);
      return;
    }
    const double per_day = a.frequency->per_day;
    const bool qd = fhir::SameFrequency(per_day, 1);
    const bool qod = fhir::SameFrequency(per_day, 0.5);
    const bool bid = fhir::SameFrequency(per_day, 2);
    const bool frequency_ok = qd || (qod && renal) || (bid && band.per_kg);
    const bool route_ok = !a.has_route || a.route_subcutaneous;
    if (frequency_ok && route_ok) return;
    std::vector<std::string> problems, shorts;
    if (!frequency_ok) {
      problems.push_back("given " + FrequencyText(*a.frequency));
      shorts.push_back(FrequencyText(*a.frequency));
    }
    if (!route_ok) {
      problems.push_back("route " + a.route_label);
      shorts.push_back(a.route_label + " route");
    }
    FrequencyCard(a, band, Join(problems), Join(shorts), renal, notes, daily);
  }

  static std::string BandShort(const DoseBand& band) {
    if (band.name == "very-young-child") return "a child under 2 years";
    if (band.name == "child") return "a child";
    if (band.name == "adult-weight-based") return "an adult with a weight-based indication";
    return "an adult";
  }

  // The nearest daily dose inside [low, high], rounded to the step without leaving the range or
  // exceeding the maximum; whole milligrams when no step fits.
  double SuggestedDaily(double daily, double low, double high, double max) const {
    const double clamped = std::clamp(daily, low, high);
    const double step = d_.dose_rounding_mg;
    double rounded = std::round(clamped / step) * step;
    if (rounded > high + kEps) rounded = std::floor(high / step) * step;
    if (rounded < low - kEps) rounded = std::ceil(low / step) * step;
    if (rounded < low - kEps || rounded > high + kEps || rounded <= 0)
      rounded = std::round(clamped);
    if (max > 0 && rounded > max) rounded = std::floor(max);
    return rounded;
  }

  void FrequencyCard(const Order& a, const DoseBand& band, const std::string& problems,
                     const std::string& problem_short, bool renal, const std::string& notes,
                     std::optional<double> daily = std::nullopt) {
    Finding& f = Add("dose-frequency", a.key);
    f.params["medication"] = a.label;
    f.params["problems"] = problems;
    f.params["problemShort"] = problem_short;
    std::string allowed = "Once daily is the regimen";
    if (band.per_kg) allowed += "; a weight-based dose may be split twice daily";
    if (renal) allowed += "; with severe renal impairment the dose is given every other day";
    f.params["allowed"] = allowed + ".";
    f.params["notes"] = notes;
    const bool keep_qod = renal && a.frequency && fhir::SameFrequency(a.frequency->per_day, 0.5);
    if (daily && !Has("dose-above-maximum", a.key) && !Has("dose-above-range", a.key) &&
        !Has("dose-below-range", a.key)) {
      DoseChange change;
      change.dose_mg = *daily;
      change.period_days = keep_qod ? 2 : 1;
      change.subcutaneous = true;
      const std::string target =
          Mg(*daily) + (keep_qod ? " every other day" : " once daily") + " subcutaneously";
      f.params["action"] =
          "give the same daily amount as " + target + "; the suggestion updates the order.";
      f.suggestions.push_back(UpdateOrder(*a.resource, change, "Change to " + target,
                                          "Set " + a.key + " to " + target + "."));
    } else if (daily) {
      f.params["action"] =
          "accept the dose card's suggestion, which also sets once-daily "
          "subcutaneous dosing.";
    } else if (a.frequency) {
      f.params["action"] =
          "give the dose once daily by subcutaneous injection; record a body weight "
          "so that the daily dose can be checked.";
    } else {
      f.params["action"] =
          "complete the order with a once-daily subcutaneous regimen; the daily dose "
          "could not be checked without a frequency.";
    }
  }

  // ---- interacting orders (the reverse direction) -----------------------------------------
  void EvaluateInteractingOrder(const Order& x, bool anakinra_in_focus) {
    if (anakinra_in_focus) return;  // the anakinra order's card already names this pair
    std::vector<const Order*> anakinra;
    for (const Order& o : ctx_.orders)
      if (o.drug == DrugClass::kAnakinra) anakinra.push_back(&o);
    if (anakinra.empty()) return;
    std::vector<std::string> names;
    names.reserve(anakinra.size());
    for (const Order* o : anakinra) names.push_back(OrderText(*o));
    const char* code = x.drug == DrugClass::kTnfAntagonist ? "tnf-antagonist"
                       : x.drug == DrugClass::kIl1Blocker  ? "il1-blocker-duplication"
                                                           : "live-vaccine";
    Finding& f = Add(code, x.key);
    f.params["anakinra"] = Join(names);
    f.params["other"] = x.label;
    f.params["otherDetail"] = OrderText(x);
    f.params["vaccine"] = x.label;
    f.params["vaccineDetail"] = OrderText(x);
    if (x.draft) {
      f.suggestions.push_back(DeleteOrder(x.key, "Remove the draft order for " + x.label));
      f.params["action"] =
          x.drug == DrugClass::kLiveVaccine
              ? "Do not give the live vaccine while on anakinra; the suggestion removes the draft "
                "vaccine order."
              : "The patient is already on anakinra: the suggestion removes the new draft order.";
    }
  }

  const RuleContext& ctx_;
  const Knowledge& k_;
  const DosingPolicy& d_;
  std::vector<Finding> findings_;
  Finding duplicate_;
  std::deque<std::pair<fhir::EpochSeconds, PatientFacts>> facts_;  // stable references
  std::set<std::string> reported_pairs_;
};

}  // namespace

std::vector<Finding> RunRules(const RuleContext& ctx) { return Evaluator(ctx).Run(); }

}  // namespace anakinra
