// The CDS Hooks 2.0 feedback body: {"feedback": [ {card, outcome, acceptedSuggestions,
// overrideReason, outcomeTimestamp} ]}, judged entry by entry: the valid entries are kept, the
// invalid ones are named by their problems.
//
// Thread safety: ParseFeedback is a pure function of its arguments; Feedback and FeedbackBatch are
// values.
#pragma once

#include "base/status.h"
#include "cdshooks/card.h"

#include <cstddef>
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
  std::string user_comment;       // as sent (free text: may hold patient data; never logged)
  std::string outcome_timestamp;  // RFC 3339, as sent
};

// A feedback body judged entry by entry.
struct FeedbackBatch {
  std::vector<Feedback> valid;  // the valid entries, in the order of the body
  std::size_t total = 0;        // entries in the body's "feedback" array
  // The problems of the refused entries (kind: the OperationOutcome issue code; where: the
  // expression, always naming the entry, e.g. feedback[2].outcome), in the order of the body. At
  // most kKeptProblems are kept (a body of a million bad entries costs a bounded amount of
  // memory); `unlisted` counts the problems beyond them.
  std::vector<base::Status::Problem> problems;
  std::size_t unlisted = 0;
  std::size_t refused() const { return total - valid.size(); }

  static constexpr std::size_t kKeptProblems = 64;
};

// Parses a feedback body and judges each entry on its own. kInvalidArgument (one problem) when the
// envelope is not {"feedback": [...]} with a non-empty array: not JSON, deeper than `max_depth`,
// not an object, no array. Otherwise the batch, whose entries may all, some or none be valid.
base::StatusOr<FeedbackBatch> ParseFeedback(std::string_view body, std::size_t max_depth);

}  // namespace cdshooks
