#include "anakinra/fact_reader.h"

#include "fhir/code_set.h"
#include "fhir/medication_order.h"
#include "fhir/quantity.h"

#include <cmath>
#include <cstdio>
#include <iterator>

namespace anakinra {
namespace {

std::string FormatNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

Evidence EvidenceOf(const fhir::Json& cc, std::optional<fhir::EpochSeconds> when) {
  return Evidence{fhir::ConceptLabel(cc), when ? fhir::FormatDate(*when) : std::string()};
}

std::optional<fhir::EpochSeconds> DateMember(const fhir::Json& r,
                                             std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (auto s = fhir::StringMember(r, n)) return fhir::ParseDateTime(*s);
  return std::nullopt;
}

}  // namespace

FactReader::FactReader(const Knowledge& knowledge, const cdshooks::Request& request)
    : k_(knowledge), request_(request) {}

const fhir::ResourceIndex& FactReader::Index() const {
  if (!index_) {
    index_.emplace();
    index_->AddAll(request_.draft_orders);
    for (const auto& [key, value] : request_.prefetch) {
      (void)key;
      if (value.state == cdshooks::PrefetchState::kResource) index_->AddAll(value.value);
    }
  }
  return *index_;
}

fhir::MedicationView FactReader::Medication(const fhir::Json& order) const {
  // A coded medication is read without the index; only a medicationReference is resolved.
  static const fhir::ResourceIndex kNoIndex;
  const fhir::Json* cc = fhir::Member(order, "medicationCodeableConcept");
  return fhir::OrderMedication(order, cc != nullptr && cc->IsObject() ? kNoIndex : Index());
}

const fhir::CodeSet& FactReader::ClassSet(std::size_t i) const {
  static const char* const kNames[] = {"anakinra", "tnf-antagonist", "il1-blocker", "live-vaccine",
                                       "antibacterial-prophylaxis"};
  if (class_sets_[i] == nullptr) class_sets_[i] = &k_.Set(kNames[i]).set;
  return *class_sets_[i];
}

DrugClass FactReader::Classify(const fhir::Json& order) const {
  for (const auto& [resource, drug] : classified_)
    if (resource == &order) return drug;
  const fhir::MedicationView med = Medication(order);
  auto in = [&](std::size_t set) {
    const fhir::CodeSet& s = ClassSet(set);
    return (med.cc != nullptr && s.MatchesConcept(*med.cc)) || s.MatchesText(med.reference_text);
  };
  const DrugClass drug = in(0)   ? DrugClass::kAnakinra
                         : in(1) ? DrugClass::kTnfAntagonist
                         : in(2) ? DrugClass::kIl1Blocker
                         : in(3) ? DrugClass::kLiveVaccine
                         : in(4) ? DrugClass::kAntibacterial
                                 : DrugClass::kOther;
  classified_.emplace_back(&order, drug);
  return drug;
}

std::vector<Order> FactReader::ReadOrders(std::vector<cdshooks::Issue>& problems) const {
  std::vector<Order> orders;
  auto add = [&](const fhir::Json& r, bool draft, const std::string& path) {
    if (!fhir::IsMedicationOrder(r)) return;
    Order o;
    o.resource = &r;
    o.key = fhir::ReferenceKey(r);
    o.draft = draft;
    o.drug = Classify(r);
    const fhir::MedicationView med = Medication(r);
    o.label = med.cc != nullptr ? fhir::ConceptLabel(*med.cc) : std::string(med.reference_text);
    if (o.label.empty()) o.label = "an unnamed medication";
    o.authored_on = DateMember(r, {"authoredOn", "dateWritten"});
    // A date without a time stands for the whole day: results from later that day still count.
    for (const char* name : {"authoredOn", "dateWritten"})
      if (auto text = fhir::StringMember(r, name); text && text->size() <= 10 && o.authored_on) {
        *o.authored_on += fhir::kSecondsPerDay - 1;
        break;
      }
    if (draft) {
      if (request_.hook == "order-select") {
        for (const auto& s : request_.selections)
          o.evaluated = o.evaluated || s == o.key || s == fhir::ResourceId(r);
      } else {
        o.evaluated = true;
      }
    }
    if (o.drug == DrugClass::kAnakinra && o.evaluated) ReadDosing(r, path, o, problems);
    orders.push_back(std::move(o));
  };
  std::size_t i = 0;
  fhir::ForEachResource(request_.draft_orders, [&](const fhir::Json& r) {
    add(r, true, "context.draftOrders.entry[" + std::to_string(i++) + "]");
  });
  const auto meds = request_.Prefetch(prefetch_key::kMedications);
  if (meds.state == cdshooks::PrefetchState::kResource) {
    fhir::ForEachResource(meds.value, [&](const fhir::Json& r) {
      if (fhir::Status(r) != "active") return;
      const std::string key = fhir::ReferenceKey(r);
      for (const auto& o : orders)
        if (!key.empty() && o.key == key) return;  // the draft being re-signed
      add(r, false, "prefetch.medications");
    });
  }
  return orders;
}

void FactReader::ReadDosing(const fhir::Json& order, const std::string& path, Order& out,
                            std::vector<cdshooks::Issue>& problems) const {
  const fhir::DosageView d = fhir::FirstDosage(order);
  auto fail = [&](const std::string& what) {
    problems.push_back(
        cdshooks::Issue{"value", out.key + ": " + what, path + ".resource.dosageInstruction[0]"});
  };
  if (d.dose != nullptr) {
    auto q = fhir::ReadQuantity(*d.dose);
    if (!q) {
      fail("doseQuantity.value must be a number.");
    } else if (q->unit.empty()) {
      fail("doseQuantity has no unit; give a UCUM unit of mass or volume (mg, g, mcg, mL).");
    } else if (q->value <= 0) {
      fail("doseQuantity.value must be greater than zero.");
    } else if (auto mg = fhir::ToMilligrams(*q)) {
      out.has_dose = true;
      out.dose_mg = *mg;
      out.dose_text = FormatNumber(q->value) + " " + q->unit;
    } else if (auto ml = fhir::ToMillilitres(*q)) {
      out.has_dose = true;
      // Round to 0.1 mg: the concentration is itself rounded (100 mg / 0.67 mL ~ 149.25 mg/mL), and
      // the labelled 0.67 mL must read as 100 mg, not 99.9975 mg (below the 100 mg/day range).
      out.dose_mg = std::round(*ml * k_.dosing.concentration_mg_per_ml * 10) / 10;
      out.dose_text = FormatNumber(q->value) + " " + q->unit;
    } else {
      fail("doseQuantity unit \"" + q->unit +
           "\" is not a unit of mass or volume we can convert (use mg, g, mcg or mL).");
    }
  }
  if (d.timing != nullptr) out.frequency = fhir::ReadTimingFrequency(*d.timing);
  if (d.route != nullptr) {
    out.has_route = true;
    out.route_label = fhir::ConceptLabel(*d.route);
    out.route_subcutaneous = k_.Set("subcutaneous-route").set.MatchesConcept(*d.route);
  }
  auto add_reason = [&](const fhir::Json& cc) { out.reasons.push_back(&cc); };
  fhir::ForEachObject(fhir::Member(order, "reasonCode"), add_reason);
  fhir::ForEachObject(fhir::Member(order, "reasonCodeableConcept"), add_reason);
  fhir::ForEachObject(fhir::Member(order, "reasonReference"), [&](const fhir::Json& ref) {
    auto r = fhir::StringMember(ref, "reference");
    const fhir::Json* cond = r ? Index().Resolve(*r, &order) : nullptr;
    if (cond != nullptr)
      if (const fhir::Json* code = fhir::Member(*cond, "code"); code != nullptr && code->IsObject())
        out.reasons.push_back(code);
  });
}

PatientFacts FactReader::ReadPatient(fhir::EpochSeconds t) const {
  PatientFacts f;
  fhir::ForEachResource(request_.Prefetch(prefetch_key::kPatient).value, [&](const fhir::Json& r) {
    if (fhir::ResourceType(r) != "Patient" || f.patient_known) return;
    f.patient_known = true;
    if (auto b = fhir::StringMember(r, "birthDate")) {
      f.birth_date = fhir::ParseDate(*b);
      if (f.birth_date) f.age = fhir::AgeAt(*f.birth_date, t);
    }
    f.gender = std::string(fhir::StringMember(r, "gender").value_or(""));
  });
  ReadObservations(t, f);
  ReadConditions(f);
  const fhir::CodeSet* ecoli_set = nullptr;  // looked up once, at the first active allergy
  fhir::ForEachResource(
      request_.Prefetch(prefetch_key::kAllergies).value, [&](const fhir::Json& r) {
        if (fhir::ResourceType(r) != "AllergyIntolerance" || !fhir::IsActiveAllergy(r)) return;
        if (ecoli_set == nullptr) ecoli_set = &k_.Set("ecoli-protein-allergy").set;
        const fhir::CodeSet& ecoli = *ecoli_set;
        const auto recorded = DateMember(r, {"recordedDate", "assertedDate", "recordedDate"});
        if (const fhir::Json* code = fhir::Member(r, "code");
            code != nullptr && ecoli.MatchesConcept(*code)) {
          f.ecoli_allergy.push_back(EvidenceOf(*code, recorded));
          return;
        }
        bool found = false;
        fhir::ForEachObject(fhir::Member(r, "reaction"), [&](const fhir::Json& reaction) {
          const fhir::Json* substance = fhir::Member(reaction, "substance");
          if (!found && substance != nullptr && ecoli.MatchesConcept(*substance)) {
            f.ecoli_allergy.push_back(EvidenceOf(*substance, recorded));
            found = true;
          }
        });
      });
  const fhir::CodeSet *pneumococcal = nullptr, *hib = nullptr;  // looked up at the first vaccine
  fhir::ForEachResource(
      request_.Prefetch(prefetch_key::kImmunizations).value, [&](const fhir::Json& r) {
        if (fhir::ResourceType(r) != "Immunization" || !fhir::IsCompletedImmunization(r)) return;
        const fhir::Json* code = fhir::Member(r, "vaccineCode");
        if (code == nullptr) return;
        const auto when = fhir::ImmunizationTime(r);
        if (pneumococcal == nullptr) pneumococcal = &k_.Set("pneumococcal-vaccine").set;
        if (pneumococcal->MatchesConcept(*code))
          f.pneumococcal_vaccines.push_back(EvidenceOf(*code, when));
        if (hib == nullptr) hib = &k_.Set("hib-vaccine").set;
        if (hib->MatchesConcept(*code)) f.hib_vaccines.push_back(EvidenceOf(*code, when));
      });
  return f;
}

void FactReader::ReadObservations(fhir::EpochSeconds t, PatientFacts& f) const {
  const DosingPolicy& d = k_.dosing;
  const fhir::CodeSet& weight = k_.Set("body-weight").set;
  const fhir::CodeSet& crcl = k_.Set("creatinine-clearance").set;
  const fhir::CodeSet& egfr = k_.Set("egfr").set;
  const fhir::CodeSet& anc = k_.Set("neutrophil-count").set;
  const fhir::CodeSet& preg = k_.Set("pregnancy-status").set;
  const fhir::CodeSet& bf = k_.Set("breastfeeding-status").set;
  std::optional<Measurement> latest_weight, latest_crcl, latest_egfr;
  std::optional<fhir::EpochSeconds> preg_time, bf_time;
  bool pregnant = false, breastfeeding = false;
  Evidence preg_evidence, bf_evidence;
  auto newer = [](const std::optional<Measurement>& m, fhir::EpochSeconds when) {
    return !m || when > m->time;
  };
  auto within = [&](fhir::EpochSeconds when, int days) {
    // Whole days: with a date-only reference (end of that day) a result from N days before counts.
    return when <= t && (t - when) / fhir::kSecondsPerDay <= days;
  };

  fhir::ForEachResource(
      request_.Prefetch(prefetch_key::kObservations).value, [&](const fhir::Json& r) {
        if (fhir::ResourceType(r) != "Observation" || !fhir::IsUsableObservation(r)) return;
        const fhir::Json* code = fhir::Member(r, "code");
        if (code == nullptr || !code->IsObject()) return;
        const auto when = fhir::ObservationTime(r);
        if (!when || *when > t) return;  // undated, or after the reference time
        const fhir::Json* vq = fhir::Member(r, "valueQuantity");
        std::optional<fhir::Quantity> q =
            vq != nullptr && vq->IsObject() ? fhir::ReadQuantity(*vq) : std::nullopt;
        const std::string label = fhir::ConceptLabel(*code);
        const std::string date = fhir::FormatDate(*when);
        auto unreadable = [&]() {
          return label + " on " + date + " (" +
                 (q ? FormatNumber(q->value) + " \"" + q->unit + "\": unit not understood"
                    : std::string("no numeric value")) +
                 ")";
        };
        if (weight.MatchesConcept(*code)) {
          auto kg = q ? fhir::ToKilograms(*q) : std::nullopt;
          if (!kg || *kg <= 0) {
            f.weight_notes.push_back(unreadable());
          } else if (newer(latest_weight, *when)) {
            latest_weight = Measurement{*kg, *when, label};
          }
        } else if (crcl.MatchesConcept(*code) || egfr.MatchesConcept(*code)) {
          auto v = q ? fhir::ToMillilitresPerMinute(*q) : std::nullopt;
          auto& slot = crcl.MatchesConcept(*code) ? latest_crcl : latest_egfr;
          if (v && within(*when, d.renal_max_age_days) && newer(slot, *when))
            slot = Measurement{*v, *when, label};
        } else if (anc.MatchesConcept(*code)) {
          auto v = q ? fhir::ToBillionPerLitre(*q) : std::nullopt;
          if (!v) {
            f.neutrophil_notes.push_back(unreadable());
          } else if (newer(f.neutrophils, *when)) {
            f.neutrophils = Measurement{*v, *when, label};
          }
        } else if (preg.MatchesConcept(*code) || bf.MatchesConcept(*code)) {
          const bool is_preg = preg.MatchesConcept(*code);
          auto& time = is_preg ? preg_time : bf_time;
          if (time && *when <= *time) return;
          time = *when;
          const fhir::Json* value = fhir::Member(r, "valueCodeableConcept");
          const fhir::CodeSet& yes =
              k_.Set(is_preg ? "pregnancy-status-pregnant" : "breastfeeding-status-yes").set;
          const bool positive = value != nullptr && value->IsObject() && yes.MatchesConcept(*value);
          Evidence e{label + ": " + (value != nullptr ? fhir::ConceptLabel(*value) : ""), date};
          (is_preg ? pregnant : breastfeeding) = positive;
          (is_preg ? preg_evidence : bf_evidence) = e;
        }
      });

  if (latest_weight) {
    if (within(latest_weight->time, d.weight_max_age_days)) {
      f.weight_kg = latest_weight;
    } else {
      f.stale_weight_kg = latest_weight;
    }
  }
  if (latest_crcl) {
    f.renal_ml_min = latest_crcl;
  } else if (latest_egfr) {
    f.renal_ml_min = latest_egfr;
    f.renal_is_egfr = true;
  }
  if (pregnant && preg_time && within(*preg_time, d.pregnancy_status_max_age_days))
    f.pregnancy.push_back(preg_evidence);
  if (breastfeeding && bf_time && within(*bf_time, d.breastfeeding_status_max_age_days))
    f.breastfeeding.push_back(bf_evidence);
}

void FactReader::ReadConditions(PatientFacts& f) const {
  struct Target {
    const char* set;
    std::vector<Evidence>* out;
  };
  const Target targets[] = {{"pregnancy", &f.pregnancy},
                            {"lactation", &f.breastfeeding},
                            {"severe-renal-impairment", &f.renal_conditions},
                            {"hepatic-impairment", &f.hepatic},
                            {"serious-infection", &f.serious_infection},
                            {"immunosuppression", &f.immunosuppression},
                            {"chronic-infection", &f.chronic_infection},
                            {"indication-ra", &f.ra},
                            {"indication-caps", &f.caps},
                            {"indication-dira", &f.dira},
                            {"indication-stills", &f.stills},
                            {"off-label-use", &f.off_label}};
  const fhir::CodeSet* sets[std::size(targets)] = {};  // looked up once, at the first condition
  fhir::ForEachResource(
      request_.Prefetch(prefetch_key::kConditions).value, [&](const fhir::Json& r) {
        if (fhir::ResourceType(r) != "Condition" || !fhir::IsActiveCondition(r)) return;
        const fhir::Json* code = fhir::Member(r, "code");
        if (code == nullptr || !code->IsObject()) return;
        const auto onset =
            DateMember(r, {"onsetDateTime", "recordedDate", "assertedDate", "dateRecorded"});
        for (std::size_t i = 0; i < std::size(targets); ++i) {
          if (sets[i] == nullptr) sets[i] = &k_.Set(targets[i].set).set;
          if (sets[i]->MatchesConcept(*code)) targets[i].out->push_back(EvidenceOf(*code, onset));
        }
      });
}

}  // namespace anakinra
