#include "anakinra/suggestions.h"

#include "cdshooks/uuid.h"
#include "fhir/code_set.h"

#include <algorithm>
#include <memory>

namespace anakinra {
namespace {

using Doc = rapidjson::Document;
using Alloc = Doc::AllocatorType;
using rapidjson::Value;

Value Str(const std::string& s, Alloc& a) {
  return Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a);
}

void Set(Value& obj, const char* name, Value v, Alloc& a) {
  if (auto it = obj.FindMember(name); it != obj.MemberEnd()) {
    it->value = std::move(v);
  } else {
    obj.AddMember(Value(name, a), std::move(v), a);
  }
}

Value CodingValue(const std::string& system, const std::string& code, const std::string& display,
                  Alloc& a) {
  Value c(rapidjson::kObjectType);
  c.AddMember("system", Str(system, a), a);
  c.AddMember("code", Str(code, a), a);
  if (!display.empty()) c.AddMember("display", Str(display, a), a);
  return c;
}

Value Concept(const cdshooks::Coding& coding, Alloc& a) {
  Value cc(rapidjson::kObjectType);
  Value codings(rapidjson::kArrayType);
  codings.PushBack(CodingValue(coding.system, coding.code, coding.display, a), a);
  cc.AddMember("coding", codings, a);
  cc.AddMember("text", Str(coding.display, a), a);
  return cc;
}

Value MgQuantity(double mg, Alloc& a) {
  Value q(rapidjson::kObjectType);
  q.AddMember("value", mg, a);
  q.AddMember("unit", "mg", a);
  q.AddMember("system", Str(std::string(fhir::system::kUcum), a), a);
  q.AddMember("code", "mg", a);
  return q;
}

std::string PatientReference(const std::string& patient_id) {
  return patient_id.find('/') == std::string::npos ? "Patient/" + patient_id : patient_id;
}

Value Reference(const std::string& ref, Alloc& a) {
  Value r(rapidjson::kObjectType);
  r.AddMember("reference", Str(ref, a), a);
  return r;
}

void ApplyDoseChange(Value& dosage, const DoseChange& change, Alloc& a) {
  if (change.dose_mg) {
    if (auto it = dosage.FindMember("doseQuantity"); it != dosage.MemberEnd()) {
      it->value = MgQuantity(*change.dose_mg, a);  // STU3 / DSTU2 shape
    } else {
      // R4: doseAndRate is an array; a client that sent an object gets an array back.
      Value first(rapidjson::kObjectType);
      if (auto dr = dosage.FindMember("doseAndRate"); dr != dosage.MemberEnd()) {
        if (dr->value.IsArray() && !dr->value.Empty() && dr->value[0].IsObject())
          first.CopyFrom(dr->value[0], a);
        else if (dr->value.IsObject())
          first.CopyFrom(dr->value, a);
      }
      first.RemoveMember("doseRange");
      Set(first, "doseQuantity", MgQuantity(*change.dose_mg, a), a);
      Value list(rapidjson::kArrayType);
      list.PushBack(first, a);
      Set(dosage, "doseAndRate", std::move(list), a);
    }
  }
  if (change.period_days) {
    Value repeat(rapidjson::kObjectType);
    repeat.AddMember("frequency", 1, a);
    repeat.AddMember("period", *change.period_days, a);
    repeat.AddMember("periodUnit", "d", a);
    Value timing(rapidjson::kObjectType);
    timing.AddMember("repeat", repeat, a);
    Set(dosage, "timing", std::move(timing), a);
    dosage.RemoveMember("text");  // the free text described the old regimen
  }
  if (change.subcutaneous) {
    Value route(rapidjson::kObjectType);
    Value codings(rapidjson::kArrayType);
    codings.PushBack(
        CodingValue(std::string(fhir::system::kSnomed), "34206005", "Subcutaneous route", a), a);
    route.AddMember("coding", codings, a);
    route.AddMember("text", "Subcutaneous", a);
    Set(dosage, "route", std::move(route), a);
  }
}

cdshooks::Suggestion Single(std::string label, cdshooks::Action action) {
  cdshooks::Suggestion s;
  s.label = std::move(label);
  s.actions.push_back(std::move(action));
  return s;
}

}  // namespace

cdshooks::Suggestion UpdateOrder(const base::Json& order, const DoseChange& change,
                                 std::string label, std::string description) {
  auto doc = std::make_shared<Doc>();
  Alloc& a = doc->GetAllocator();
  doc->CopyFrom(order, a);
  if (base::StringMember(*doc, "resourceType").value_or("") == "MedicationRequest" &&
      !doc->HasMember("intent"))
    doc->AddMember("intent", "order", a);  // R4 requires it; some clients leave it out
  auto dosages = doc->FindMember("dosageInstruction");
  if (dosages == doc->MemberEnd()) {
    Value list(rapidjson::kArrayType);
    list.PushBack(Value(rapidjson::kObjectType), a);
    doc->AddMember("dosageInstruction", list, a);
    dosages = doc->FindMember("dosageInstruction");
  } else if (dosages->value.IsObject()) {
    Value list(rapidjson::kArrayType);
    Value first;
    first.CopyFrom(dosages->value, a);
    list.PushBack(first, a);
    dosages->value = std::move(list);
  }
  if (dosages->value.IsArray() && !dosages->value.Empty()) {
    std::vector<std::size_t> covered = change.entries;
    if (covered.empty()) covered.push_back(0);
    std::sort(covered.begin(), covered.end());
    const std::size_t first = covered.front();
    Value list(rapidjson::kArrayType);
    auto& old = dosages->value;
    for (rapidjson::SizeType i = 0; i < old.Size(); ++i) {
      const bool in = std::binary_search(covered.begin(), covered.end(), i);
      if (in && i != first) continue;  // replaced by the changed first entry
      Value entry;
      entry.CopyFrom(old[i], a);
      if (in) {
        if (!entry.IsObject()) entry.SetObject();
        ApplyDoseChange(entry, change, a);
      }
      list.PushBack(entry, a);
    }
    dosages->value = std::move(list);
  }
  cdshooks::Action action;
  action.type = "update";
  action.description = std::move(description);
  action.resource = std::move(doc);
  return Single(std::move(label), std::move(action));
}

cdshooks::Suggestion CreateVaccineOrder(const std::string& patient_id,
                                        const cdshooks::Coding& vaccine, std::string label,
                                        const std::string& note_text) {
  auto doc = std::make_shared<Doc>(rapidjson::kObjectType);
  Alloc& a = doc->GetAllocator();
  doc->AddMember("resourceType", "MedicationRequest", a);
  doc->AddMember("id", Str(cdshooks::NewUuid(), a), a);
  doc->AddMember("status", "draft", a);
  doc->AddMember("intent", "order", a);
  doc->AddMember("medicationCodeableConcept", Concept(vaccine, a), a);
  doc->AddMember("subject", Reference(PatientReference(patient_id), a), a);
  Value note(rapidjson::kObjectType);
  note.AddMember("text", Str(note_text, a), a);
  Value notes(rapidjson::kArrayType);
  notes.PushBack(note, a);
  doc->AddMember("note", notes, a);
  cdshooks::Action action;
  action.type = "create";
  action.description = label;
  action.resource = std::move(doc);
  return Single(std::move(label), std::move(action));
}

cdshooks::Suggestion CreateLabOrder(const std::string& patient_id, const cdshooks::Coding& test,
                                    std::string label) {
  auto doc = std::make_shared<Doc>(rapidjson::kObjectType);
  Alloc& a = doc->GetAllocator();
  doc->AddMember("resourceType", "ServiceRequest", a);
  doc->AddMember("id", Str(cdshooks::NewUuid(), a), a);
  doc->AddMember("status", "draft", a);
  doc->AddMember("intent", "order", a);
  Value category(rapidjson::kObjectType);
  Value codings(rapidjson::kArrayType);
  codings.PushBack(CodingValue("http://snomed.info/sct", "108252007", "Laboratory procedure", a),
                   a);
  category.AddMember("coding", codings, a);
  Value categories(rapidjson::kArrayType);
  categories.PushBack(category, a);
  doc->AddMember("category", categories, a);
  doc->AddMember("code", Concept(test, a), a);
  doc->AddMember("subject", Reference(PatientReference(patient_id), a), a);
  cdshooks::Action action;
  action.type = "create";
  action.description = label;
  action.resource = std::move(doc);
  return Single(std::move(label), std::move(action));
}

cdshooks::Suggestion DeleteOrder(const std::string& order_key, std::string label) {
  cdshooks::Action action;
  action.type = "delete";
  action.description = label;
  action.resource_id = order_key;
  return Single(std::move(label), std::move(action));
}

}  // namespace anakinra
