#include "anakinra/fact_reader.h"

#include "base/ascii.h"
#include "fhir/quantity.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

namespace anakinra {
namespace {

using cdshooks::PrefetchState;

std::string FormatNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

Evidence EvidenceOf(const base::Json& cc, std::optional<fhir::EpochSeconds> when) {
  return Evidence{fhir::ConceptLabel(cc), when ? fhir::FormatDate(*when) : std::string()};
}

std::optional<fhir::EpochSeconds> DateMember(const base::Json& r,
                                             std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (auto s = base::StringMember(r, n)) return fhir::ParseDateTime(*s);
  return std::nullopt;
}

const fhir::CodeSet* SetOf(const ValueSet* vs) { return vs != nullptr ? &vs->set : nullptr; }

bool Matches(const ValueSet* vs, const base::Json& cc) {
  return vs != nullptr && cc.IsObject() && vs->set.MatchesConcept(cc);
}

const base::Json* ObjectMember(const base::Json& r, std::string_view name) {
  const base::Json* v = base::Member(r, name);
  return v != nullptr && v->IsObject() ? v : nullptr;
}

bool ActiveOrOnHold(std::string_view status) { return status == "active" || status == "on-hold"; }

bool IsOrderResource(const base::Json& r) {
  return fhir::IsMedicationOrder(r) || fhir::ResourceType(r) == "Immunization";
}

// "Medication/{id}" from a relative reference, else "".
std::string MedicationKey(std::string_view reference) {
  if (auto hist = reference.find("/_history/"); hist != std::string_view::npos)
    reference = reference.substr(0, hist);
  constexpr std::string_view kPrefix = "Medication/";
  if (reference.substr(0, kPrefix.size()) != kPrefix) return {};
  std::string_view id = reference.substr(kPrefix.size());
  if (id.empty() || id.find('/') != std::string_view::npos) return {};
  return std::string(reference);
}

// The "Type/id" key a reference names (absolute URLs and _history stripped), or the reference.
std::string ReferenceToKey(std::string_view reference) {
  if (auto hist = reference.find("/_history/"); hist != std::string_view::npos)
    reference = reference.substr(0, hist);
  auto last = reference.rfind('/');
  if (last == std::string_view::npos || last == 0) return std::string(reference);
  auto prev = reference.rfind('/', last - 1);
  return std::string(prev == std::string_view::npos ? reference : reference.substr(prev + 1));
}

// Whole days between `when` and the reference time `t` within `days`, `when` not after `t`.
bool Within(fhir::EpochSeconds t, fhir::EpochSeconds when, int days) {
  return when <= t && (t - when) / fhir::kSecondsPerDay <= days;
}

}  // namespace

std::string_view KeyName(DataKey key) {
  switch (key) {
    case DataKey::kPatient:
      return "patient";
    case DataKey::kMedications:
      return "medications";
    case DataKey::kConditions:
      return "conditions";
    case DataKey::kAllergies:
      return "allergies";
    case DataKey::kImmunizations:
      return "immunizations";
    case DataKey::kObservations:
      return "observations";
  }
  return "";
}

Coverage CoverageOf(PrefetchState state) {
  switch (state) {
    case PrefetchState::kResource:
    case PrefetchState::kNull:
      return Coverage::kComplete;
    case PrefetchState::kIncomplete:
      return Coverage::kPartial;
    case PrefetchState::kAbsent:
    case PrefetchState::kFailed:
      return Coverage::kMissing;
  }
  return Coverage::kMissing;
}

FactReader::FactReader(const Knowledge& knowledge, const cdshooks::Request& request)
    : k_(knowledge), request_(request) {}

const fhir::ResourceIndex& FactReader::Index() const {
  if (!index_) {
    index_.emplace();
    index_->AddAll(request_.draft_orders);
    for (const auto& [key, value] : request_.prefetch) {
      (void)key;
      if (value.state == PrefetchState::kResource || value.state == PrefetchState::kIncomplete)
        index_->AddAll(value.value);
    }
    for (const base::Json* r : request_.fetched_resources) index_->AddAll(r);
  }
  return *index_;
}

const base::Json* FactReader::KeyValue(DataKey key) const {
  const auto v = request_.Prefetch(KeyName(key));
  if (v.state == PrefetchState::kResource || v.state == PrefetchState::kIncomplete) return v.value;
  return nullptr;
}

FactReader::MedicationInfo FactReader::Medication(const base::Json& order) const {
  MedicationInfo info;
  if (fhir::ResourceType(order) == "Immunization") {
    info.cc = ObjectMember(order, "vaccineCode");
    return info;
  }
  if (const base::Json* cc = ObjectMember(order, "medicationCodeableConcept")) {
    info.cc = cc;
    return info;
  }
  const base::Json* ref = ObjectMember(order, "medicationReference");
  if (ref == nullptr) return info;
  if (auto display = base::StringMember(*ref, "display")) info.display = *display;
  auto reference = base::StringMember(*ref, "reference");
  if (!reference) return info;
  info.reference = std::string(*reference);
  const base::Json* med = Index().Resolve(*reference, &order);
  if (med == nullptr || !med->IsObject()) {
    info.unresolved = true;
    return info;
  }
  info.cc = ObjectMember(*med, "code");
  return info;
}

DrugClass FactReader::Classify(const base::Json& order) const {
  for (const auto& [resource, drug] : classified_)
    if (resource == &order) return drug;
  const MedicationInfo med = Medication(order);
  auto in = [&](const ValueSet* vs) {
    if (vs == nullptr) return false;
    return (med.cc != nullptr && vs->set.MatchesConcept(*med.cc)) ||
           (!med.display.empty() && vs->set.MatchesText(med.display));
  };
  const ValueSets& s = k_.sets;
  const DrugClass drug = in(s.anakinra)                    ? DrugClass::kAnakinra
                         : in(s.tnf_antagonist)            ? DrugClass::kTnfAntagonist
                         : in(s.il1_blocker)               ? DrugClass::kIl1Blocker
                         : in(s.live_vaccine)              ? DrugClass::kLiveVaccine
                         : in(s.antibacterial_prophylaxis) ? DrugClass::kAntibacterial
                                                           : DrugClass::kOther;
  classified_.emplace_back(&order, drug);
  return drug;
}

bool FactReader::InFocus(const base::Json& draft) const {
  if (request_.hook != "order-select") return true;
  const std::string key = fhir::ReferenceKey(draft);
  const std::string_view id = fhir::ResourceId(draft);
  for (const auto& s : request_.selections)
    if ((!key.empty() && s == key) || (!id.empty() && s == id)) return true;
  return false;
}

std::vector<std::string> FactReader::UnresolvedMedicationReferences() const {
  std::vector<std::string> out;
  fhir::ForEachResource(request_.draft_orders, [&](const base::Json& r) {
    if (!fhir::IsMedicationOrder(r) || !InFocus(r)) return;
    const base::Json* ref = ObjectMember(r, "medicationReference");
    if (ref == nullptr || ObjectMember(r, "medicationCodeableConcept") != nullptr) return;
    auto reference = base::StringMember(*ref, "reference");
    if (!reference || Index().Resolve(*reference, &r) != nullptr) return;
    std::string key = MedicationKey(*reference);
    if (!key.empty() && std::find(out.begin(), out.end(), key) == out.end())
      out.push_back(std::move(key));
  });
  return out;
}

std::vector<Order> FactReader::ReadOrders() const {
  std::vector<Order> orders;
  auto make = [&](const base::Json& r, bool draft) {
    Order o;
    o.resource = &r;
    o.key = fhir::ReferenceKey(r);
    o.id = std::string(fhir::ResourceId(r));
    o.draft = draft;
    o.status = std::string(fhir::Status(r));
    o.drug = Classify(r);
    const MedicationInfo med = Medication(r);
    o.medication_unresolved = med.unresolved;
    o.label = med.cc != nullptr ? fhir::ConceptLabel(*med.cc) : std::string(med.display);
    if (o.label.empty()) o.label = "an unnamed medication";
    o.authored_on = DateMember(r, {"authoredOn", "dateWritten", "occurrenceDateTime"});
    // A date without a time stands for the whole day: results from later that day still count.
    for (const char* name : {"authoredOn", "dateWritten", "occurrenceDateTime"})
      if (auto text = base::StringMember(r, name)) {
        if (text->size() <= 10 && o.authored_on) *o.authored_on += fhir::kSecondsPerDay - 1;
        break;
      }
    if (const base::Json* prior = ObjectMember(r, "priorPrescription"))
      if (auto ref = base::StringMember(*prior, "reference"))
        o.prior_prescription = ReferenceToKey(*ref);
    // patient-view (policy §7): the rules run on the patient's active anakinra orders.
    o.evaluated = draft ? InFocus(r)
                        : request_.hook == "patient-view" && o.drug == DrugClass::kAnakinra &&
                              o.status == "active";
    return o;
  };
  fhir::ForEachResource(request_.draft_orders, [&](const base::Json& r) {
    if (IsOrderResource(r)) orders.push_back(make(r, true));
  });
  const std::size_t drafts = orders.size();
  fhir::ForEachResource(KeyValue(DataKey::kMedications), [&](const base::Json& r) {
    if (!fhir::IsMedicationOrder(r) || !ActiveOrOnHold(fhir::Status(r))) return;
    const std::string key = fhir::ReferenceKey(r);
    for (std::size_t i = 0; i < drafts; ++i)
      if (!key.empty() && orders[i].key == key) {  // the draft revises this order
        orders[i].revision = true;
        return;
      }
    for (std::size_t i = drafts; i < orders.size(); ++i)
      if (!key.empty() && orders[i].key == key) return;  // listed twice (paged answers)
    orders.push_back(make(r, false));
  });
  for (std::size_t i = 0; i < drafts; ++i) {
    Order& o = orders[i];
    if (o.drug != DrugClass::kAnakinra) continue;
    if (!o.prior_prescription.empty())
      for (std::size_t j = drafts; j < orders.size(); ++j)
        if (orders[j].key == o.prior_prescription && orders[j].drug == DrugClass::kAnakinra)
          o.renewal = true;
    if (o.evaluated && fhir::IsMedicationOrder(*o.resource)) {
      ReadDosing(*o.resource, o);
      ReadReasons(*o.resource, o);
    }
  }
  for (std::size_t i = drafts; i < orders.size(); ++i)  // patient-view: the active orders
    if (orders[i].evaluated) ReadDosing(*orders[i].resource, orders[i]);
  return orders;
}

void FactReader::ReadDosing(const base::Json& order, Order& out) const {
  // A JSON key given twice in the order: which dose is meant is unknown, so none is read and
  // dose-not-checked says why (policy §0); no regimen, so no dose or frequency card is guessed.
  if (base::DuplicateKeyWithin(order)) {
    DoseLine unreadable;
    unreadable.unreadable.emplace_back(
        "the order gives a JSON key more than once, so its dose cannot be read unambiguously");
    out.dose_filled = true;
    out.dose_lines.push_back(std::move(unreadable));
    return;
  }
  const DosingPolicy& d = k_.dosing;
  const fhir::DoseLimits limits{d.concentration_mg_per_ml, d.max_plausible_dose_mg,
                                d.max_plausible_per_day};
  const fhir::CodeSet* subcutaneous = SetOf(k_.sets.subcutaneous_route);
  for (fhir::DosageLine& line : fhir::ReadDosageLines(order, limits)) {
    DoseLine dl;
    dl.index = line.index;
    dl.sequence = line.sequence;
    dl.dose_mg = line.dose_mg;
    dl.dose_text = std::move(line.dose_text);
    dl.frequency_given = line.timing.given;
    dl.frequency = std::move(line.timing.frequency);
    if (line.route != nullptr) {
      dl.has_route = true;
      dl.route_label = fhir::ConceptLabel(*line.route);
      dl.route_subcutaneous = subcutaneous != nullptr && subcutaneous->MatchesConcept(*line.route);
    }
    dl.unreadable = std::move(line.unreadable);
    out.dose_filled = out.dose_filled || line.dose_given;
    out.dose_lines.push_back(std::move(dl));
  }
  // Regimens: entries with the same sequence run together; entries without a sequence join
  // the group when no entry has one, else each stands alone.
  bool any_sequence = false;
  for (const DoseLine& l : out.dose_lines) any_sequence = any_sequence || l.sequence.has_value();
  if (!any_sequence) {
    if (!out.dose_lines.empty()) {
      out.regimens.emplace_back();
      for (std::size_t i = 0; i < out.dose_lines.size(); ++i) out.regimens.back().push_back(i);
    }
    return;
  }
  std::vector<int> seen;
  for (std::size_t i = 0; i < out.dose_lines.size(); ++i) {
    const auto& seq = out.dose_lines[i].sequence;
    if (!seq) {
      out.regimens.push_back({i});
      continue;
    }
    auto it = std::find(seen.begin(), seen.end(), *seq);
    if (it == seen.end()) {
      seen.push_back(*seq);
      out.regimens.push_back({i});
    } else {
      // The group of this sequence: find the regimen whose first line has it.
      for (auto& g : out.regimens)
        if (out.dose_lines[g.front()].sequence == seq) {
          g.push_back(i);
          break;
        }
    }
  }
}

void FactReader::ReadReasons(const base::Json& order, Order& out) const {
  auto add = [&](const base::Json& cc) { out.reasons.push_back(&cc); };
  base::ForEachObject(base::Member(order, "reasonCode"), add);
  base::ForEachObject(base::Member(order, "reasonCodeableConcept"), add);  // DSTU2
  base::ForEachObject(base::Member(order, "reasonReference"), [&](const base::Json& ref) {
    auto r = base::StringMember(ref, "reference");
    const base::Json* cond = r ? Index().Resolve(*r, &order) : nullptr;
    if (cond != nullptr)
      if (const base::Json* code = ObjectMember(*cond, "code")) out.reasons.push_back(code);
  });
}

Treatment FactReader::TreatmentOf(const Order& order, const std::vector<Order>& orders) const {
  Treatment t;
  // An order already on record (patient-view) is a treatment under way.
  bool continuing = order.renewal || order.revision || !order.draft;
  for (const Order& o : orders)
    if (&o != &order && !o.draft && o.drug == DrugClass::kAnakinra && ActiveOrOnHold(o.status))
      continuing = true;
  t.phase = continuing ? Phase::kContinuation : Phase::kStart;
  // The earliest start of any anakinra order in the request, whatever its status.
  auto consider = [&](const base::Json& r) {
    if (!IsOrderResource(r) || Classify(r) != DrugClass::kAnakinra) return;
    std::optional<fhir::EpochSeconds> when = DateMember(r, {"authoredOn", "dateWritten"});
    if (const base::Json* dr = ObjectMember(r, "dispenseRequest"))
      if (const base::Json* vp = ObjectMember(*dr, "validityPeriod"))
        if (auto start = DateMember(*vp, {"start"}); start && (!when || *start < *when))
          when = start;
    if (when && (!t.began || *when < *t.began)) t.began = when;
  };
  fhir::ForEachResource(request_.draft_orders, consider);
  fhir::ForEachResource(KeyValue(DataKey::kMedications), consider);
  return t;
}

DraftFacts FactReader::ReadDrafts() const {
  DraftFacts out;
  const ValueSets& s = k_.sets;
  fhir::ForEachResource(request_.draft_orders, [&](const base::Json& r) {
    const std::string_view type = fhir::ResourceType(r);
    std::vector<const base::Json*> concepts;
    if (fhir::IsMedicationOrder(r) || type == "Immunization") {
      if (const base::Json* cc = Medication(r).cc) concepts.push_back(cc);
    } else if (type == "ServiceRequest") {
      if (const base::Json* cc = ObjectMember(r, "code")) concepts.push_back(cc);
    } else {
      return;
    }
    for (const base::Json* cc : concepts) {
      out.pneumococcal_vaccine = out.pneumococcal_vaccine || Matches(s.pneumococcal_vaccine, *cc);
      out.hib_vaccine = out.hib_vaccine || Matches(s.hib_vaccine, *cc);
      if (type == "ServiceRequest")
        out.blood_count = out.blood_count || Matches(s.blood_count_order, *cc);
    }
  });
  return out;
}

// True when `text` starts (after blanks and punctuation) with one of `phrases` as whole words,
// case-insensitively: "No history of tuberculosis", "Denies TB", "h/o pneumonia". A negation
// word later in the text ("Sepsis, not responding to antibiotics") does not negate it: only a
// leading negation or history phrase governs the whole text (policy §2), so a trailing "not"
// never hides an active condition.
static bool StartsNegated(std::string_view text, const std::vector<std::string>& phrases) {
  const auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  std::size_t start = 0;
  while (start < text.size() && !word_char(text[start])) ++start;
  for (const std::string& phrase : phrases) {
    if (phrase.empty() || text.size() - start < phrase.size()) continue;
    const bool equal = base::EqualsIgnoreCase(text.substr(start, phrase.size()), phrase);
    const std::size_t end = start + phrase.size();
    if (equal && (end == text.size() || !word_char(text[end]) || !word_char(phrase.back())))
      return true;
  }
  return false;
}

FactReader::ConditionConcept::ConditionConcept(const base::Json& cc,
                                               const std::vector<std::string>& phrases)
    : read(cc), negated(read.text() && StartsNegated(*read.text(), phrases)) {
  for (std::string_view display : read.displays())
    negated = negated || StartsNegated(display, phrases);
}

bool FactReader::MatchesCondition(const ValueSet* vs, const ConditionConcept& c) {
  if (vs == nullptr || vs->set.empty()) return false;
  if (vs->set.MatchesCode(c.read)) return true;
  if (c.negated) return false;
  for (std::string_view display : c.read.displays())
    if (vs->set.MatchesText(display)) return true;
  return c.read.text() && vs->set.MatchesText(*c.read.text());
}
PatientFacts FactReader::ReadPatient(fhir::EpochSeconds t) const {
  PatientFacts f;
  f.reference_time = t;
  for (std::size_t i = 0; i < kDataKeyCount; ++i)
    f.coverage[i] = CoverageOf(request_.Prefetch(KeyName(static_cast<DataKey>(i))).state);
  fhir::ForEachResource(KeyValue(DataKey::kPatient), [&](const base::Json& r) {
    if (fhir::ResourceType(r) != "Patient" || f.patient_known) return;
    f.patient_known = true;
    const base::Json* b = base::Member(r, "birthDate");
    if (b == nullptr) return;
    if (b->IsString()) f.birth_date = fhir::ParseDate(base::View(*b));
    if (f.birth_date) f.age = fhir::AgeAt(*f.birth_date, t);
    if (!f.birth_date || !f.age) {
      f.birth_date_unreadable = true;  // not a date, or after the reference time
      f.birth_date.reset();
    }
  });
  ReadObservations(t, f);
  ReadConditions(t, f);
  ReadAllergies(f);
  ReadImmunizations(f);
  return f;
}

void FactReader::ReadAllergies(PatientFacts& f) const {
  const ValueSet* ecoli = k_.sets.ecoli_protein_allergy;
  const ValueSet* site = k_.sets.injection_site_reaction;
  if (ecoli == nullptr) return;
  fhir::ForEachResource(KeyValue(DataKey::kAllergies), [&](const base::Json& r) {
    if (fhir::ResourceType(r) != "AllergyIntolerance" || !fhir::IsActiveAllergy(r)) return;
    const auto recorded = DateMember(r, {"recordedDate", "assertedDate", "onsetDateTime"});
    std::optional<Evidence> found;
    if (const base::Json* code = ObjectMember(r, "code");
        code && MatchesCondition(ecoli, ConditionConcept(*code, k_.negation_phrases)))
      found = EvidenceOf(*code, recorded);
    std::size_t manifestations = 0, site_only = 0;
    bool severe = false;  // a severe reaction on record: never only an intolerance
    base::ForEachObject(base::Member(r, "reaction"), [&](const base::Json& reaction) {
      severe = severe || base::StringMember(reaction, "severity").value_or("") == "severe";
      if (const base::Json* substance = ObjectMember(reaction, "substance");
          !found && substance != nullptr &&
          MatchesCondition(ecoli, ConditionConcept(*substance, k_.negation_phrases)))
        found = EvidenceOf(*substance, recorded);
      base::ForEachObject(base::Member(reaction, "manifestation"), [&](const base::Json& m) {
        ++manifestations;
        if (Matches(site, m)) ++site_only;
      });
    });
    if (!found) return;
    AllergyEvidence a;
    a.evidence = std::move(*found);
    // An intolerance (not a high-criticality one, nor one with a severe reaction), or only
    // injection-site reactions: a warning, not the contraindication (policy §4).
    const bool high = base::StringMember(r, "criticality").value_or("") == "high" || severe;
    a.intolerance_only = !high && (base::StringMember(r, "type").value_or("") == "intolerance" ||
                                   (manifestations > 0 && site_only == manifestations));
    f.ecoli_allergy.push_back(std::move(a));
  });
}

void FactReader::ReadImmunizations(PatientFacts& f) const {
  const ValueSets& s = k_.sets;
  fhir::ForEachResource(KeyValue(DataKey::kImmunizations), [&](const base::Json& r) {
    if (fhir::ResourceType(r) != "Immunization" || !fhir::IsCompletedImmunization(r)) return;
    const base::Json* code = ObjectMember(r, "vaccineCode");
    if (code == nullptr) return;
    const auto when = fhir::ImmunizationTime(r);
    if (Matches(s.pneumococcal_vaccine, *code))
      f.pneumococcal_vaccines.push_back(EvidenceOf(*code, when));
    if (Matches(s.hib_vaccine, *code)) f.hib_vaccines.push_back(EvidenceOf(*code, when));
  });
}

namespace {

// The latest readable value of one kind, and the implausible or unreadable ones seen.
struct Latest {
  std::optional<Measurement> value;
  std::optional<Measurement> any;  // latest readable of all (weight: stale)
  bool is_egfr = false;
  std::vector<std::pair<fhir::EpochSeconds, std::string>> notes;
};

// Notes that still matter: newer than the value used (or when none was used), within `days`.
std::vector<std::string> Notes(const Latest& l, fhir::EpochSeconds t, int days) {
  std::vector<std::string> out;
  for (const auto& [when, note] : l.notes)
    if ((!l.value || when > l.value->time) && (days <= 0 || Within(t, when, days)))
      out.push_back(note);
  return out;
}

}  // namespace

void FactReader::ReadObservations(fhir::EpochSeconds t, PatientFacts& f) const {
  const DosingPolicy& d = k_.dosing;
  const ValueSets& s = k_.sets;
  const bool very_young = f.age && f.age->min_months < d.very_young_age_years * 12;
  f.weight_window_days = very_young ? d.weight_max_age_days_very_young : d.weight_max_age_days;
  Latest weight, renal, anc;
  // Pregnancy and breast-feeding status: the latest value of each.
  std::optional<fhir::EpochSeconds> preg_time, bf_time;
  bool pregnant = false, breastfeeding = false;
  Evidence preg_evidence, bf_evidence;

  fhir::ForEachResource(KeyValue(DataKey::kObservations), [&](const base::Json& r) {
    if (fhir::ResourceType(r) != "Observation" || !fhir::IsUsableObservation(r)) return;
    const base::Json* code = ObjectMember(r, "code");
    if (code == nullptr) return;
    const auto when = fhir::ObservationTime(r);
    if (!when || *when > t) return;  // undated, or after the reference time
    const std::string label = fhir::ConceptLabel(*code);
    const std::string date = fhir::FormatDate(*when);
    // A numeric value in a unit, converted; or a note saying why not.
    // Plausible values lie in [min, max] (max 0: no bound).
    auto read = [&](std::optional<double> (*convert)(const fhir::Quantity&), double min, double max,
                    const char* unit, Latest& into, bool egfr) {
      const base::Json* vq = base::Member(r, "valueQuantity");
      const base::Json* value =
          vq != nullptr && vq->IsObject() ? base::Member(*vq, "value") : nullptr;
      std::string why;
      std::optional<double> v;
      if (value == nullptr) {
        why = "no numeric value";
      } else if (!value->IsNumber()) {
        why = "a value that is not a number";
      } else if (auto q = fhir::ReadQuantity(*vq); !q || !(v = convert(*q))) {
        why = "unit \"" + (q ? q->unit : std::string()) + "\" not understood";
      } else if (*v < min || (max > 0 && *v > max)) {
        why = "the recorded value was implausible (" + FormatNumber(*v) + " " + unit + ")";
        v.reset();
      }
      if (!v) {
        into.notes.emplace_back(*when, label + " on " + date + ": " + why);
        return;
      }
      if (!into.value || *when > into.value->time) {
        into.value = Measurement{*v, *when, label};
        into.is_egfr = egfr;
      }
    };
    if (Matches(s.body_weight, *code)) {
      // A weight of 0 is never plausible, whatever the configured minimum.
      read(fhir::ToKilograms, std::max(d.min_plausible_weight_kg, 1e-9), d.max_plausible_weight_kg,
           "kg", weight, false);
    } else if (Matches(s.creatinine_clearance, *code) || Matches(s.egfr, *code)) {
      const bool egfr = !Matches(s.creatinine_clearance, *code);
      if (Within(t, *when, d.renal_max_age_days))
        read(fhir::ToMillilitresPerMinute, 0, d.max_plausible_renal_ml_min, "mL/min", renal, egfr);
    } else if (Matches(s.neutrophil_count, *code)) {
      read(fhir::ToBillionPerLitre, 0, d.max_plausible_neutrophils, "10^9/L", anc, false);
    } else if (Matches(s.pregnancy_status, *code) || Matches(s.breastfeeding_status, *code)) {
      const bool is_preg = Matches(s.pregnancy_status, *code);
      const base::Json* value = ObjectMember(r, "valueCodeableConcept");
      bool positive = false;
      if (is_preg) {
        positive = value != nullptr && Matches(s.pregnancy_status_pregnant, *value);
      } else {
        positive = (value != nullptr && Matches(s.breastfeeding_status_yes, *value)) ||
                   base::BoolMember(r, "valueBoolean").value_or(false);
      }
      auto& time = is_preg ? preg_time : bf_time;
      if (time && *when <= *time) return;
      time = *when;
      std::string shown = value != nullptr ? fhir::ConceptLabel(*value) : std::string();
      if (shown.empty() && base::BoolMember(r, "valueBoolean")) shown = positive ? "yes" : "no";
      (is_preg ? pregnant : breastfeeding) = positive;
      (is_preg ? preg_evidence : bf_evidence) = Evidence{label + ": " + shown, date};
    }
  });

  if (weight.value) {
    if (Within(t, weight.value->time, f.weight_window_days)) {
      f.weight_kg = weight.value;
    } else {
      f.stale_weight_kg = weight.value;
    }
  }
  {
    Latest in_window = weight;
    if (!f.weight_kg) in_window.value.reset();
    f.weight_notes = Notes(in_window, t, f.weight_window_days);
  }
  f.renal_ml_min = renal.value;
  f.renal_is_egfr = renal.value && renal.is_egfr;
  f.renal_notes = Notes(renal, t, d.renal_max_age_days);
  f.neutrophils = anc.value;
  f.neutrophil_notes = Notes(anc, t, 0);
  if (pregnant && preg_time && Within(t, *preg_time, d.pregnancy_status_max_age_days))
    f.pregnancy.push_back(preg_evidence);
  if (breastfeeding && bf_time && Within(t, *bf_time, d.breastfeeding_status_max_age_days))
    f.breastfeeding.push_back(bf_evidence);
}

void FactReader::ReadConditions(fhir::EpochSeconds t, PatientFacts& f) const {
  const ValueSets& s = k_.sets;
  struct Target {
    const ValueSet* set;
    std::vector<Evidence>* out;
  };
  const Target targets[] = {{s.lactation, &f.breastfeeding},
                            {s.severe_renal_impairment, &f.renal_conditions},
                            {s.hepatic_impairment, &f.hepatic},
                            {s.immunosuppression, &f.immunosuppression},
                            {s.chronic_infection, &f.chronic_infection},
                            {s.indication_ra, &f.ra},
                            {s.indication_caps, &f.caps},
                            {s.indication_dira, &f.dira},
                            {s.indication_stills, &f.stills},
                            {s.indication_fmf, &f.fmf},
                            {s.off_label_use, &f.off_label}};
  // Pregnancy: active pregnancy Conditions, unless a later record says the pregnancy ended.
  std::vector<std::pair<std::optional<fhir::EpochSeconds>, Evidence>> pregnancies;
  std::optional<fhir::EpochSeconds> ended;
  auto note_end = [&](fhir::EpochSeconds when) {
    if (when <= t && (!ended || when > *ended)) ended = when;
  };
  fhir::ForEachResource(KeyValue(DataKey::kConditions), [&](const base::Json& r) {
    if (fhir::ResourceType(r) != "Condition") return;
    const base::Json* code = ObjectMember(r, "code");
    if (code == nullptr) return;
    const auto onset =
        DateMember(r, {"onsetDateTime", "recordedDate", "assertedDate", "dateRecorded"});
    const ConditionConcept condition(*code, k_.negation_phrases);
    if (MatchesCondition(s.pregnancy_ended, condition)) {
      // An ended pregnancy counts whatever its clinical status (it is usually resolved), unless
      // refuted or entered in error.
      if (!fhir::IsActiveCondition(r)) {
        const base::Json* vs = base::Member(r, "verificationStatus");
        std::string_view v;
        if (vs != nullptr && vs->IsString()) v = base::View(*vs);
        if (vs != nullptr && vs->IsObject())
          fhir::ForEachCoding(*vs, [&](const base::Json& c) {
            if (v.empty()) v = base::StringMember(c, "code").value_or("");
          });
        if (v == "refuted" || v == "entered-in-error") return;
      }
      const auto end = DateMember(r, {"abatementDateTime", "onsetDateTime", "recordedDate",
                                      "assertedDate", "dateRecorded"});
      if (end) note_end(*end);
      return;
    }
    if (!fhir::IsActiveCondition(r)) return;
    if (MatchesCondition(s.pregnancy, condition))
      pregnancies.emplace_back(onset, EvidenceOf(*code, onset));
    for (const Target& target : targets)
      if (MatchesCondition(target.set, condition)) target.out->push_back(EvidenceOf(*code, onset));
    if (MatchesCondition(s.serious_infection, condition) &&
        !MatchesCondition(s.non_infectious_pneumonia, condition))
      f.serious_infection.push_back(EvidenceOf(*code, onset));
    if (MatchesCondition(s.unspecified_jia, condition)) f.unspecified_jia = true;
  });
  // A not-pregnant status Observation later than the Condition ends it too.
  fhir::ForEachResource(KeyValue(DataKey::kObservations), [&](const base::Json& r) {
    if (fhir::ResourceType(r) != "Observation" || !fhir::IsUsableObservation(r)) return;
    const base::Json* code = ObjectMember(r, "code");
    const base::Json* value = ObjectMember(r, "valueCodeableConcept");
    if (code == nullptr || value == nullptr || !Matches(s.pregnancy_status, *code) ||
        !Matches(s.pregnancy_status_not_pregnant, *value))
      return;
    if (auto when = fhir::ObservationTime(r)) note_end(*when);
  });
  // A pregnancy from a status Observation: ended by a later ended-pregnancy Condition.
  if (!f.pregnancy.empty() && ended) {
    const auto status_time = fhir::ParseDateTime(f.pregnancy.front().date);
    if (status_time && *ended > *status_time + fhir::kSecondsPerDay - 1) f.pregnancy.clear();
  }
  for (auto& [onset, evidence] : pregnancies)
    if (!ended || !onset || *onset >= *ended) f.pregnancy.push_back(std::move(evidence));
}

}  // namespace anakinra
