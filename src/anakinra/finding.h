// A finding: one rule that fired for one order, with the values its card text needs.
#pragma once

#include "cdshooks/card.h"

#include <map>
#include <string>
#include <vector>

namespace anakinra {

struct Finding {
  std::string code;     // card code, e.g. "dose-above-range"
  std::string subject;  // order key for order-level findings, "" for patient-level ones
  std::map<std::string, std::string> params;      // placeholder → text
  std::vector<cdshooks::Suggestion> suggestions;  // uuids are assigned by WriteCard
  std::string selection_behavior = "at-most-one";
  std::string source;   // when set, overrides the card's source key (e.g. the dose band's source)
  std::string section;  // with `source`: the section of that source
};

}  // namespace anakinra
