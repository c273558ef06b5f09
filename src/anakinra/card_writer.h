// Turns findings into CDS Hooks cards using the texts in hooks/cards.json.
#pragma once

#include "anakinra/finding.h"
#include "anakinra/knowledge.h"
#include "cdshooks/card.h"

#include <string>

namespace anakinra {

// Replaces each {name} in `text` with params[name]; unknown names become "".
std::string RenderTemplate(const std::string& text,
                           const std::map<std::string, std::string>& params);

// Builds the card for a finding: text, indicator, source, topic, override reasons, uuids.
cdshooks::Card WriteCard(const Finding& finding, const Knowledge& knowledge);

}  // namespace anakinra
