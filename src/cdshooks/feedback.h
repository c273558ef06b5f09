// The CDS Hooks 2.0 feedback body: {"feedback": [ {card, outcome, acceptedSuggestions,
// overrideReason, outcomeTimestamp} ]}, validated entry by entry.
#pragma once

#include "cdshooks/card.h"
#include "cdshooks/error.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cdshooks {

struct Feedback {
  std::string card;     // card uuid
  std::string outcome;  // accepted | overridden
  std::vector<std::string> accepted_suggestions;
  std::optional<Coding> override_reason;
  std::string user_comment;
  std::string outcome_timestamp;  // RFC 3339, as sent
};

// Parses and validates a feedback body; nullopt and `out` filled when every entry is valid.
std::optional<Error> ParseFeedback(std::string_view body, std::size_t max_depth,
                                   std::vector<Feedback>& out);

}  // namespace cdshooks
