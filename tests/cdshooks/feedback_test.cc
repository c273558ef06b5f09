#include "cdshooks/feedback.h"

#include <gtest/gtest.h>

namespace {

std::string Diagnostics(const base::Status& e) {
  std::string all;
  for (const auto& p : e.problems()) all += p.message + " | ";
  return all;
}

TEST(ParseFeedback, AcceptedWithSuggestions) {
  std::vector<cdshooks::Feedback> out;
  auto e = cdshooks::ParseFeedback(
      R"({"feedback":[{"card":"c1","outcome":"accepted","acceptedSuggestions":[{"id":"s1"}],"outcomeTimestamp":"2026-11-24T10:00:00.52Z"}]})",
      64, out);
  ASSERT_TRUE(e.ok()) << Diagnostics(e);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].accepted_suggestions, std::vector<std::string>{"s1"});
}

TEST(ParseFeedback, OverriddenWithReasonAndComment) {
  std::vector<cdshooks::Feedback> out;
  auto e = cdshooks::ParseFeedback(
      R"({"feedback":[{"card":"c1","outcome":"overridden","overrideReason":{"reason":{"system":"urn:x","code":"r"},"userComment":"ok"},"outcomeTimestamp":"2026-11-24T10:00:00+01:00"}]})",
      64, out);
  ASSERT_TRUE(e.ok()) << Diagnostics(e);
  ASSERT_TRUE(out[0].override_reason);
  EXPECT_EQ(out[0].override_reason->code, "r");
  EXPECT_EQ(out[0].user_comment, "ok");
}

TEST(ParseFeedback, RejectsInvalidEntriesAndKeepsNothing) {
  struct Case {
    const char* body;
    const char* fragment;
  };
  const Case cases[] = {
      {R"({"feedback":[]})", "non-empty"},
      {R"({"feedback":[{"outcome":"accepted"}]})", "card"},
      {R"({"feedback":[{"card":"c","outcome":"maybe","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})",
       "outcome must be"},
      {R"({"feedback":[{"card":"c","outcome":"accepted","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})",
       "acceptedSuggestions is required"},
      {R"({"feedback":[{"card":"c","outcome":"overridden","outcomeTimestamp":"yesterday"}]})",
       "RFC 3339"},
      {R"({"feedback":[{"card":"c","outcome":"overridden","outcomeTimestamp":"2026-11-24"}]})",
       "RFC 3339"},
      {R"({"feedback":[{"card":"c","outcome":"overridden","overrideReason":{},"outcomeTimestamp":"2026-11-24T10:00:00Z"}]})",
       "needs a reason or a userComment"},
      {R"({"feedback":[{"card":"c","outcome":"overridden","overrideReason":{"reason":{"code":"x"}},"outcomeTimestamp":"2026-11-24T10:00:00Z"}]})",
       "Coding with system and code"},
      {"not json", "not valid JSON"},
  };
  for (const auto& c : cases) {
    std::vector<cdshooks::Feedback> out;
    auto e = cdshooks::ParseFeedback(c.body, 64, out);
    ASSERT_FALSE(e.ok()) << c.body;
    EXPECT_EQ(e.code(), base::Status::Code::kInvalidArgument);
    EXPECT_NE(Diagnostics(e).find(c.fragment), std::string::npos)
        << c.body << " → " << Diagnostics(e);
    EXPECT_TRUE(out.empty());
  }
}

}  // namespace
