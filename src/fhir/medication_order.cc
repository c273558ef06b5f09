#include "fhir/medication_order.h"

#include <cmath>
#include <cstdio>

namespace fhir {

bool IsMedicationOrder(const base::Json& resource) {
  auto type = ResourceType(resource);
  return type == "MedicationRequest" || type == "MedicationOrder";
}

MedicationView OrderMedication(const base::Json& order, const ResourceIndex& index) {
  MedicationView view;
  if (const base::Json* cc = base::Member(order, "medicationCodeableConcept");
      cc != nullptr && cc->IsObject()) {
    view.cc = cc;
    return view;
  }
  const base::Json* ref = base::Member(order, "medicationReference");
  if (ref == nullptr || !ref->IsObject()) return view;
  if (auto display = base::StringMember(*ref, "display")) view.reference_text = *display;
  if (auto reference = base::StringMember(*ref, "reference")) {
    if (const base::Json* med = index.Resolve(*reference, &order)) {
      if (const base::Json* code = base::Member(*med, "code"); code != nullptr && code->IsObject())
        view.cc = code;
    }
  }
  return view;
}

std::string_view OrderPatientId(const base::Json& order) {
  for (const char* name : {"subject", "patient"}) {
    if (const base::Json* ref = base::Member(order, name))
      if (auto r = base::StringMember(*ref, "reference")) return ReferenceId(*r);
  }
  return {};
}

}  // namespace fhir

namespace fhir {
namespace {

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string Ordinal(std::size_t index, std::size_t count) {
  return count > 1 ? " in dosage entry " + std::to_string(index + 1) : std::string();
}

// Reads one dose Quantity into `line`.
void ReadDose(const base::Json& q, const DoseLimits& limits, const std::string& where,
              DosageLine& line) {
  line.dose_given = true;
  if (!q.IsObject()) {
    line.unreadable.push_back("a dose that is not a Quantity" + where);
    return;
  }
  const base::Json* value = base::Member(q, "value");
  if (value == nullptr) {
    line.unreadable.push_back("a dose without a value" + where);
    return;
  }
  if (!value->IsNumber()) {
    line.unreadable.push_back("a dose value that is not a number" + where);
    return;
  }
  auto read = ReadQuantity(q);
  if (!read) {
    line.unreadable.push_back("a dose value that is not a number" + where);
    return;
  }
  line.dose_text = Number(read->value) + (read->unit.empty() ? "" : " " + read->unit);
  if (read->unit.empty()) {
    line.unreadable.push_back("a dose of " + Number(read->value) + " without a unit" + where);
    return;
  }
  std::optional<double> mg = ToMilligrams(*read);
  if (!mg) {
    if (auto ml = ToMillilitres(*read); ml && limits.concentration_mg_per_ml > 0) {
      // Round to 0.1 mg: the concentration is itself rounded (100 mg / 0.67 mL ~ 149.25 mg/mL),
      // and the labelled 0.67 mL must read as 100 mg, not 99.9975 mg.
      mg = std::round(*ml * limits.concentration_mg_per_ml * 10) / 10;
    }
  }
  if (!mg) {
    line.unreadable.push_back("dose unit \"" + read->unit + "\" is not a unit of mass or volume" +
                              where);
  } else if (!(*mg > 0)) {
    line.unreadable.push_back("a dose of " + line.dose_text + where);
  } else if (limits.max_plausible_dose_mg > 0 && *mg > limits.max_plausible_dose_mg) {
    line.unreadable.push_back("an implausible dose of " + line.dose_text + where);
  } else {
    line.dose_mg = *mg;
  }
}

}  // namespace

std::vector<DosageLine> ReadDosageLines(const base::Json& order, const DoseLimits& limits) {
  std::vector<DosageLine> lines;
  const base::Json* instructions = base::Member(order, "dosageInstruction");
  if (instructions == nullptr) return lines;
  std::vector<const base::Json*> entries;
  if (instructions->IsArray()) {
    for (const auto& e : instructions->GetArray()) entries.push_back(&e);
  } else {
    entries.push_back(instructions);
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const base::Json& d = *entries[i];
    const std::string where = Ordinal(i, entries.size());
    DosageLine line;
    line.index = i;
    if (!d.IsObject()) {
      line.dose_given = true;
      line.unreadable.push_back("a dosage instruction that is not an object" + where);
      lines.push_back(std::move(line));
      continue;
    }
    line.dosage = &d;
    if (const base::Json* seq = base::Member(d, "sequence")) {
      if (seq->IsInt()) {
        line.sequence = seq->GetInt();
      } else {
        line.unreadable.push_back("a dosage sequence that is not a whole number" + where);
      }
    }
    // R4 doseAndRate (array or object): the first doseQuantity, else a doseRange.
    bool found = false;
    if (const base::Json* dr = base::Member(d, "doseAndRate")) {
      if (!dr->IsArray() && !dr->IsObject()) {
        line.dose_given = true;
        line.unreadable.push_back("a doseAndRate that is not an object" + where);
        found = true;
      }
      bool range = false;
      base::ForEachObject(dr, [&](const base::Json& e) {
        if (found) return;
        if (const base::Json* q = base::Member(e, "doseQuantity")) {
          ReadDose(*q, limits, where, line);
          found = true;
        } else if (base::Member(e, "doseRange") != nullptr) {
          range = true;
        }
      });
      if (!found && range) {
        line.dose_given = true;
        line.unreadable.push_back("a dose range (doseRange) instead of one dose" + where);
        found = true;
      }
    }
    // STU3 / DSTU2: dose[x] on the dosage itself.
    if (!found) {
      if (const base::Json* q = base::Member(d, "doseQuantity")) {
        ReadDose(*q, limits, where, line);
      } else if (base::Member(d, "doseRange") != nullptr) {
        line.dose_given = true;
        line.unreadable.push_back("a dose range (doseRange) instead of one dose" + where);
      } else {
        line.unreadable.push_back("no dose" + where);
      }
    }
    if (const base::Json* t = base::Member(d, "timing")) {
      line.timing = ReadTiming(*t, limits.max_plausible_per_day);
      if (!line.timing.unreadable.empty())
        line.unreadable.push_back(line.timing.unreadable + where);
    }
    if (!line.timing.given)
      if (auto text = base::StringMember(d, "text")) {
        // A dosage whose only timing is its text ("once daily").
        if (auto f = FrequencyFromText(*text)) {
          line.timing.given = true;
          line.timing.frequency = std::move(f);
        }
      }
    if (const base::Json* r = base::Member(d, "route"); r != nullptr && r->IsObject())
      line.route = r;
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace fhir
