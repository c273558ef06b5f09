// Turns findings into CDS Hooks cards using the texts in hooks/cards.json.
//
// This is the one place where card text is written, so it is the one place where text from the
// request is escaped: every finding parameter is escaped (markdown specials, angle brackets and
// `javascript:`-style links in `detail`; angle brackets and link syntax in the plain-text
// `summary` and labels). Summaries stay under 140 characters and suggestion labels under 80 by
// shortening the parameters that hold EHR names (cards.json "shortenable"), never the message.
// The card's main source is its `source`; second sources become `links`.
//
// Stateless and thread-safe; never throws for a finding of a loaded Knowledge (a key that does
// not exist renders as nothing; CheckFinding reports it, for tests).
#pragma once

#include "anakinra/engine.h"
#include "anakinra/finding.h"
#include "anakinra/knowledge.h"
#include "cdshooks/card.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace anakinra {

inline constexpr std::size_t kMaxSummaryChars =
    139;  // bytes: the spec asks for fewer than 140 characters
inline constexpr std::size_t kMaxLabelChars =
    79;  // bytes: policy v2 section 0 asks for fewer than 80

// Escapes EHR text for markdown (`detail`): no HTML, no links or images, no emphasis.
std::string EscapeMarkdown(std::string_view text);
// Neutralises EHR text for plain text (`summary`, labels): no angle brackets, no link syntax.
std::string EscapePlain(std::string_view text);

// Replaces each {name} in `text` with params[name] (as given: escape first); unknown names
// become "".
std::string RenderTemplate(std::string_view text, const CardParams& params);

// Builds the card for a finding: text, indicator, source, links, topic, override reasons,
// suggestion labels, uuids.
cdshooks::Card WriteCard(const Finding& finding, const Knowledge& knowledge);

// The data-not-checked finding (policy §0): each check that could not run and the key it
// needed, and the keys still missing. The engine appends it when it answers 200 with missing
// data.
Finding DataNotCheckedFinding(const std::vector<NotChecked>& not_checked,
                              const std::vector<std::string>& missing_keys);

// "" when every key the finding uses exists in the knowledge (summary variant, sentences,
// labels, indicator); else a message naming the first missing one. For tests.
std::string CheckFinding(const Finding& finding, const Knowledge& knowledge);

}  // namespace anakinra
