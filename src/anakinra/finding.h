// A finding: one rule that fired for one order (or for the patient), with the keys of the card
// text it needs and the values of its placeholders. The text itself lives in hooks/cards.json;
// the card writer renders it, escaping every parameter (they may hold EHR text).
//
// Plain value type; not thread-safe to mutate.
#pragma once

#include "cdshooks/card.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace anakinra {

// A card's template parameters: placeholder name -> text. Ordered, and found by a string_view
// of the template (no copy of the name).
using CardParams = std::map<std::string, std::string, std::less<>>;

struct Finding {
  std::string code;     // card code, e.g. "dose-above-range"
  std::string subject;  // order key for order-level findings, "" for patient-level ones
  // One of the card's allowed indicators; empty: the card's default.
  std::string indicator;
  std::string summary = "default";  // summary variant key
  // Detail sentence keys, by section (what was found, why it matters, what to do) and extra
  // notes (incomplete birth date, ignored values...). An empty `found`/`why`/`todo` means the
  // card's sentence of that name ("found", "why", "todo").
  std::vector<std::string> found, why, todo, notes;
  CardParams params;  // placeholder -> raw text (escaped when written)
  // Each suggestion's `label` and each action's `description` hold a label key of the card;
  // the writer renders them. uuids are assigned by WriteCard.
  std::vector<cdshooks::Suggestion> suggestions;
  std::string selection_behavior = "at-most-one";
  std::string source;   // when set, overrides the card's source key (e.g. the dose band's source)
  std::string section;  // with `source`: the section of that source
  std::vector<std::string> links;  // extra second sources (keys of Knowledge::sources)
  // data-not-checked: (check, prefetch key) pairs, rendered as a list.
  std::vector<std::pair<std::string, std::string>> not_checked;
};

}  // namespace anakinra
