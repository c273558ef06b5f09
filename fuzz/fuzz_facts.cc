// libFuzzer: the FHIR fact reader (anakinra::FactReader) and the rules on data as the service gets
// it: the input is one prefetch key's value (a searchset Bundle or a resource, JSON), handed over
// either the way the FHIR fetcher does (parsed with the fetcher's depth limit, assessed by
// AssessPrefetch with the template's date sort and the request's cutoff, then
// Request::SetPrefetch) or the way a client sends it (spliced into the request body's prefetch,
// through ParseRequest). The rest of the request is a fixed sample from fhir-samples/ with the
// real hooks/ knowledge, loaded once.
//
// The first byte picks: bits 0-2 the key (modulo the six keys), bit 3 client-sent rather than
// fetched, bit 4 patient-view (a patient on anakinra) rather than order-sign (an anakinra start).
//
// Invariants beyond "no crash":
// - a fetched value never makes a 400 or 500: the answer is 200 or 412 (policy §0), and a
//   client-sent one is 200, 400 (its JSON is broken) or 412;
// - a value read as a fact is one the reader could read and found plausible: a weight, renal
//   function or neutrophil count within the knowledge's plausible range, measured at or before
//   the reference time; a dose in (0, maxPlausibleDoseMg], a frequency in (0, maxPlausiblePerDay];
// - the key's coverage is what its prefetch state gives, and a value with a JSON key given twice
//   is never read (its key is missing);
// - the answer is JSON without duplicate keys; each card's summary is under 140 characters.
#include "anakinra/engine.h"
#include "anakinra/fact_reader.h"
#include "anakinra/knowledge.h"
#include "base/json.h"
#include "cdshooks/bundle_request.h"
#include "cdshooks/prefetch_assess.h"
#include "cdshooks/request.h"
#include "cdshooks/service.h"
#include "service/hook_service.h"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

namespace {

constexpr const char* kPlaceholder = "\"@@FUZZ@@\"";
constexpr std::size_t kMaxDepth = 64;  // the fetcher's and the request's default depth

void Check(bool ok) {
  if (!ok) std::abort();
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixture {
  std::shared_ptr<const anakinra::Knowledge> knowledge;
  std::shared_ptr<anakinra::Engine> engine;
  std::unique_ptr<service::HookService> hooks;
  // Per hook (0: order-sign, 1: patient-view): the service and the sample request, with every
  // prefetch key as sent and with one key replaced by the placeholder.
  const cdshooks::ServiceDefinition* services[2] = {nullptr, nullptr};
  std::string bodies[2];
  std::string spliced[2][anakinra::kDataKeyCount];

  Fixture() {
    const std::string root = ANAKINRA_SOURCE_DIR;
    auto loaded = anakinra::LoadKnowledge(root + "/hooks");
    auto catalog = cdshooks::ServiceCatalog::Load(Read(root + "/hooks/services.json"));
    if (!loaded.ok() || !catalog.ok()) {
      std::cerr << "fuzz_facts: cannot load hooks/\n";
      std::abort();
    }
    knowledge = std::move(*loaded);
    engine = std::make_shared<anakinra::Engine>(knowledge);
    hooks = std::make_unique<service::HookService>(engine, std::move(*catalog),
                                                   cdshooks::ParseLimits{kMaxDepth});
    const char* samples[2] = {"adult-ra-clean", "pv-well-monitored"};
    const char* ids[2] = {"anakinra-order-sign", "anakinra-patient-view"};
    for (int h = 0; h < 2; ++h) {
      services[h] = hooks->catalog().Find(ids[h]);
      rapidjson::Document bundle;
      const std::string text = Read(root + "/fhir-samples/" + samples[h] + ".json");
      if (services[h] == nullptr || !base::ParseJson(text, kMaxDepth, bundle).ok()) std::abort();
      auto request = cdshooks::RequestFromBundle(bundle, *services[h]);
      if (!request.ok()) std::abort();
      bodies[h] = base::ToString(**request);
      for (std::size_t k = 0; k < anakinra::kDataKeyCount; ++k) {
        rapidjson::Document copy;
        copy.CopyFrom(**request, copy.GetAllocator());
        const std::string key(anakinra::KeyName(static_cast<anakinra::DataKey>(k)));
        if (!copy.HasMember("prefetch"))
          copy.AddMember("prefetch", rapidjson::Value(rapidjson::kObjectType), copy.GetAllocator());
        copy["prefetch"].RemoveMember(key.c_str());
        copy["prefetch"].AddMember(rapidjson::Value(key.c_str(), copy.GetAllocator()),
                                   rapidjson::Value("@@FUZZ@@", copy.GetAllocator()),
                                   copy.GetAllocator());
        spliced[h][k] = base::ToString(copy);
      }
    }
  }
};

bool Within(double v, double lo, double hi) { return v >= lo && v <= hi; }

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// What was read as a fact is readable and plausible.
void CheckFacts(const Fixture& f, const cdshooks::Request& request, fhir::EpochSeconds t) {
  const anakinra::DosingPolicy& d = f.knowledge->dosing;
  anakinra::FactReader reader(*f.knowledge, request);
  const anakinra::PatientFacts p = reader.ReadPatient(t);
  if (p.weight_kg) {
    Check(p.weight_kg->value > 0 &&
          Within(p.weight_kg->value, d.min_plausible_weight_kg, d.max_plausible_weight_kg));
    Check(p.weight_kg->time <= t);
  }
  if (p.renal_ml_min) {
    Check(Within(p.renal_ml_min->value, 0, d.max_plausible_renal_ml_min));
    Check(p.renal_ml_min->time <= t);
  }
  if (p.neutrophils) {
    Check(Within(p.neutrophils->value, 0, d.max_plausible_neutrophils));
    Check(p.neutrophils->time <= t);
  }
  for (std::size_t k = 0; k < anakinra::kDataKeyCount; ++k) {
    const auto state = request.Prefetch(anakinra::KeyName(static_cast<anakinra::DataKey>(k))).state;
    Check(p.coverage[k] == anakinra::CoverageOf(state));
  }
  for (const anakinra::Order& o : reader.ReadOrders()) {
    for (const anakinra::DoseLine& l : o.dose_lines) {
      if (l.dose_mg) Check(*l.dose_mg > 0 && *l.dose_mg <= d.max_plausible_dose_mg);
      if (l.frequency)
        Check(l.frequency->per_day > 0 && l.frequency->per_day <= d.max_plausible_per_day);
    }
    for (const auto& regimen : o.regimens)
      for (std::size_t i : regimen) Check(i < o.dose_lines.size());
  }
}

void CheckAnswer(const service::HookResult& r, bool client) {
  Check(r.status == 200 || r.status == 412 || (client && r.status == 400));
  rapidjson::Document answer;
  Check(base::ParseJson(r.body, kMaxDepth, answer).ok());
  Check(!base::DuplicateKeyWithin(answer));
  if (r.status != 200) return;
  const base::Json* cards = base::Member(answer, "cards");
  Check(cards != nullptr && cards->IsArray());
  for (const auto& card : cards->GetArray()) {
    auto summary = base::StringMember(card, "summary");
    Check(summary && !summary->empty() && CodePoints(*summary) < 140);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixture f;
  if (size < 1) return 0;
  const std::size_t k = (data[0] & 7) % anakinra::kDataKeyCount;
  const bool client = (data[0] & 8) != 0;
  const int h = (data[0] & 16) != 0 ? 1 : 0;
  const std::string_view value(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string key(anakinra::KeyName(static_cast<anakinra::DataKey>(k)));
  const cdshooks::ServiceDefinition& service = *f.services[h];
  // A fixed clock keeps runs reproducible (2026-11-20T09:00:00Z, the samples' reference time).
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1795165200));
  const fhir::EpochSeconds seconds = 1795165200;

  cdshooks::Request request;
  std::shared_ptr<rapidjson::Document> fetched;
  if (client) {
    std::string body = f.spliced[h][k];
    body.replace(body.find(kPlaceholder), std::strlen(kPlaceholder), value);
    if (!cdshooks::ParseRequest(body, service, cdshooks::ParseLimits{kMaxDepth}, request).ok()) {
      CheckAnswer(f.hooks->Call(service.id, body, now), true);
      return 0;
    }
  } else {
    Check(cdshooks::ParseRequest(f.bodies[h], service, cdshooks::ParseLimits{kMaxDepth}, request)
              .ok());
    // As the fetcher hands a page over (fetch/fhir_fetcher.cc GetPage and FetchKey).
    fetched = std::make_shared<rapidjson::Document>();
    if (!base::ParseJson(value, kMaxDepth, *fetched).ok() || !fetched->IsObject()) return 0;
    cdshooks::AssessOptions options;
    const auto tmpl = service.prefetch.find(key);
    options.sorted_by_date = tmpl != service.prefetch.end() && cdshooks::SortedByDate(tmpl->second);
    options.cutoff =
        cdshooks::PrefetchCutoff(request, seconds, f.knowledge->dosing.longest_lookback_days);
    const cdshooks::PrefetchValue assessed = cdshooks::AssessPrefetch(*fetched, options);
    if (base::DuplicateKeyWithin(*fetched))
      Check(assessed.state == cdshooks::PrefetchState::kFailed);
    request.SetPrefetch(key, fetched, assessed);
  }
  const cdshooks::PrefetchValue now_value = request.Prefetch(key);
  if (now_value.value != nullptr && base::DuplicateKeyWithin(*now_value.value))
    Check(now_value.state == cdshooks::PrefetchState::kFailed);
  CheckAnswer(f.hooks->Evaluate(service, request, now), client);
  CheckFacts(f, request, cdshooks::ReferenceTime(request, seconds));
  return 0;
}
