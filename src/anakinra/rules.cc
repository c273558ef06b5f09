#include "anakinra/rules.h"

#include "base/ascii.h"

#include "anakinra/suggestions.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <deque>
#include <optional>

namespace anakinra {
namespace {

constexpr double kEps = 1e-9;

std::string Fmt(const char* format, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// 70 -> "70", 62.5 -> "62.5", 1.25 -> "1.25"
std::string Num(double v) {
  if (std::fabs(v - std::round(v)) < 0.005) return Fmt("%.0f", v);
  if (std::fabs(v * 10 - std::round(v * 10)) < 0.05) return Fmt("%.1f", v);
  return Fmt("%.2f", v);
}
std::string Mg(double mg) { return Num(mg) + " mg"; }

std::string AgeText(const fhir::AgeRange& age) {
  auto one = [](int months) {
    if (months < 24) return std::to_string(months) + (months == 1 ? " month" : " months");
    return std::to_string(months / 12) + " years";
  };
  if (age.exact()) return one(age.max_months);
  return one(age.min_months) + " to " + one(age.max_months);
}

std::string FrequencyText(const fhir::TimingFrequency& f) {
  if (fhir::SameFrequency(f.per_day, 1)) return "once daily";
  if (fhir::SameFrequency(f.per_day, 2)) return "twice daily";
  if (fhir::SameFrequency(f.per_day, 0.5)) return "every other day";
  return Num(f.per_day) + " times a day";
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
    parts.push_back(e.label + (e.date.empty() ? "" : " (" + e.date + ")"));
  return Join(parts);
}

using base::Lower;

// "Intravenous route" -> "Intravenous": the card adds "route" itself.
std::string RouteName(const std::string& label) {
  std::string name = label;
  const std::string lower = Lower(name);
  if (lower.size() > 6 && lower.compare(lower.size() - 6, 6, " route") == 0)
    name.resize(name.size() - 6);
  return name.empty() ? "unnamed" : name;
}

bool IsActive(const Order& o) { return !o.draft; }

// The indication of an anakinra order (policy §4: the order's reasons first, else the
// patient's active conditions).
struct Indication {
  bool from_reason = false;
  bool ra = false, caps = false, dira = false, stills = false, fmf = false;
  bool off_label = false;
  std::string label;       // what the indication is, for the card
  std::string caps_label;  // the CAPS indication's label
  bool labelled() const { return ra || caps || dira || stills || fmf; }
};

// The result of checking one regimen against one band.
struct BandCheck {
  const DoseBand* band = nullptr;
  int severity = 0;          // 0 in range, 1 warning, 2 critical
  std::string code;          // dose-above-maximum | dose-above-range | dose-below-range | ""
  bool above_label = false;  // very young: above the label maximum, within the seed's
  double target = 0;         // the suggested daily dose (per administration with renal QOD)
};

class Evaluator {
 public:
  Evaluator(const RuleInput& in, std::vector<NotChecked>& not_checked)
      : in_(in), k_(in.knowledge), d_(in.knowledge.dosing), not_checked_(not_checked) {}

  std::vector<Finding> Run() {
    if (in_.hook == "patient-view") {
      for (const AnakinraInFocus& x : in_.anakinra)
        if (x.order != nullptr && x.patient != nullptr) MonitorAnakinra(x);
      return std::vector<Finding>(findings_.begin(), findings_.end());
    }
    for (const AnakinraInFocus& x : in_.anakinra)
      if (x.order != nullptr && x.patient != nullptr) EvaluateAnakinra(x);
    const bool anakinra_in_focus = std::any_of(
        in_.anakinra.begin(), in_.anakinra.end(),
        [](const AnakinraInFocus& x) { return x.order != nullptr && x.patient != nullptr; });
    for (const Order& o : in_.orders)
      if (o.evaluated && (o.drug == DrugClass::kTnfAntagonist || o.drug == DrugClass::kIl1Blocker ||
                          o.drug == DrugClass::kLiveVaccine))
        EvaluateInteractingOrder(o, anakinra_in_focus);
    return std::vector<Finding>(findings_.begin(), findings_.end());
  }

 private:
  // ---- helpers -------------------------------------------------------------------------------
  // One card per finding per order: a second Add of the same code and subject returns nullptr.
  Finding* Add(const std::string& code, const std::string& subject) {
    for (const auto& f : findings_)
      if (f.code == code && f.subject == subject) return nullptr;
    Finding f;
    f.code = code;
    f.subject = subject;
    findings_.push_back(std::move(f));
    return &findings_.back();
  }
  Finding* Find(const std::string& code, const std::string& subject) {
    for (auto& f : findings_)
      if (f.code == code && f.subject == subject) return &f;
    return nullptr;
  }

  static Coverage Cov(const PatientFacts& p, DataKey key) {
    return p.coverage[static_cast<std::size_t>(key)];
  }
  static bool Complete(const PatientFacts& p, DataKey key) {
    return Cov(p, key) == Coverage::kComplete;
  }
  void NotCheckedFor(const std::string& check, DataKey key) {
    const std::size_t i = static_cast<std::size_t>(key);
    const std::string name = i < k_.data_keys.size() ? k_.data_keys[i] : std::to_string(i);
    for (const auto& n : not_checked_)
      if (n.check == check && n.key == name) return;
    not_checked_.push_back(NotChecked{check, name});
  }
  // Presence rules run on partial data, but the check did not fully run.
  void NoteIncomplete(const PatientFacts& p, const std::string& check, DataKey key) {
    if (!Complete(p, key)) NotCheckedFor(check, key);
  }

  static void BirthDateNote(const PatientFacts& p, Finding& f) {
    if (p.age && !p.age->exact()) f.notes.push_back("birth-date-incomplete");
  }

  // A delete suggestion for a draft order, or a note when it has no id.
  static void AddDelete(Finding& f, const Order& o, const char* label_key) {
    if (!o.draft) return;
    if (o.key.empty()) {
      if (std::find(f.notes.begin(), f.notes.end(), "no-id-delete") == f.notes.end())
        f.notes.push_back("no-id-delete");
      return;
    }
    f.suggestions.push_back(DeleteOrder(o.key, label_key));
  }

  // ---- anakinra orders -----------------------------------------------------------------------
  void EvaluateAnakinra(const AnakinraInFocus& x) {
    const Order& a = *x.order;
    const PatientFacts& p = *x.patient;
    Interactions(a, p);
    Allergy(a, p);
    Conditions(p);
    const Indication ind = ReadIndication(a, p);
    IndicationCards(a, p, ind);
    const bool renal = RenalImpairment(p);
    // Renal impairment fires on presence: with incomplete observations a low value may be unread.
    NoteIncomplete(p, "renal-impairment", DataKey::kObservations);
    if (x.treatment.phase == Phase::kStart) Immunisations(p);
    Prophylaxis(p);
    Neutrophils(p, x.treatment);
    const bool dose_read_required = !(in_.hook == "order-select" && !a.dose_filled);
    if (!dose_read_required) {
      if (renal) RenalCard(a, p, nullptr);
      return;  // not filled in yet (order-select): no dose card, no dose-not-checked
    }
    DoseNotChecked(a);
    const DoseOutcome outcome = Dose(a, p, ind, renal);
    if (renal) RenalCard(a, p, &outcome);
  }

  // ---- patient-view: a patient on anakinra (policy §7) ----------------------------------------
  // The order hooks' rules on an active order, without dose or start cards: interactions,
  // infection, pregnancy and breast-feeding, renal function against the order's frequency, and
  // the neutrophil schedule of the treatment's phase. Every card says how long the patient has
  // been on anakinra, when the start is known.
  void MonitorAnakinra(const AnakinraInFocus& x) {
    const Order& a = *x.order;
    const PatientFacts& p = *x.patient;
    const std::size_t before = findings_.size();
    Interactions(a, p);
    NoteIncomplete(p, "conditions", DataKey::kConditions);
    auto simple = [&](const char* code, const std::vector<Evidence>& ev) {
      if (ev.empty()) return;
      if (Finding* f = Add(code, "")) {
        f->params["drug"] = a.label;
        f->params["evidence"] = EvidenceText(ev);
        f->params["evidenceShort"] = ev.front().label;
        if (std::string(code) == "active-infection") {  // "do not start" does not apply
          f->summary = "monitoring";
          f->todo = {"todo-monitoring"};
        }
      }
    };
    simple("active-infection", p.serious_infection);
    NoteIncomplete(p, "pregnancy", DataKey::kObservations);
    simple("pregnancy", p.pregnancy);
    simple("breastfeeding", p.breastfeeding);
    if (RenalImpairment(p)) MonitorRenal(a, p);
    Neutrophils(p, x.treatment);
    for (std::size_t i = before; i < findings_.size(); ++i) {
      Finding& f = findings_[i];
      if (f.code == "neutrophil-count") {
        // On treatment whatever the start date: the start wording never applies here.
        if (f.summary == "missing-start") f.summary = "missing-continuation";
        if (f.summary == "missing-continuation") f.indicator = "info";
        for (auto& t : f.todo)
          if (t == "todo-low-start") t = "todo-low-continuation";
        f.why = {"why-monitoring"};
      }
      if (!x.treatment.began) continue;
      f.params["onAnakinra"] = Duration(p.reference_time - *x.treatment.began);
      f.params["since"] = fhir::FormatDate(*x.treatment.began);
      f.notes.push_back("on-anakinra-for");
    }
  }

  // "3 months", "1 year and 2 months", "12 days".
  static std::string Duration(fhir::EpochSeconds seconds) {
    const long days =
        static_cast<long>(std::max<fhir::EpochSeconds>(0, seconds) / fhir::kSecondsPerDay);
    const long months = static_cast<long>(static_cast<double>(days) / (365.25 / 12));
    auto unit = [](long n, const char* one, const char* many) {
      return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    if (months < 1) return unit(days, "day", "days");
    if (months < 12) return unit(months, "month", "months");
    const long years = months / 12;
    const long rest = months % 12;
    return unit(years, "year", "years") + (rest ? " and " + unit(rest, "month", "months") : "");
  }

  // Severe renal impairment and an active order that is not every other day: info, no
  // suggestion (the dose was checked when it was ordered; a change is a prescriber's decision).
  void MonitorRenal(const Order& a, const PatientFacts& p) {
    NoteIncomplete(p, "renal-impairment", DataKey::kObservations);
    bool all_qod = !a.dose_lines.empty();
    bool frequency_known = !a.dose_lines.empty();
    for (const DoseLine& l : a.dose_lines) {
      if (!l.frequency) {
        frequency_known = false;
        all_qod = false;
      } else if (!fhir::SameFrequency(l.frequency->per_day, 0.5)) {
        all_qod = false;
      }
    }
    if (all_qod) return;  // already every other day
    RenalCard(a, p, nullptr);
    if (Finding* f = Find("renal-impairment", a.key)) {
      f->indicator = "info";
      f->summary = "monitoring";
      f->todo = {frequency_known ? "todo-monitoring" : "todo-monitoring-frequency-unknown"};
    }
  }

  void Interactions(const Order& a, const PatientFacts& p) {
    std::vector<const Order*> tnf, il1, anakinra, live;
    std::size_t a_index = 0;
    for (std::size_t i = 0; i < in_.orders.size(); ++i)
      if (&in_.orders[i] == &a) a_index = i;
    for (std::size_t i = 0; i < in_.orders.size(); ++i) {
      const Order& o = in_.orders[i];
      if (&o == &a) continue;
      switch (o.drug) {
        case DrugClass::kTnfAntagonist:
          tnf.push_back(&o);
          break;
        case DrugClass::kIl1Blocker:
          il1.push_back(&o);
          break;
        case DrugClass::kLiveVaccine:
          live.push_back(&o);
          break;
        case DrugClass::kAnakinra: {
          if (IsActive(o)) {
            // A renewal or a revision continues the active order: not a second order.
            if (a.renewal || a.revision) break;
            if (!a.prior_prescription.empty() && a.prior_prescription == o.key) break;
            if (!a.id.empty() && a.id == o.id) break;
            // patient-view: both active orders are in focus; the later one reports the pair.
            if (o.evaluated && i > a_index) break;
          } else if (o.evaluated && i > a_index) {
            break;  // two anakinra drafts in focus: the later one reports the pair
          }
          anakinra.push_back(&o);
          break;
        }
        default:
          break;
      }
    }
    NoteIncomplete(p, "interactions", DataKey::kMedications);
    auto labels = [](const std::vector<const Order*>& list) {
      std::vector<std::string> names;
      names.reserve(list.size());
      for (const Order* o : list) names.push_back(o->label);
      return Join(names);
    };
    auto any_active = [](const std::vector<const Order*>& list) {
      return std::any_of(list.begin(), list.end(), [](const Order* o) { return IsActive(*o); });
    };
    const bool monitoring = !a.draft;  // patient-view: the patient is on both
    // patient-view: the patient is already on both; nothing to remove, the wording says so.
    auto on_both = [&](Finding& f) {
      if (!monitoring) return;
      f.found = {"found-monitoring"};
      f.todo = {"todo-monitoring"};
      f.summary = "monitoring";
    };
    if (!tnf.empty()) {
      if (Finding* f = Add("tnf-antagonist", a.key)) {
        f->params["drug"] = a.label;
        f->params["other"] = labels(tnf);
        f->found = {any_active(tnf) ? "found-active" : "found-draft"};
        AddDelete(*f, a, "remove-anakinra");
        for (const Order* o : tnf) AddDelete(*f, *o, "remove-other");
        f->todo = {f->suggestions.size() > 1    ? "todo-choose"
                   : f->suggestions.size() == 1 ? "todo-remove"
                                                : "todo-stop-one"};
        f->selection_behavior = "at-most-one";
        on_both(*f);
      }
    }
    if (!il1.empty() || !anakinra.empty()) {
      if (Finding* f = Add("il1-blocker-duplication", a.key)) {
        std::vector<const Order*> all = il1;
        all.insert(all.end(), anakinra.begin(), anakinra.end());
        f->params["drug"] = a.label;
        f->params["other"] = labels(all);
        if (il1.empty()) {
          f->indicator = "warning";
          f->summary = "second-anakinra";
          f->found = {any_active(anakinra) ? "found-second-active" : "found-second-draft"};
          f->why = {"why-second"};
        } else {
          f->indicator = "critical";
          f->found = {any_active(il1) ? "found-active" : "found-draft"};
        }
        AddDelete(*f, a, "remove-anakinra");
        for (const Order* o : all) AddDelete(*f, *o, "remove-other");
        f->todo = {il1.empty()              ? "todo-replace"
                   : f->suggestions.empty() ? "todo-stop-one"
                                            : "todo-remove"};
        on_both(*f);
        if (monitoring && il1.empty()) {
          f->summary = "monitoring-second-anakinra";
          f->found = {"found-monitoring-second"};
          f->todo = {"todo-monitoring-second"};
        }
      }
    }
    if (!live.empty()) {
      if (Finding* f = Add("live-vaccine", a.key)) {
        f->params["drug"] = a.label;
        f->params["other"] = labels(live);
        f->found = {any_active(live) ? "found-active" : "found-draft"};
        for (const Order* o : live) AddDelete(*f, *o, "remove-vaccine");
        f->todo = {f->suggestions.empty() ? "todo-no-suggestion" : "todo-remove"};
        on_both(*f);
      }
    }
  }

  void Allergy(const Order& a, const PatientFacts& p) {
    NoteIncomplete(p, "ecoli-protein-hypersensitivity", DataKey::kAllergies);
    if (p.ecoli_allergy.empty()) return;
    Finding* f = Add("ecoli-protein-hypersensitivity", a.key);
    if (f == nullptr) return;
    std::vector<Evidence> ev;
    bool intolerance_only = true;
    for (const auto& e : p.ecoli_allergy) {
      ev.push_back(e.evidence);
      intolerance_only = intolerance_only && e.intolerance_only;
    }
    f->params["allergy"] = EvidenceText(ev);
    f->params["allergyShort"] = p.ecoli_allergy.front().evidence.label;
    if (intolerance_only) {
      f->indicator = "warning";
      f->summary = "intolerance";
      f->found = {"found-intolerance"};
      f->todo = {"todo-intolerance"};
    } else {
      f->indicator = "critical";
    }
    AddDelete(*f, a, "remove-anakinra");
  }

  void Conditions(const PatientFacts& p) {
    NoteIncomplete(p, "conditions", DataKey::kConditions);
    auto simple = [&](const char* code, const std::vector<Evidence>& ev) {
      if (ev.empty()) return;
      if (Finding* f = Add(code, "")) {
        f->params["evidence"] = EvidenceText(ev);
        f->params["evidenceShort"] = ev.front().label;
      }
    };
    simple("active-infection", p.serious_infection);
    std::vector<Evidence> immuno = p.immunosuppression;
    immuno.insert(immuno.end(), p.chronic_infection.begin(), p.chronic_infection.end());
    simple("immunosuppression-chronic-infection", immuno);
    simple("hepatic-impairment", p.hepatic);
    NoteIncomplete(p, "pregnancy", DataKey::kObservations);
    simple("pregnancy", p.pregnancy);
    simple("breastfeeding", p.breastfeeding);
  }

  // A reason's concept, read once for every indication value set: its codings and texts, and
  // whether its label holds a negation or history phrase anywhere ("no", "history of"), which
  // keeps the text from matching (policy §2).
  struct Reason {
    Reason(const base::Json& cc, const std::vector<std::string>& phrases)
        : read(cc), label(fhir::ConceptLabel(cc)) {
      const std::string text = Lower(label);
      for (const auto& phrase : phrases) {
        const std::string ph = Lower(phrase);
        for (std::size_t at = text.find(ph); at != std::string::npos && !negated;
             at = text.find(ph, at + 1)) {
          const bool start = at == 0 || !std::isalnum(static_cast<unsigned char>(text[at - 1]));
          const std::size_t end = at + ph.size();
          const bool stop =
              end >= text.size() || !std::isalnum(static_cast<unsigned char>(text[end]));
          negated = start && stop;
        }
        if (negated) break;
      }
    }
    fhir::Concept read;
    std::string label;
    bool negated = false;
  };

  static bool ReasonMatches(const ValueSet* vs, const Reason& r) {
    if (vs == nullptr) return false;
    if (vs->set.MatchesCode(r.read)) return true;
    return !r.negated && vs->set.Matches(r.read);
  }

  Indication ReadIndication(const Order& a, const PatientFacts& p) const {
    Indication ind;
    const ValueSets& s = k_.sets;
    if (!a.reasons.empty()) {
      ind.from_reason = true;
      std::vector<std::string> labels, off;
      bool off_label_coded = false;
      for (const base::Json* r : a.reasons) {
        if (r == nullptr) continue;
        const Reason reason(*r, k_.negation_phrases);
        const std::string& label = reason.label;
        labels.push_back(label);
        const bool caps = ReasonMatches(s.indication_caps, reason);
        ind.ra |= ReasonMatches(s.indication_ra, reason);
        ind.caps |= caps;
        ind.dira |= ReasonMatches(s.indication_dira, reason);
        ind.stills |= ReasonMatches(s.indication_stills, reason);
        ind.fmf |= ReasonMatches(s.indication_fmf, reason);
        if (caps && ind.caps_label.empty()) ind.caps_label = label;
        if (!ReasonMatches(s.unspecified_jia, reason) && ReasonMatches(s.off_label_use, reason)) {
          off_label_coded = true;
          off.push_back(label);
        }
      }
      ind.off_label = off_label_coded && !ind.labelled();
      ind.label = ind.off_label ? Join(off) : Join(labels);
      return ind;
    }
    ind.ra = !p.ra.empty();
    ind.caps = !p.caps.empty();
    ind.dira = !p.dira.empty();
    ind.stills = !p.stills.empty();
    ind.fmf = !p.fmf.empty();
    if (ind.caps) ind.caps_label = EvidenceText(p.caps);
    ind.off_label = !p.off_label.empty() && !ind.labelled();
    if (ind.off_label) ind.label = EvidenceText(p.off_label);
    return ind;
  }

  void IndicationCards(const Order& a, const PatientFacts& p, const Indication& ind) {
    if (!ind.from_reason) NoteIncomplete(p, "indication", DataKey::kConditions);
    if (ind.caps) {
      if (Finding* f = Add("caps-lifelong", a.key)) {
        f->params["indication"] = ind.caps_label;
        f->found = {ind.from_reason ? "found-reason" : "found-condition"};
      }
    }
    if (ind.off_label) {
      if (Finding* f = Add("off-label-indication", a.key)) {
        f->params["indication"] = ind.label;
        f->found = {ind.from_reason ? "found-reason" : "found-condition"};
      }
    }
  }

  bool RenalImpairment(const PatientFacts& p) const {
    const bool low = p.renal_ml_min && p.renal_ml_min->value < d_.renal_threshold_ml_min - kEps;
    return low || !p.renal_conditions.empty();
  }

  void Immunisations(const PatientFacts& p) {
    const bool child = p.age && p.age->min_months < static_cast<int>(d_.adult_age_years * 12);
    auto card = [&](const char* code, const std::vector<Evidence>& given, bool drafted,
                    const cdshooks::Coding& vaccine) {
      if (!given.empty() || drafted) return;
      if (!Complete(p, DataKey::kImmunizations)) {
        NotCheckedFor(code, DataKey::kImmunizations);
        return;
      }
      Finding* f = Add(code, "");
      if (f == nullptr) return;
      f->params["vaccine"] = vaccine.display;
      // The seed's advice covers every patient; its reason (high doses, poor response to
      // encapsulated bacteria) is about very young children: adults do not cite it.
      f->source = "seed";
      f->section = child ? "Dosing: very young children" : "Dosing: immunisation of all patients";
      f->why = {child ? "why-child" : "why-adult"};
      f->suggestions.push_back(CreateVaccineOrder(in_.patient_id, vaccine, "order-vaccine",
                                                  k_.cards.at(code).labels.at("vaccine-note")));
    };
    card("immunisation-pneumococcal", p.pneumococcal_vaccines, in_.drafts.pneumococcal_vaccine,
         d_.pneumococcal_order);
    card("immunisation-hib", p.hib_vaccines, in_.drafts.hib_vaccine, d_.hib_order);
  }

  bool VeryYoung(const PatientFacts& p) const {
    return p.age && p.age->min_months < static_cast<int>(d_.very_young_age_years * 12);
  }

  void Prophylaxis(const PatientFacts& p) {
    if (!VeryYoung(p)) return;
    bool covered = false;
    for (const Order& o : in_.orders)
      if (o.drug == DrugClass::kAntibacterial) covered = true;
    if (covered) return;
    if (!Complete(p, DataKey::kMedications)) {
      NotCheckedFor("antibiotic-prophylaxis", DataKey::kMedications);
      return;
    }
    if (Finding* f = Add("antibiotic-prophylaxis", "")) {
      f->params["age"] = AgeText(*p.age);
      f->params["years"] = Num(d_.very_young_age_years);
      BirthDateNote(p, *f);
    }
  }

  // The look-back for a neutrophil count (days), 0 when none is required (policy §4).
  int NeutrophilWindow(const PatientFacts& p, const Treatment& t, bool& start) const {
    start = t.phase == Phase::kStart || !t.began;
    if (start) return d_.neutrophil_window_start_days;
    const double months =
        static_cast<double>(p.reference_time - *t.began) / fhir::kSecondsPerDay / (365.25 / 12);
    if (months < d_.neutrophil_monthly_months) return d_.neutrophil_window_start_days;
    if (months < d_.neutrophil_monitoring_months) return d_.neutrophil_window_months_3_12_days;
    return 0;
  }

  void Neutrophils(const PatientFacts& p, const Treatment& t) {
    bool start = true;
    const int window = NeutrophilWindow(p, t, start);
    const auto& n = p.neutrophils;
    // patient-view (policy §7) warns below the monitoring threshold; the order hooks below the
    // start threshold, in every phase (§4).
    const double threshold =
        in_.hook == "patient-view" ? d_.neutrophil_threshold_monitoring : d_.neutrophil_threshold;
    const bool low = n && n->value < threshold - kEps;
    const bool within = n && (p.reference_time - n->time) <=
                                 static_cast<fhir::EpochSeconds>(window) * fhir::kSecondsPerDay;
    auto common = [&](Finding& f) {
      f.params["threshold"] = Num(threshold);
      f.params["window"] = std::to_string(window);
      if (n) {
        f.params["count"] = Num(n->value);
        f.params["countDate"] = fhir::FormatDate(n->time);
      }
      if (!p.neutrophil_notes.empty()) {
        f.params["ignored"] = Join(p.neutrophil_notes, "; ");
        f.notes.push_back("ignored-values");
      }
    };
    if (low && (window == 0 || within)) {
      NoteIncomplete(p, "neutrophil-count", DataKey::kObservations);
      if (Finding* f = Add("neutrophil-count", "")) {
        f->summary = "low";
        f->found = {"found-low"};
        f->todo = {start ? "todo-low-start" : "todo-low-continuation"};
        common(*f);
      }
      return;
    }
    if (window == 0 || within) return;
    if (in_.drafts.blood_count) return;  // the advice is already in the draft orders
    if (!Complete(p, DataKey::kObservations)) {
      NotCheckedFor("neutrophil-count", DataKey::kObservations);
      return;
    }
    Finding* f = Add("neutrophil-count", "");
    if (f == nullptr) return;
    f->summary = start ? "missing-start" : "missing-continuation";
    f->found = {!n ? "found-none" : low ? "found-old-low" : "found-old"};
    f->todo = {"todo-order"};
    common(*f);
    if (!n && !p.neutrophil_notes.empty()) {
      f->found = {"found-implausible"};  // the recorded value was implausible, not absent
      f->notes.clear();
    }
    f->suggestions.push_back(
        CreateLabOrder(in_.patient_id, d_.blood_count_order, "order-blood-count"));
  }

  // ---- dose ----------------------------------------------------------------------------------
  void DoseNotChecked(const Order& a) {
    std::vector<std::string> unreadable;
    for (const DoseLine& l : a.dose_lines)
      unreadable.insert(unreadable.end(), l.unreadable.begin(), l.unreadable.end());
    const bool no_lines = a.dose_lines.empty();
    if (unreadable.empty() && !no_lines) return;
    Finding* f = Add("dose-not-checked", a.key);
    if (f == nullptr) return;
    f->params["drug"] = a.label;
    if (no_lines) {
      f->found = {"found-no-dose"};
    } else {
      f->params["unreadable"] = Join(unreadable, "; ");
      f->found = {"found-unreadable"};
    }
  }

  struct RegimenDose {
    std::vector<std::size_t> entries;  // dosageInstruction indexes
    bool read = false;                 // every line's dose was read
    bool frequency_known = false;      // every line's frequency was read
    bool all_qod = false;
    bool renal_qod = false;
    double daily = 0;   // mg/day (per administration for renal QOD); with frequency
    double single = 0;  // the sum of the doses per administration
    std::string text;   // the ordered doses, e.g. "150 mg twice daily"
  };

  RegimenDose ReadRegimen(const Order& a, const std::vector<std::size_t>& lines, bool renal) const {
    RegimenDose r;
    r.read = !lines.empty();
    r.frequency_known = true;
    r.all_qod = true;
    std::vector<std::string> parts;
    for (std::size_t i : lines) {
      if (i >= a.dose_lines.size()) {
        r.read = false;
        continue;
      }
      const DoseLine& l = a.dose_lines[i];
      r.entries.push_back(l.index);
      if (!l.dose_mg) {
        r.read = false;
        continue;
      }
      r.single += *l.dose_mg;
      if (l.frequency) {
        r.daily += *l.dose_mg * l.frequency->per_day;
        r.all_qod = r.all_qod && fhir::SameFrequency(l.frequency->per_day, 0.5);
        parts.push_back(Mg(*l.dose_mg) + " " + FrequencyText(*l.frequency));
      } else {
        r.frequency_known = false;
        r.all_qod = false;
        parts.push_back(Mg(*l.dose_mg));
      }
    }
    r.renal_qod = renal && r.frequency_known && r.all_qod;
    if (r.renal_qod) r.daily = r.single;
    r.text = Join(parts, " plus ");
    return r;
  }

  // The bands the age range and the indication allow (policy §2, §3), in checking order.
  std::vector<const DoseBand*> Bands(const PatientFacts& p, const Indication& ind,
                                     bool& needs_weight) const {
    std::vector<const DoseBand*> bands;
    needs_weight = false;
    if (!p.age) return bands;
    const int very_young = static_cast<int>(d_.very_young_age_years * 12);
    const int adult = static_cast<int>(d_.adult_age_years * 12);
    if (p.age->min_months < very_young) bands.push_back(&d_.very_young_child);
    if (p.age->max_months >= very_young) {
      if (ind.caps || ind.dira) {
        bands.push_back(&d_.caps_dira);
      } else if (ind.stills || ind.fmf) {
        if (p.weight_kg && p.weight_kg->value >= d_.stills_fixed_dose_min_weight_kg - kEps)
          bands.push_back(&d_.stills_fmf_fixed);
        else
          bands.push_back(&d_.stills_fmf_weight_based);
      } else {
        if (p.age->min_months < adult) bands.push_back(&d_.child);
        if (p.age->max_months >= adult) bands.push_back(&d_.adult);
      }
    }
    for (const DoseBand* b : bands) needs_weight = needs_weight || b->per_kg;
    return bands;
  }

  // The daily dose inside [low, high] nearest to `daily`: a multiple of doseRoundingMg when one
  // fits, else whole milligrams.
  double Target(double daily, double low, double high) const {
    if (low > high) low = high;
    const double clamped = std::clamp(daily, low, high);
    const double step = d_.dose_rounding_mg;
    const double lo_step = std::ceil(low / step - kEps) * step;
    const double hi_step = std::floor(high / step + kEps) * step;
    if (lo_step <= hi_step + kEps)
      return std::clamp(std::round(clamped / step) * step, lo_step, hi_step);
    const double lo_mg = std::ceil(low - kEps), hi_mg = std::floor(high + kEps);
    if (lo_mg <= hi_mg) return std::clamp(std::round(clamped), lo_mg, hi_mg);
    return clamped;
  }

  BandCheck Check(const DoseBand& band, const RegimenDose& r, const PatientFacts& p) const {
    BandCheck c;
    c.band = &band;
    const std::optional<double> w =
        p.weight_kg ? std::optional<double>(p.weight_kg->value) : std::nullopt;
    double low = 0, high = 0, max = 0, label_max = 0;
    if (band.per_kg) {
      if (!w) return c;
      low = band.usual_min * *w;
      high = band.usual_max * *w;
      max = band.maximum * *w;
      label_max = band.label_maximum > 0 ? band.label_maximum * *w : 0;
    } else {
      low = band.usual_min;
      high = band.usual_max;
      max = w ? band.maximum_mg_per_kg * *w : band.maximum_without_weight_mg;
    }
    const double cap = w ? d_.label_maximum_mg_per_kg * *w : high;  // never above 8 mg/kg/day
    const double dose = r.frequency_known ? r.daily : r.single;
    c.target = Target(dose, low, std::min(high, cap));
    if (dose > max * (1 + kEps)) {
      c.code = "dose-above-maximum";
      c.severity = 2;
      return c;
    }
    if (!r.frequency_known) return c;  // only the maximum can be checked
    if (label_max > 0 && dose > label_max * (1 + kEps)) {
      c.code = "dose-above-range";
      c.above_label = true;
      c.severity = 1;
    } else if (dose > high * (1 + kEps)) {
      c.code = "dose-above-range";
      c.severity = 1;
    } else if (dose < low * (1 - kEps)) {
      c.code = "dose-below-range";
      c.severity = 1;
    }
    return c;
  }

  struct DoseOutcome {
    bool checked = false;              // every regimen's dose was read and checked
    bool all_qod_in_range = false;     // every regimen every other day, no dose card
    bool dose_card = false;            // a dose card fired for the order
    bool combined_update = false;      // ... and carries the (renal) update
    std::optional<double> daily;       // the first regimen's daily dose, when read with frequency
    std::vector<std::size_t> entries;  // the first regimen's entries
    bool first_qod = false;
  };

  DoseOutcome Dose(const Order& a, const PatientFacts& p, const Indication& ind, bool renal) {
    DoseOutcome out;
    bool needs_weight = false;
    const std::vector<const DoseBand*> bands = Bands(p, ind, needs_weight);
    const bool twice_daily_allowed =
        ind.caps || ind.dira || std::any_of(bands.begin(), bands.end(), [](const DoseBand* b) {
          return b->twice_daily_allowed;
        });
    std::vector<RegimenDose> regimens;
    for (const auto& lines : a.regimens) regimens.push_back(ReadRegimen(a, lines, renal));
    if (!regimens.empty()) {
      out.entries = regimens.front().entries;
      if (regimens.front().read && regimens.front().frequency_known)
        out.daily = regimens.front().daily;
      out.first_qod = regimens.front().all_qod;
    }

    // Who the patient is decides the dose: without it no dose check can run.
    bool can_check = true;
    if (!p.patient_known || !p.birth_date || !p.age) {
      can_check = false;
      if (!Complete(p, DataKey::kPatient)) {
        NotCheckedFor("dose", DataKey::kPatient);
      } else if (Finding* f = Add("patient-data-missing", a.key)) {
        f->params["drug"] = a.label;
        f->summary = !p.patient_known ? "no-patient" : "default";
        f->found = {!p.patient_known          ? "found-no-patient"
                    : p.birth_date_unreadable ? "found-birth-date-unreadable"
                                              : "found-no-birth-date"};
      }
    } else if (!needs_weight && !p.weight_kg && !Complete(p, DataKey::kObservations)) {
      // Fixed-dose checks still run; the mg/kg maximum needs a weight that may be unread.
      NotCheckedFor("weight-required", DataKey::kObservations);
    }
    if (can_check && needs_weight && !p.weight_kg) {
      can_check = false;
      if (!Complete(p, DataKey::kObservations)) {
        NotCheckedFor("weight-required", DataKey::kObservations);
      } else if (Finding* f = Add("weight-required", a.key)) {
        f->params["drug"] = a.label;
        f->params["age"] = AgeText(*p.age);
        f->params["window"] = std::to_string(p.weight_window_days > 0 ? p.weight_window_days
                                                                      : d_.weight_max_age_days);
        const bool adult_weight_based =
            p.age->min_months >= static_cast<int>(d_.adult_age_years * 12);
        f->found = {adult_weight_based ? "found-adult-indication" : "found-child"};
        if (p.stale_weight_kg) {
          f->params["staleWeight"] = Num(p.stale_weight_kg->value) + " kg";
          f->params["staleDate"] = fhir::FormatDate(p.stale_weight_kg->time);
          f->notes.push_back("weight-stale");
        }
        if (!p.weight_notes.empty()) {
          // An implausible weight is unreadable: the card says so (policy §0).
          f->params["ignored"] = Join(p.weight_notes, "; ");
          if (p.stale_weight_kg)
            f->notes.push_back("weight-implausible");
          else
            f->found = {"found-implausible"};
        }
        BirthDateNote(p, *f);
      }
    }

    out.checked = can_check && !regimens.empty();
    out.all_qod_in_range = !regimens.empty();
    for (const RegimenDose& r : regimens) {
      if (!r.read) {
        out.checked = false;
        out.all_qod_in_range = false;
        continue;
      }
      if (!r.all_qod) out.all_qod_in_range = false;
      if (!can_check || bands.empty()) continue;
      // The least severe result over the bands the age range allows (policy §2).
      BandCheck best;
      bool first = true;
      for (const DoseBand* b : bands) {
        BandCheck c = Check(*b, r, p);
        if (first || c.severity < best.severity) best = c;
        first = false;
      }
      if (best.code.empty()) continue;
      out.all_qod_in_range = false;
      DoseCard(a, p, r, best, renal, out);
    }
    if (!out.checked) out.all_qod_in_range = false;
    FrequencyAndRoute(a, renal, twice_daily_allowed, out);
    return out;
  }

  void DoseCard(const Order& a, const PatientFacts& p, const RegimenDose& r, const BandCheck& c,
                bool renal, DoseOutcome& out) {
    Finding* f = Add(c.code, a.key);
    if (f == nullptr) return;
    out.dose_card = true;
    const DoseBand& band = *c.band;
    const bool has_w = p.weight_kg.has_value();
    const double wkg = has_w ? p.weight_kg->value : 0;
    const double dose = r.frequency_known ? r.daily : r.single;
    f->source = band.source;
    f->section = band.section;
    auto& pr = f->params;
    pr["drug"] = a.label;
    pr["ordered"] = r.text;
    pr["band"] = band.label;
    pr["age"] = AgeText(*p.age);
    pr["daily"] = r.renal_qod         ? Mg(dose) + " every other day"
                  : r.frequency_known ? Mg(dose) + "/day"
                                      : Mg(dose) + " per dose";
    if (band.per_kg) {
      pr["usual"] = Num(band.usual_min) + "-" + Num(band.usual_max) + " mg/kg/day";
      pr["maximum"] = Num(band.maximum) + " mg/kg/day";
    } else {
      pr["usual"] = band.usual_min == band.usual_max
                        ? Num(band.usual_min) + " mg/day"
                        : Num(band.usual_min) + "-" + Num(band.usual_max) + " mg/day";
      pr["maximum"] = has_w ? Num(band.maximum_mg_per_kg) + " mg/kg/day"
                            : Num(band.maximum_without_weight_mg) + " mg/day";
    }
    if (band.label_maximum > 0) pr["labelMaximum"] = Num(band.label_maximum) + " mg/kg/day";
    if (has_w) {
      pr["perKg"] = Num(dose / wkg) + " mg/kg" + (r.frequency_known ? "/day" : " per dose");
      pr["weight"] = Num(wkg) + " kg";
      pr["weightDate"] = fhir::FormatDate(p.weight_kg->time);
      f->found = {"found-weight"};
    } else {
      f->found = {"found-fixed"};
      f->notes.push_back("mgkg-not-checked");
    }
    if (!r.frequency_known) f->found.push_back("found-no-frequency");
    if (c.above_label) {
      f->summary = "above-label";
      f->why = {"why-above-label"};
    }
    if (band.name == "stills-fmf-weight-based") f->notes.push_back("unverified-band");
    BirthDateNote(p, *f);

    const bool qod = renal;  // with renal impairment every other day is the regimen
    pr["target"] = Mg(c.target) + (qod ? " every other day" : " once daily");
    // One-click limit (policy §3): a warning may not change the daily dose by more than 50 %.
    const bool too_big = c.severity < 2 && dose > 0 &&
                         std::fabs(c.target - dose) / dose > d_.max_one_click_change + kEps;
    if (too_big) {
      f->todo = {"todo-review"};
      return;
    }
    if (a.key.empty() || a.id.empty()) {
      f->todo = {"todo-update-by-hand"};
      f->notes.push_back("no-id-update");
      return;
    }
    DoseChange change;
    change.dose_mg = c.target;
    change.period_days = qod ? 2 : 1;
    change.subcutaneous = true;
    change.entries = r.entries;
    f->suggestions.push_back(UpdateOrder(*a.resource, change, qod ? "update-renal" : "update",
                                         qod ? "update-renal" : "update"));
    f->todo = {qod ? "todo-update-renal" : "todo-update"};
    out.combined_update = true;
  }

  // dose-frequency (policy §3): not once daily (other than every other day with renal
  // impairment or a twice-daily split in CAPS/DIRA), no frequency, or not subcutaneous.
  void FrequencyAndRoute(const Order& a, bool renal, bool twice_daily_allowed,
                         const DoseOutcome& out) {
    bool missing = false, route_bad = false;
    std::string bad_frequency, route;
    std::optional<std::size_t> bad_regimen;
    for (std::size_t ri = 0; ri < a.regimens.size(); ++ri) {
      bool problem = false;
      for (std::size_t i : a.regimens[ri]) {
        if (i >= a.dose_lines.size()) continue;
        const DoseLine& l = a.dose_lines[i];
        if (!l.frequency) {
          missing = true;
          problem = true;
        } else {
          const double per_day = l.frequency->per_day;
          const bool ok = fhir::SameFrequency(per_day, 1) ||
                          (renal && fhir::SameFrequency(per_day, 0.5)) ||
                          (twice_daily_allowed && fhir::SameFrequency(per_day, 2));
          if (!ok && bad_frequency.empty()) bad_frequency = FrequencyText(*l.frequency);
          problem = problem || !ok;
        }
        if (l.has_route && !l.route_subcutaneous) {
          route_bad = true;
          problem = true;
          if (route.empty()) route = RouteName(l.route_label);
        }
      }
      if (problem && !bad_regimen) bad_regimen = ri;
    }
    if (!bad_regimen) return;
    Finding* f = Add("dose-frequency", a.key);
    if (f == nullptr) return;
    f->params["drug"] = a.label;
    if (missing) f->found.push_back("found-no-frequency");
    if (!bad_frequency.empty()) {
      f->params["frequency"] = bad_frequency;
      f->found.push_back("found-frequency");
    }
    if (route_bad) {
      f->params["route"] = route;
      f->found.push_back("found-route");
    }
    f->summary = route_bad && (missing || !bad_frequency.empty()) ? "both"
                 : route_bad                                      ? "route"
                 : missing                                        ? "no-frequency"
                                                                  : "default";
    f->why = {twice_daily_allowed ? "why-twice-daily-allowed" : "why"};
    if (renal) f->why.push_back("why-renal");
    if (out.combined_update) {
      f->todo = {"todo-see-dose-card"};
      return;
    }
    // A dose card that asks for a review (the one-click limit) must not be undone by a one-click
    // frequency change to the same, out-of-range daily amount (policy §3).
    if (out.dose_card) {
      f->todo = {"todo-see-dose-review"};
      return;
    }
    // With renal impairment the renal card carries the every-other-day regimen: never offer a
    // conflicting once-daily update here, whether the frequency is wrong or missing.
    if (renal && (missing || !bad_frequency.empty())) {
      f->todo = {"todo-see-renal-card"};
      return;
    }
    const RegimenDose r = ReadRegimen(a, a.regimens[*bad_regimen], renal);
    if (!r.read) {
      f->todo = {"todo-by-hand"};
      return;
    }
    if (a.key.empty() || a.id.empty()) {
      f->todo = {"todo-by-hand"};
      f->notes.push_back("no-id-update");
      return;
    }
    DoseChange change;
    change.entries = r.entries;
    change.subcutaneous = true;
    const bool keep_qod = renal && r.all_qod;
    if (missing || !bad_frequency.empty()) {
      // The same daily amount once daily; without a frequency, the single dose once daily.
      change.dose_mg = r.frequency_known ? r.daily : r.single;
      change.period_days = keep_qod ? 2 : 1;
      f->params["target"] = Mg(*change.dose_mg) + (keep_qod ? " every other day" : " once daily");
      f->suggestions.push_back(UpdateOrder(*a.resource, change, "update", "update"));
      f->todo = {"todo-update"};
    } else {
      f->suggestions.push_back(UpdateOrder(*a.resource, change, "update-route", "update-route"));
      f->todo = {"todo-update-route"};
    }
  }

  // The renal card (policy §4), after the dose rule: one combined update.
  void RenalCard(const Order& a, const PatientFacts& p, const DoseOutcome* dose) {
    NoteIncomplete(p, "renal-impairment", DataKey::kObservations);
    if (dose != nullptr && dose->checked && dose->all_qod_in_range) return;  // already right
    Finding* f = Add("renal-impairment", a.key);
    if (f == nullptr) return;
    f->params["drug"] = a.label;
    f->params["threshold"] = Num(d_.renal_threshold_ml_min);
    const bool low = p.renal_ml_min && p.renal_ml_min->value < d_.renal_threshold_ml_min - kEps;
    if (low) {
      f->params["renal"] =
          (p.renal_is_egfr ? "eGFR " : "CrCl ") + Num(p.renal_ml_min->value) + " mL/min";
      f->params["renalLabel"] = p.renal_ml_min->label;
      f->params["renalDate"] = fhir::FormatDate(p.renal_ml_min->time);
      f->found.push_back("found-value");
      if (p.renal_is_egfr) f->notes.push_back("egfr-normalised");
    }
    if (!p.renal_conditions.empty()) {
      f->params["evidence"] = EvidenceText(p.renal_conditions);
      f->found.push_back("found-condition");
      if (!low) f->params["renal"] = p.renal_conditions.front().label;
    }
    if (!p.renal_notes.empty()) {
      f->params["ignored"] = Join(p.renal_notes, "; ");
      f->notes.push_back("ignored-values");
    }
    if (dose == nullptr) {
      f->todo = {"todo-qod"};
      return;
    }
    if (dose->combined_update) {
      f->todo = {"todo-see-dose-card"};
      return;
    }
    if (dose->first_qod) {
      f->todo = {"todo-already-qod"};
      return;
    }
    if (a.key.empty() || a.id.empty()) {
      f->todo = {"todo-qod"};
      f->notes.push_back("no-id-update");
      return;
    }
    DoseChange change;
    change.entries = dose->entries;
    change.period_days = 2;
    change.subcutaneous = true;
    if (dose->daily) {
      change.dose_mg = *dose->daily;  // the prescribed daily dose, every other day
      f->params["target"] = Mg(*dose->daily) + " every other day";
    } else {
      f->params["target"] = "the prescribed dose every other day";
    }
    f->suggestions.push_back(UpdateOrder(*a.resource, change, "update-qod", "update-qod"));
    f->todo = {"todo-update-qod"};
  }

  // ---- interacting orders (the reverse direction) -----------------------------------------
  void EvaluateInteractingOrder(const Order& x, bool anakinra_in_focus) {
    if (anakinra_in_focus) return;  // the anakinra order's card already names this pair
    std::vector<std::string> names;
    std::vector<const Order*> anakinra_drafts;  // not in focus (order-select), still deletable
    for (const Order& o : in_.orders)
      if (o.drug == DrugClass::kAnakinra && &o != &x) {
        names.push_back(o.label);
        if (o.draft) anakinra_drafts.push_back(&o);
      }
    const char* code = x.drug == DrugClass::kTnfAntagonist ? "tnf-antagonist"
                       : x.drug == DrugClass::kIl1Blocker  ? "il1-blocker-duplication"
                                                           : "live-vaccine";
    if (in_.request_time_facts != nullptr)
      NoteIncomplete(*in_.request_time_facts, code, DataKey::kMedications);
    if (names.empty()) return;
    Finding* f = Add(code, x.key);
    if (f == nullptr) return;
    f->params["drug"] = Join(names);
    f->params["other"] = x.label;
    f->summary = "reverse";
    if (x.drug == DrugClass::kIl1Blocker) f->indicator = "critical";
    if (!anakinra_drafts.empty()) {
      // Anakinra is a draft too (not selected on order-select): the patient is not on it yet.
      // For a TNF antagonist or an IL-1 blocker either draft may go (at most one).
      f->found = {"found-reverse-draft"};
      AddDelete(*f, x, x.drug == DrugClass::kLiveVaccine ? "remove-vaccine" : "remove-other");
      if (x.drug != DrugClass::kLiveVaccine)
        for (const Order* o : anakinra_drafts) AddDelete(*f, *o, "remove-anakinra");
      f->todo = {f->suggestions.empty() ? "todo-reverse-no-suggestion" : "todo-reverse-draft"};
      return;
    }
    f->found = {"found-reverse"};
    AddDelete(*f, x, x.drug == DrugClass::kLiveVaccine ? "remove-vaccine" : "remove-other");
    f->todo = {f->suggestions.empty() ? "todo-reverse-no-suggestion" : "todo-reverse"};
  }

  const RuleInput& in_;
  const Knowledge& k_;
  const DosingPolicy& d_;
  std::vector<NotChecked>& not_checked_;
  std::deque<Finding> findings_;  // stable addresses while rules add findings
};

}  // namespace

std::vector<Finding> RunRules(const RuleInput& input, std::vector<NotChecked>& not_checked) {
  return Evaluator(input, not_checked).Run();
}

}  // namespace anakinra
