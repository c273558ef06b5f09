// The CDS Hooks 2.0 feedback body: {"feedback": [ {card, outcome, acceptedSuggestions,
// overrideReason, outcomeTimestamp} ]}, validated entry by entry.
//
// Thread safety: ParseFeedback is a pure function of its arguments; Feedback is a value.
#pragma once

#include "base/status.h"
#include "cdshooks/card.h"

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

// Parses and validates a feedback body: OK and `out` filled when every entry is valid; else
// kInvalidArgument with one problem per mistake (kind: the OperationOutcome issue code, where: the
// expression) and `out` left empty.
base::Status ParseFeedback(std::string_view body, std::size_t max_depth,
                           std::vector<Feedback>& out);

}  // namespace cdshooks
