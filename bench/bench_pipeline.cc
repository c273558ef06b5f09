// anakinra-bench: where the time of one CDS Hooks call goes, stage by stage, for each case of
// bench_support.cc (the largest sample with full prefetch, the no-anakinra fast path with and
// without prefetch, order-select).
//
//   Parse/CASE      cdshooks::ParseRequest: JSON parse and request validation
//   Facts/CASE      anakinra::FactReader: construction (reference index), ReadOrders, ReadPatient
//   Rules/CASE      anakinra::RunRules on facts already read
//   Serialize/CASE  cdshooks::ResponseJson of the cards
//   Evaluate/CASE   anakinra::Engine::Evaluate of a parsed request (prefetch check, facts, rules,
//   cards)
//   Call/CASE       service::HookService::Call: body in, HTTP status and body out (all of
//                   the above)
//   Observe/CASE    the operations observer of an answer (http/operations.cc on_cards): metrics
//                   of its cards and its issued-card rows handed to a real feedback store (a
//                   SQLite file in a temporary folder, its writer thread committing in batches)
//
// Bytes per second are request-body bytes, except for Serialize (response-body bytes).
#include "anakinra/engine.h"
#include "anakinra/fact_reader.h"
#include "anakinra/rules.h"
#include "bench_support.h"
#include "cdshooks/card.h"
#include "cdshooks/request.h"
#include "http/operations.h"
#include "store/feedback_store.h"
#include "store/store.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>

namespace {

struct Input {
  const bench::Case* c;
  std::string body;
  const cdshooks::ServiceDefinition* service;
};

Input Load(const bench::Case& c) {
  Input in{&c, bench::RequestBody(c), bench::Handler()->catalog().Find("anakinra-" + c.hook)};
  if (in.service == nullptr) throw std::runtime_error("no service for " + c.hook);
  return in;
}

cdshooks::Request Parsed(const Input& in) {
  cdshooks::Request request;
  if (base::Status e = cdshooks::ParseRequest(in.body, *in.service, {}, request); !e.ok())
    throw std::runtime_error(in.c->name + ": request refused: " + e.message());
  return request;
}

fhir::EpochSeconds NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(bench::FixedNow().time_since_epoch())
      .count();
}

void SetBytes(benchmark::State& state, std::size_t bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
}

void Parse(benchmark::State& state, const Input& in) {
  for (auto _ : state) {
    cdshooks::Request request;
    auto error = cdshooks::ParseRequest(in.body, *in.service, {}, request);
    benchmark::DoNotOptimize(error);
    benchmark::DoNotOptimize(request.document);
  }
  SetBytes(state, in.body.size());
}

void Facts(benchmark::State& state, const Input& in) {
  const cdshooks::Request request = Parsed(in);
  const auto& knowledge = bench::Handler()->engine().knowledge();
  const fhir::EpochSeconds now = NowSeconds();
  for (auto _ : state) {
    anakinra::FactReader reader(knowledge, request);
    auto orders = reader.ReadOrders();
    auto patient = reader.ReadPatient(now);
    benchmark::DoNotOptimize(orders.data());
    benchmark::DoNotOptimize(patient.patient_known);
  }
  SetBytes(state, in.body.size());
}

void Rules(benchmark::State& state, const Input& in) {
  const cdshooks::Request request = Parsed(in);
  const auto& knowledge = bench::Handler()->engine().knowledge();
  anakinra::FactReader reader(knowledge, request);
  const auto orders = reader.ReadOrders();
  const fhir::EpochSeconds now = NowSeconds();
  const anakinra::PatientFacts patient = reader.ReadPatient(now);
  anakinra::RuleInput input{
      knowledge, orders, {}, &patient, reader.ReadDrafts(), request.hook, request.patient_id};
  for (const auto& o : orders)
    if (o.evaluated && o.drug == anakinra::DrugClass::kAnakinra)
      input.anakinra.push_back({&o, &patient, reader.TreatmentOf(o, orders)});
  std::size_t findings = 0;
  for (auto _ : state) {
    std::vector<anakinra::NotChecked> not_checked;
    auto f = anakinra::RunRules(input, not_checked);
    findings = f.size();
    benchmark::DoNotOptimize(f.data());
  }
  state.counters["findings"] = static_cast<double>(findings);
  SetBytes(state, in.body.size());
}

void Serialize(benchmark::State& state, const Input& in) {
  const cdshooks::Request request = Parsed(in);
  const auto evaluation = bench::Handler()->engine().Evaluate(request, NowSeconds());
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string json = cdshooks::ResponseJson(evaluation.cards);
    bytes = json.size();
    benchmark::DoNotOptimize(json.data());
  }
  state.counters["cards"] = static_cast<double>(evaluation.cards.size());
  SetBytes(state, bytes);
}

void Evaluate(benchmark::State& state, const Input& in) {
  const cdshooks::Request request = Parsed(in);
  const auto& engine = bench::Handler()->engine();
  const fhir::EpochSeconds now = NowSeconds();
  for (auto _ : state) {
    auto evaluation = engine.Evaluate(request, now);
    benchmark::DoNotOptimize(evaluation.cards.data());
  }
  SetBytes(state, in.body.size());
}

void Call(benchmark::State& state, const Input& in) {
  const auto handler = bench::Handler();
  const auto now = bench::FixedNow();
  const std::string id = in.service->id;
  int status = 0;
  std::size_t cards = 0;
  for (auto _ : state) {
    service::HookResult r = handler->Call(id, in.body, now);
    status = r.status;
    cards = r.card_codes.size();
    benchmark::DoNotOptimize(r.body.data());
  }
  if (status != 200) state.SkipWithError(("HTTP status " + std::to_string(status)).c_str());
  state.counters["cards"] = static_cast<double>(cards);
  SetBytes(state, in.body.size());
}

void Observe(benchmark::State& state, const Input& in) {
  char tmpl[] = "/tmp/anakinra-bench-store-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  {
    auto metrics = std::make_shared<http::Metrics>();
    auto opened = store::FeedbackStore::Open(dir, true, http::StoreOptions(metrics));
    if (!opened.ok()) {
      state.SkipWithError(opened.status().ToString().c_str());
      return;
    }
    std::shared_ptr<store::FeedbackStore> store = std::move(*opened);
    http::ServerObservers observers;
    http::AddOperationsObservers(observers, store::SqliteAsStore(store), metrics);
    service::HookResult r = bench::Handler()->Call(in.service->id, in.body, bench::FixedNow());
    std::size_t n = 0;
    for (auto _ : state) {
      // Fresh uuids, as every answer has: a repeated key would be ignored by SQLite.
      for (auto& [uuid, code] : r.issued)
        uuid.replace(0, 8, std::to_string(10000000 + n % 80000000));
      ++n;
      observers.on_cards(r);
    }
    state.counters["cards"] = static_cast<double>(r.card_codes.size());
    store->Close();
    // The loop outruns the writer (no request work between calls), so the queue fills and
    // most calls take the drop path: "written" is what the writer committed meanwhile.
    const auto dropped = static_cast<double>(store->dropped_rows());
    state.counters["dropped"] = dropped;
    state.counters["written"] = static_cast<double>(n * r.issued.size()) - dropped;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  static std::vector<Input> inputs;
  try {
    for (const auto& c : bench::Cases()) inputs.push_back(Load(c));
  } catch (const std::exception& e) {
    std::cerr << "anakinra-bench: " << e.what() << "\n";
    return 1;
  }
  using Stage = void (*)(benchmark::State&, const Input&);
  const std::pair<const char*, Stage> stages[] = {
      {"Parse", Parse},       {"Facts", Facts}, {"Rules", Rules},    {"Serialize", Serialize},
      {"Evaluate", Evaluate}, {"Call", Call},   {"Observe", Observe}};
  for (const auto& [name, fn] : stages)
    for (const Input& in : inputs)
      benchmark::RegisterBenchmark((std::string(name) + "/" + in.c->name).c_str(), fn,
                                   std::cref(in))
          ->Unit(benchmark::kMicrosecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
