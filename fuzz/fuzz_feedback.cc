// libFuzzer: the feedback body parser (cdshooks::ParseFeedback), entry by entry. Beyond the
// sanitizers it checks the parser's promises: every entry is either valid or named by a problem,
// each problem names its entry (feedback[i]...), the kept problems are bounded, and a valid entry
// has what the store needs (card, outcome, timestamp; accepted with a suggestion).
#include "cdshooks/feedback.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto batch = cdshooks::ParseFeedback(text, 64);
  if (!batch.ok()) {
    if (batch.status().code() != base::Status::Code::kInvalidArgument) std::abort();
    if (batch.status().problems().size() != 1) std::abort();
    return 0;
  }
  const cdshooks::FeedbackBatch& b = *batch;
  if (b.total == 0 || b.valid.size() > b.total) std::abort();
  if (b.problems.size() > cdshooks::FeedbackBatch::kKeptProblems) std::abort();
  // A refused entry has at least one problem (kept or counted); a valid one none.
  if (b.refused() > b.problems.size() + b.unlisted) std::abort();
  if (b.refused() == 0 && (!b.problems.empty() || b.unlisted != 0)) std::abort();
  if (b.unlisted != 0 && b.problems.size() != cdshooks::FeedbackBatch::kKeptProblems) std::abort();
  for (const auto& p : b.problems)
    if (p.where.rfind("feedback[", 0) != 0 || p.kind.empty() || p.message.empty()) std::abort();
  for (const auto& f : b.valid) {
    if (f.card.empty() || f.outcome_timestamp.empty()) std::abort();
    if (f.outcome != "accepted" && f.outcome != "overridden") std::abort();
    if ((f.outcome == "accepted") == f.accepted_suggestions.empty()) std::abort();
  }
  return 0;
}
