// Small CDS Hooks requests and a tiny Knowledge for the fact reader and engine tests: the tests
// do not depend on hooks/ (whose codes other work changes), only on the contracts.
//
// Not thread-safe; each test builds its own objects. The Request keeps its document alive.
#pragma once

#include "anakinra/knowledge.h"
#include "base/json.h"
#include "cdshooks/prefetch_assess.h"
#include "cdshooks/request.h"
#include "fhir/date.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace facts_test {

inline constexpr const char* kRx = "http://www.nlm.nih.gov/research/umls/rxnorm";
inline constexpr const char* kNdc = "http://hl7.org/fhir/sid/ndc";
inline constexpr const char* kSct = "http://snomed.info/sct";
inline constexpr const char* kLoinc = "http://loinc.org";
inline constexpr const char* kCvx = "http://hl7.org/fhir/sid/cvx";
inline constexpr const char* kIcd = "http://hl7.org/fhir/sid/icd-10-cm";

struct SetSpec {
  const char* name;
  std::vector<std::pair<const char*, const char*>> codes;  // system, code
  std::vector<const char*> texts;
};

// A Knowledge with the value sets the reader uses and the v2 dosing numbers.
inline std::shared_ptr<anakinra::Knowledge> TinyKnowledge() {
  auto k = std::make_shared<anakinra::Knowledge>();
  const std::vector<SetSpec> specs = {
      {"anakinra",
       {{kRx, "72435"}, {kRx, "727714"}, {kNdc, "66658-234-07"}},
       {"anakinra", "kineret"}},
      {"tnf-antagonist", {{kRx, "327361"}}, {"adalimumab", "infliximab"}},
      {"il1-blocker", {}, {"canakinumab", "rilonacept"}},
      {"live-vaccine", {{kCvx, "03"}}, {"measles"}},
      {"antibacterial-prophylaxis", {}, {"amoxicillin"}},
      {"pneumococcal-vaccine", {{kCvx, "33"}, {kCvx, "133"}}, {}},
      {"hib-vaccine", {{kCvx, "48"}}, {}},
      {"blood-count-order", {{kLoinc, "57021-8"}, {kLoinc, "751-8"}}, {}},
      {"body-weight", {{kLoinc, "29463-7"}}, {}},
      {"creatinine-clearance", {{kLoinc, "2164-2"}}, {}},
      {"egfr", {{kLoinc, "33914-3"}, {kLoinc, "98979-8"}}, {}},
      {"neutrophil-count", {{kLoinc, "751-8"}, {kLoinc, "753-4"}, {kLoinc, "26499-4"}}, {}},
      {"pregnancy-status", {{kLoinc, "82810-3"}}, {}},
      {"pregnancy-status-pregnant", {{kLoinc, "LA15173-0"}, {kSct, "77386006"}}, {}},
      {"pregnancy-status-not-pregnant", {{kLoinc, "LA26683-5"}}, {}},
      {"breastfeeding-status", {{kLoinc, "63895-7"}, {kSct, "413712001"}}, {}},
      {"breastfeeding-status-yes", {{kLoinc, "LA29252-6"}}, {}},
      {"pregnancy", {{kSct, "77386006"}}, {"pregnant"}},
      {"pregnancy-ended", {{kSct, "236973005"}}, {"miscarriage"}},
      {"lactation", {{kSct, "169750002"}, {kSct, "413712001"}}, {}},
      {"severe-renal-impairment", {{kIcd, "N18.5"}}, {"end-stage renal disease"}},
      {"hepatic-impairment", {}, {"hepatic failure"}},
      {"serious-infection", {{kSct, "233604007"}}, {"pneumonia", "sepsis"}},
      {"non-infectious-pneumonia", {}, {"interstitial pneumonia", "organizing pneumonia"}},
      {"immunosuppression", {}, {"immunodeficiency"}},
      {"chronic-infection", {}, {"hiv"}},
      {"indication-ra", {{kSct, "69896004"}}, {"rheumatoid arthritis"}},
      {"indication-caps", {}, {"muckle-wells"}},
      {"indication-dira", {}, {"dira"}},
      {"indication-stills", {}, {"still's disease"}},
      {"indication-fmf", {}, {"familial mediterranean fever"}},
      {"unspecified-jia", {{kSct, "410502007"}}, {}},
      {"off-label-use", {}, {"psoriasis"}},
      {"ecoli-protein-allergy", {}, {"e. coli", "anakinra", "kineret"}},
      {"injection-site-reaction", {{kSct, "95376002"}}, {"injection site reaction"}},
      {"subcutaneous-route", {{kSct, "34206005"}}, {"subcutaneous"}},
  };
  for (const auto& spec : specs) {
    anakinra::ValueSet vs;
    vs.name = spec.name;
    for (const auto& [system, code] : spec.codes) {
      vs.set.AddCode(system, code);
      vs.codes.push_back({system, code, ""});
    }
    for (const char* t : spec.texts) vs.set.AddText(t);
    k->value_sets.emplace(spec.name, std::move(vs));
  }
  auto bind = [&](const anakinra::ValueSet*& field, const char* name) {
    field = &k->value_sets.at(name);
  };
  anakinra::ValueSets& v = k->sets;
  bind(v.anakinra, "anakinra");
  bind(v.tnf_antagonist, "tnf-antagonist");
  bind(v.il1_blocker, "il1-blocker");
  bind(v.live_vaccine, "live-vaccine");
  bind(v.pneumococcal_vaccine, "pneumococcal-vaccine");
  bind(v.hib_vaccine, "hib-vaccine");
  bind(v.antibacterial_prophylaxis, "antibacterial-prophylaxis");
  bind(v.blood_count_order, "blood-count-order");
  bind(v.body_weight, "body-weight");
  bind(v.creatinine_clearance, "creatinine-clearance");
  bind(v.egfr, "egfr");
  bind(v.neutrophil_count, "neutrophil-count");
  bind(v.pregnancy_status, "pregnancy-status");
  bind(v.pregnancy_status_pregnant, "pregnancy-status-pregnant");
  bind(v.pregnancy_status_not_pregnant, "pregnancy-status-not-pregnant");
  bind(v.breastfeeding_status, "breastfeeding-status");
  bind(v.breastfeeding_status_yes, "breastfeeding-status-yes");
  bind(v.pregnancy, "pregnancy");
  bind(v.pregnancy_ended, "pregnancy-ended");
  bind(v.lactation, "lactation");
  bind(v.severe_renal_impairment, "severe-renal-impairment");
  bind(v.hepatic_impairment, "hepatic-impairment");
  bind(v.serious_infection, "serious-infection");
  bind(v.non_infectious_pneumonia, "non-infectious-pneumonia");
  bind(v.immunosuppression, "immunosuppression");
  bind(v.chronic_infection, "chronic-infection");
  bind(v.indication_ra, "indication-ra");
  bind(v.indication_caps, "indication-caps");
  bind(v.indication_dira, "indication-dira");
  bind(v.indication_stills, "indication-stills");
  bind(v.indication_fmf, "indication-fmf");
  bind(v.unspecified_jia, "unspecified-jia");
  bind(v.off_label_use, "off-label-use");
  bind(v.ecoli_protein_allergy, "ecoli-protein-allergy");
  bind(v.injection_site_reaction, "injection-site-reaction");
  bind(v.subcutaneous_route, "subcutaneous-route");
  k->negation_phrases = {"no", "not", "denies", "negative for", "history of", "h/o", "resolved"};
  anakinra::DosingPolicy& d = k->dosing;
  d.concentration_mg_per_ml = 100.0 / 0.67;
  d.very_young_age_years = 2;
  d.adult_age_years = 18;
  d.weight_max_age_days = 90;
  d.weight_max_age_days_very_young = 30;
  d.renal_max_age_days = 365;
  d.pregnancy_status_max_age_days = 300;
  d.breastfeeding_status_max_age_days = 180;
  d.max_plausible_dose_mg = 10000;
  d.max_plausible_per_day = 24;
  d.min_plausible_weight_kg = 0.3;
  d.max_plausible_weight_kg = 400;
  d.max_plausible_neutrophils = 500;
  d.max_plausible_renal_ml_min = 300;
  return k;
}

// The reference time of the tests: 2026-06-15T00:00:00Z.
inline const fhir::EpochSeconds kNow = fhir::DaysFromCivil(2026, 6, 15) * fhir::kSecondsPerDay;

inline std::string DaysAgo(double days) {
  return fhir::FormatDateTime(kNow - static_cast<fhir::EpochSeconds>(days * fhir::kSecondsPerDay));
}

// A searchset Bundle of `resources` (each a JSON object text).
inline std::string Bundle(std::initializer_list<std::string> resources) {
  std::string out = R"({"resourceType":"Bundle","type":"searchset","entry":[)";
  bool first = true;
  for (const auto& r : resources) {
    if (!first) out += ',';
    first = false;
    out += R"({"resource":)";
    out += r;
    out += '}';
  }
  out += "]}";
  return out;
}

// A request: hook, draft orders, prefetch values (JSON text, or "null"); `states` overrides the
// state of a key (e.g. kIncomplete) after classification.
struct RequestSpec {
  std::string hook = "order-sign";
  std::vector<std::string> drafts;
  std::vector<std::string> selections;
  std::map<std::string, std::string> prefetch;
  std::map<std::string, cdshooks::PrefetchState> states;
};

inline cdshooks::Request MakeRequest(const RequestSpec& spec) {
  std::string body = R"({"drafts":{"resourceType":"Bundle","type":"collection","entry":[)";
  bool first = true;
  for (const auto& d : spec.drafts) {
    if (!first) body += ',';
    first = false;
    body += R"({"resource":)";
    body += d;
    body += '}';
  }
  body += R"(]},"prefetch":{)";
  first = true;
  for (const auto& [key, value] : spec.prefetch) {
    if (!first) body += ',';
    first = false;
    body += '"';
    body += key;
    body += "\":";
    body += value;
  }
  body += "}}";
  auto doc = std::make_shared<rapidjson::Document>();
  EXPECT_TRUE(base::ParseJson(body, 64, *doc).ok()) << body;
  cdshooks::Request r;
  r.hook = spec.hook;
  r.patient_id = "p1";
  r.selections = spec.selections;
  r.document = doc;
  r.draft_orders = base::Member(*doc, "drafts");
  if (const base::Json* prefetch = base::Member(*doc, "prefetch"))
    for (const auto& m : prefetch->GetObject()) {
      r.prefetch[m.name.GetString()] = cdshooks::AssessPrefetch(m.value);
    }
  for (const auto& [key, state] : spec.states) r.prefetch[key].state = state;
  return r;
}

inline std::shared_ptr<rapidjson::Document> ParseDoc(const std::string& json) {
  auto doc = std::make_shared<rapidjson::Document>();
  EXPECT_TRUE(base::ParseJson(json, 64, *doc).ok()) << json;
  return doc;
}

// Resources.
inline std::string Coding(const char* system, const std::string& code,
                          const std::string& display = "") {
  std::string out = std::string(R"({"system":")") + system + R"(","code":")" + code + "\"";
  if (!display.empty()) out += R"(,"display":")" + display + "\"";
  return out + "}";
}

inline std::string Anakinra(const std::string& id, const std::string& status,
                            const std::string& extra = "") {
  std::string out = R"({"resourceType":"MedicationRequest")";
  if (!id.empty()) out += R"(,"id":")" + id + "\"";
  out += R"(,"status":")" + status +
         R"(","intent":"order","medicationCodeableConcept":{"coding":[)" + Coding(kRx, "727714") +
         "]}";
  out += extra;
  return out + "}";
}

inline std::string Med(const std::string& id, const std::string& status, const std::string& text) {
  return R"({"resourceType":"MedicationRequest","id":")" + id + R"(","status":")" + status +
         R"(","medicationCodeableConcept":{"text":")" + text + R"("}})";
}

inline std::string Obs(const std::string& loinc, const std::string& when,
                       const std::string& value) {
  return R"({"resourceType":"Observation","status":"final","code":{"coding":[)" +
         Coding(kLoinc, loinc) + R"(]},"effectiveDateTime":")" + when + "\"," + value + "}";
}

inline std::string Qty(double v, const std::string& unit) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return std::string(R"("valueQuantity":{"value":)") + buf +
         R"(,"system":"http://unitsofmeasure.org","code":")" + unit + "\"}";
}

inline std::string Cond(const std::string& code_json, const std::string& extra = "") {
  return R"({"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"active"}]},"code":)" +
         code_json + extra + "}";
}

inline std::string Patient(const std::string& birth_date_json) {
  return R"({"resourceType":"Patient","id":"p1","birthDate":)" + birth_date_json + "}";
}

}  // namespace facts_test
