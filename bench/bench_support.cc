#include "bench_support.h"

#include "base/json.h"
#include "support/test_support.h"

#include <stdexcept>

namespace bench {

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"ra-clean-sign", "adult-ra-clean", "order-sign", true,
       "order-sign, anakinra draft, full prefetch (largest sample)"},
      {"ra-clean-select", "adult-ra-clean", "order-select", true,
       "order-select, anakinra draft selected, full prefetch (largest sample)"},
      {"hiv-infection-sign", "adult-active-infection-hiv", "order-sign", true,
       "order-sign, anakinra draft, full prefetch, two cards (second largest sample)"},
      {"no-anakinra-sign", "no-anakinra-order", "order-sign", true,
       "order-sign, unrelated draft (amoxicillin), full prefetch as an EHR sends it"},
      {"no-anakinra-bare-sign", "no-anakinra-order", "order-sign", false,
       "order-sign, unrelated draft (amoxicillin), no prefetch"},
      // Card-issuing cases (issue 12): the answers that write issued-card rows.
      {"unimmunised-sign", "adult-unimmunised", "order-sign", true,
       "order-sign, unvaccinated adult RA start, full prefetch (immunisation cards)"},
      {"unimmunised-select", "adult-unimmunised", "order-select", true,
       "order-select, unvaccinated adult RA start, full prefetch (immunisation cards)"},
      {"child-dose-max-sign", "child-dose-above-maximum", "order-sign", true,
       "order-sign, child dose above the maximum (critical card with an update suggestion)"},
      {"reverse-tnf-sign", "reverse-tnf-antagonist", "order-sign", true,
       "order-sign, TNF antagonist drafted for a patient on anakinra (reverse interaction)"},
  };
  return cases;
}

const Case& FindCase(const std::string& name) {
  for (const Case& c : Cases())
    if (c.name == name) return c;
  throw std::runtime_error("unknown case " + name);
}

std::shared_ptr<service::HookService> Handler() { return testing_support::RealHandler(); }

std::string RequestBody(const Case& c) {
  if (c.prefetch) return testing_support::SampleRequest(c.sample, c.hook);
  auto doc = testing_support::ParseJsonOrDie(testing_support::SampleRequest(c.sample, c.hook));
  doc.RemoveMember("prefetch");
  return base::ToString(doc);
}

std::chrono::system_clock::time_point FixedNow() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1795770000));
}

}  // namespace bench
