#include "fhir/medication_order.h"

namespace fhir {

bool IsMedicationOrder(const Json& resource) {
  auto type = ResourceType(resource);
  return type == "MedicationRequest" || type == "MedicationOrder";
}

MedicationView OrderMedication(const Json& order, const ResourceIndex& index) {
  MedicationView view;
  if (const Json* cc = Member(order, "medicationCodeableConcept");
      cc != nullptr && cc->IsObject()) {
    view.cc = cc;
    return view;
  }
  const Json* ref = Member(order, "medicationReference");
  if (ref == nullptr || !ref->IsObject()) return view;
  if (auto display = StringMember(*ref, "display")) view.reference_text = *display;
  if (auto reference = StringMember(*ref, "reference")) {
    if (const Json* med = index.Resolve(*reference, &order)) {
      if (const Json* code = Member(*med, "code"); code != nullptr && code->IsObject())
        view.cc = code;
    }
  }
  return view;
}

DosageView FirstDosage(const Json& order) {
  DosageView view;
  ForEachObject(Member(order, "dosageInstruction"), [&](const Json& dosage) {
    if (view.dosage != nullptr) return;
    view.dosage = &dosage;
    if (const Json* t = Member(dosage, "timing"); t != nullptr && t->IsObject()) view.timing = t;
    if (const Json* r = Member(dosage, "route"); r != nullptr && r->IsObject()) view.route = r;
    ForEachObject(Member(dosage, "doseAndRate"), [&](const Json& dr) {
      if (view.dose == nullptr)
        if (const Json* q = Member(dr, "doseQuantity"); q != nullptr && q->IsObject())
          view.dose = q;
    });
    if (view.dose == nullptr)
      if (const Json* q = Member(dosage, "doseQuantity"); q != nullptr && q->IsObject())
        view.dose = q;
  });
  return view;
}

std::string_view OrderPatientId(const Json& order) {
  for (const char* name : {"subject", "patient"}) {
    if (const Json* ref = Member(order, name))
      if (auto r = StringMember(*ref, "reference")) return ReferenceId(*r);
  }
  return {};
}

}  // namespace fhir
