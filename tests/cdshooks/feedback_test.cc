#include "cdshooks/feedback.h"

#include <gtest/gtest.h>

namespace {

std::string Diagnostics(const std::vector<base::Status::Problem>& problems) {
  std::string all;
  for (const auto& p : problems) all += p.where + ": " + p.message + " | ";
  return all;
}

std::string Diagnostics(const base::Status& e) { return Diagnostics(e.problems()); }

// The one valid entry of `body`, or a test failure.
cdshooks::Feedback One(const std::string& body) {
  auto batch = cdshooks::ParseFeedback(body, 64);
  EXPECT_TRUE(batch.ok()) << Diagnostics(batch.status());
  if (!batch.ok()) return {};
  EXPECT_EQ(batch->valid.size(), 1u) << Diagnostics(batch->problems);
  return batch->valid.empty() ? cdshooks::Feedback{} : batch->valid[0];
}

TEST(ParseFeedback, AcceptedWithSuggestions) {
  const auto f = One(
      R"({"feedback":[{"card":"c1","outcome":"accepted","acceptedSuggestions":[{"id":"s1"}],"outcomeTimestamp":"2026-11-24T10:00:00.52Z"}]})");
  EXPECT_EQ(f.accepted_suggestions, std::vector<std::string>{"s1"});
}

TEST(ParseFeedback, OverriddenWithReasonAndComment) {
  const auto f = One(
      R"({"feedback":[{"card":"c1","outcome":"overridden","overrideReason":{"reason":{"system":"urn:x","code":"r"},"userComment":"ok <b>&amp;</b>"},"outcomeTimestamp":"2026-11-24T10:00:00+01:00"}]})");
  ASSERT_TRUE(f.override_reason);
  EXPECT_EQ(f.override_reason->code, "r");
  EXPECT_EQ(f.user_comment, "ok <b>&amp;</b>");  // data: kept as sent, nothing escaped
}

// An envelope that is not {"feedback":[...]} is refused whole: nothing is judged.
TEST(ParseFeedback, ABrokenEnvelopeIsOneProblem) {
  for (const char* body :
       {"not json", "[]", R"({"feedback":[]})", R"({"feedback":{}})", R"({"other":[]})", "null"}) {
    auto batch = cdshooks::ParseFeedback(body, 64);
    ASSERT_FALSE(batch.ok()) << body;
    EXPECT_EQ(batch.status().code(), base::Status::Code::kInvalidArgument);
    ASSERT_EQ(batch.status().problems().size(), 1u) << body;
  }
  auto deep = cdshooks::ParseFeedback(R"({"feedback":[[[[[[1]]]]]]})", 4);
  EXPECT_FALSE(deep.ok());
}

// Each invalid entry is refused with problems that name it; the entries around it stay valid.
TEST(ParseFeedback, EachEntryIsJudgedOnItsOwn) {
  struct Case {
    const char* entry;
    const char* where;     // expression of the (first) problem, after "feedback[1]"
    const char* fragment;  // of its diagnostics
  };
  const Case cases[] = {
      {R"({"outcome":"accepted"})", ".card", "card"},
      {R"({"card":"c","outcome":"maybe","outcomeTimestamp":"2026-11-24T10:00:00Z"})", ".outcome",
       "outcome must be"},
      {R"({"card":"c","outcome":"accepted","outcomeTimestamp":"2026-11-24T10:00:00Z"})",
       ".acceptedSuggestions", "acceptedSuggestions is required"},
      {R"({"card":"c","outcome":"overridden","outcomeTimestamp":"yesterday"})", ".outcomeTimestamp",
       "RFC 3339"},
      {R"({"card":"c","outcome":"overridden","outcomeTimestamp":"2026-11-24"})",
       ".outcomeTimestamp", "RFC 3339"},
      {R"({"card":"c","outcome":"overridden","overrideReason":{},"outcomeTimestamp":"2026-11-24T10:00:00Z"})",
       ".overrideReason", "needs a reason or a userComment"},
      {R"({"card":"c","outcome":"overridden","overrideReason":{"reason":{"code":"x"}},"outcomeTimestamp":"2026-11-24T10:00:00Z"})",
       ".overrideReason.reason", "Coding with system and code"},
      {R"({"card":"c","outcome":"overridden","overrideReason":{"userComment":7},"outcomeTimestamp":"2026-11-24T10:00:00Z"})",
       ".overrideReason.userComment", "must be a string"},
      {"1", "", "must be an object"},
  };
  const std::string good =
      R"({"card":"g","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"})";
  for (const auto& c : cases) {
    const std::string body = R"({"feedback":[)" + good + "," + c.entry + "," + good + "]}";
    auto batch = cdshooks::ParseFeedback(body, 64);
    ASSERT_TRUE(batch.ok()) << body << " → " << Diagnostics(batch.status());
    EXPECT_EQ(batch->total, 3u);
    EXPECT_EQ(batch->valid.size(), 2u) << body;
    EXPECT_EQ(batch->refused(), 1u);
    ASSERT_FALSE(batch->problems.empty()) << body;
    EXPECT_EQ(batch->problems[0].where, std::string("feedback[1]") + c.where) << body;
    EXPECT_NE(Diagnostics(batch->problems).find(c.fragment), std::string::npos)
        << body << " → " << Diagnostics(batch->problems);
    for (const auto& p : batch->problems) EXPECT_EQ(p.where.rfind("feedback[1]", 0), 0u) << p.where;
    for (const auto& f : batch->valid) EXPECT_EQ(f.card, "g");
  }
}

TEST(ParseFeedback, NoValidEntryIsABatchWithNothingValid) {
  auto batch = cdshooks::ParseFeedback(R"({"feedback":[{},2]})", 64);
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(batch->valid.empty());
  EXPECT_EQ(batch->refused(), 2u);
  EXPECT_EQ(batch->problems.front().where.rfind("feedback[0].", 0), 0u);
  EXPECT_EQ(batch->problems.back().where, "feedback[1]");
}

// A body of many bad entries keeps a bounded number of problems and counts the rest; the valid
// entries after them are still found.
TEST(ParseFeedback, ProblemsAreBoundedAndLaterValidEntriesKept) {
  std::string body = R"({"feedback":[)";
  for (int i = 0; i < 10000; ++i) body += "{},";
  body += R"({"card":"last","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})";
  auto batch = cdshooks::ParseFeedback(body, 64);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->total, 10001u);
  ASSERT_EQ(batch->valid.size(), 1u);
  EXPECT_EQ(batch->valid[0].card, "last");
  EXPECT_EQ(batch->problems.size(), cdshooks::FeedbackBatch::kKeptProblems);
  EXPECT_EQ(batch->problems.size() + batch->unlisted, 3u * 10000u);
}

}  // namespace
