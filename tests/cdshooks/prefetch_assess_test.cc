// AssessPrefetch: every shape of policy v2 §0, and the cutoff and sort helpers.
#include "cdshooks/prefetch_assess.h"

#include "fhir/date.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

namespace {

using cdshooks::AssessOptions;
using cdshooks::AssessPrefetch;
using cdshooks::PrefetchState;

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

fhir::EpochSeconds At(const char* text) { return *fhir::ParseDateTime(text); }

const char* kNext = R"({"relation":"next","url":"https://ehr.example/fhir/Observation?page=2"})";

// A searchset page of Observations with the given effective dates and, optionally, a next link.
std::string Page(const std::vector<std::string>& dates, bool next, const std::string& extra = "") {
  std::string entries;
  for (const auto& d : dates) {
    if (!entries.empty()) entries += ",";
    entries +=
        R"({"resource":{"resourceType":"Observation","status":"final","effectiveDateTime":")" + d +
        R"("}})";
  }
  if (!extra.empty()) entries += (entries.empty() ? "" : ",") + extra;
  return R"({"resourceType":"Bundle","type":"searchset","link":[{"relation":"self","url":"x"})" +
         std::string(next ? std::string(",") + kNext : "") + R"(],"entry":[)" + entries + "]}";
}

TEST(AssessPrefetch, NullIsCompleteAndEmpty) {
  auto d = Parse("null");
  const auto v = AssessPrefetch(d);
  EXPECT_EQ(v.state, PrefetchState::kNull);
  EXPECT_EQ(v.value, nullptr);
}

TEST(AssessPrefetch, AResourceOrACompleteSearchset) {
  auto patient = Parse(R"({"resourceType":"Patient","id":"p"})");
  auto v = AssessPrefetch(patient);
  EXPECT_EQ(v.state, PrefetchState::kResource);
  EXPECT_EQ(v.value, &patient);
  auto page = Parse(Page({"2026-01-01"}, false));
  v = AssessPrefetch(page);
  EXPECT_EQ(v.state, PrefetchState::kResource);
  EXPECT_TRUE(v.next.empty());
  auto empty = Parse(R"({"resourceType":"Bundle","type":"searchset"})");
  EXPECT_EQ(AssessPrefetch(empty).state, PrefetchState::kResource);
}

TEST(AssessPrefetch, OperationOutcomeIsAFailedQuery) {
  auto d =
      Parse(R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"x"}]})");
  const auto v = AssessPrefetch(d);
  EXPECT_EQ(v.state, PrefetchState::kFailed);
  EXPECT_EQ(v.value, &d);
  EXPECT_NE(v.why.find("OperationOutcome"), std::string::npos);
}

TEST(AssessPrefetch, ErrorAndFatalOutcomeEntriesFailTheKeyWarningsDoNot) {
  for (const char* severity : {"error", "fatal"}) {
    auto d = Parse(Page(
        {"2026-01-01"}, false,
        std::string(
            R"({"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"x"},{"severity":")") +
            severity + R"(","code":"too-costly"}]},"search":{"mode":"outcome"}})"));
    const auto v = AssessPrefetch(d);
    EXPECT_EQ(v.state, PrefetchState::kFailed) << severity;
    EXPECT_NE(v.why.find("failed query"), std::string::npos) << v.why;
  }
  for (const char* severity : {"warning", "information"}) {
    auto d = Parse(Page(
        {"2026-01-01"}, false,
        std::string(R"({"resource":{"resourceType":"OperationOutcome","issue":[{"severity":")") +
            severity + R"(","code":"informational"}]},"search":{"mode":"outcome"}})"));
    EXPECT_EQ(AssessPrefetch(d).state, PrefetchState::kResource) << severity;
  }
  // An error entry wins over a next link: the query failed, it is not merely incomplete.
  auto both = Parse(Page(
      {}, true,
      R"({"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"x"}]}})"));
  EXPECT_EQ(AssessPrefetch(both).state, PrefetchState::kFailed);
}

TEST(AssessPrefetch, NextLinkMakesTheKeyIncomplete) {
  auto d = Parse(Page({"2026-01-01", "2025-12-01"}, true));
  const auto v = AssessPrefetch(d);
  EXPECT_EQ(v.state, PrefetchState::kIncomplete);
  EXPECT_EQ(v.value, &d);  // the entries read are kept for rules that fire on presence
  EXPECT_EQ(v.next, "https://ehr.example/fhir/Observation?page=2");
  EXPECT_EQ(v.why, "more pages");
}

TEST(AssessPrefetch, DateSortedPagePastTheCutoffIsComplete) {
  auto d = Parse(Page({"2026-01-01", "2020-03-01"}, true));
  AssessOptions sorted{true, At("2025-01-01")};
  EXPECT_EQ(AssessPrefetch(d, sorted).state, PrefetchState::kResource);
  // Not sorted by date: the next page may hold anything.
  AssessOptions unsorted{false, At("2025-01-01")};
  EXPECT_EQ(AssessPrefetch(d, unsorted).state, PrefetchState::kIncomplete);
  // Sorted, but the oldest entry is within the look-back: more pages may matter.
  AssessOptions later{true, At("2019-01-01")};
  EXPECT_EQ(AssessPrefetch(d, later).state, PrefetchState::kIncomplete);
  // No cutoff known: never complete early.
  AssessOptions none{true, std::nullopt};
  EXPECT_EQ(AssessPrefetch(d, none).state, PrefetchState::kIncomplete);
  // No dated entry: cannot tell.
  auto undated =
      Parse(R"({"resourceType":"Bundle","type":"searchset","link":[)" + std::string(kNext) +
            R"(],"entry":[{"resource":{"resourceType":"Observation"}}]})");
  EXPECT_EQ(AssessPrefetch(undated, sorted).state, PrefetchState::kIncomplete);
}

TEST(AssessPrefetch, PartialDatesCountAtTheirLatestInstant) {
  // "2024" may be 2024-12-31: not older than a 2024-06-01 cutoff.
  auto year = Parse(Page({"2024"}, true));
  EXPECT_EQ(AssessPrefetch(year, {true, At("2024-06-01")}).state, PrefetchState::kIncomplete);
  EXPECT_EQ(AssessPrefetch(year, {true, At("2025-01-01T00:00:01Z")}).state,
            PrefetchState::kResource);
  auto month = Parse(Page({"2024-05"}, true));
  EXPECT_EQ(AssessPrefetch(month, {true, At("2024-05-31")}).state, PrefetchState::kIncomplete);
  EXPECT_EQ(AssessPrefetch(month, {true, At("2024-06-01")}).state, PrefetchState::kResource);
}

TEST(AssessPrefetch, RecordedAndAuthoredDatesCount) {
  auto d = Parse(
      R"({"resourceType":"Bundle","type":"searchset","link":[)" + std::string(kNext) +
      R"(],"entry":[{"resource":{"resourceType":"Condition","recordedDate":"2010-01-01"}},)"
      R"({"resource":{"resourceType":"MedicationRequest","authoredOn":"2011-01-01"}},)"
      R"({"resource":{"resourceType":"Observation","effectivePeriod":{"start":"2009-01-01"}}}]})");
  EXPECT_EQ(AssessPrefetch(d, {true, At("2009-06-01")}).state, PrefetchState::kResource);
  EXPECT_EQ(AssessPrefetch(d, {true, At("2009-01-01")}).state, PrefetchState::kIncomplete);
}

TEST(AssessPrefetch, WrongShapesAreMissingKeysNotErrors) {
  for (const char* text : {"\"123\"", "7", "true", "[1]"}) {
    auto d = Parse(text);
    const auto v = AssessPrefetch(d);
    EXPECT_EQ(v.state, PrefetchState::kFailed) << text;
    EXPECT_FALSE(v.why.empty()) << text;
  }
  auto no_type = Parse(R"({"id":"x"})");
  EXPECT_EQ(AssessPrefetch(no_type).state, PrefetchState::kFailed);
  auto bad_entry = Parse(R"({"resourceType":"Bundle","entry":{"resource":{}}})");
  EXPECT_EQ(AssessPrefetch(bad_entry).state, PrefetchState::kFailed);
  // Odd entries inside a Bundle are not the envelope's business: skipped.
  auto odd = Parse(R"({"resourceType":"Bundle","entry":[7,{"resource":"x"},{}]})");
  EXPECT_EQ(AssessPrefetch(odd).state, PrefetchState::kResource);
}

TEST(SortedByDate, FirstSortKeyMustBeNewestDate) {
  EXPECT_TRUE(cdshooks::SortedByDate("Observation?patient=x&_sort=-date"));
  EXPECT_TRUE(cdshooks::SortedByDate("Observation?_sort=-date,code&patient=x"));
  EXPECT_FALSE(cdshooks::SortedByDate("Observation?patient=x&_sort=date"));
  EXPECT_FALSE(cdshooks::SortedByDate("Observation?patient=x&_sort=code,-date"));
  EXPECT_FALSE(cdshooks::SortedByDate("Observation?patient=x"));
  EXPECT_FALSE(cdshooks::SortedByDate("Observation?x_sort=-date"));
}

TEST(PrefetchCutoff, EarliestAuthoredOnElseNowMinusTheLookBack) {
  auto doc = Parse(
      R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"MedicationRequest","authoredOn":"2026-03-10"}},)"
      R"({"resource":{"resourceType":"MedicationRequest","authoredOn":"2026-02-01T08:00:00Z"}}]})");
  cdshooks::Request r;
  r.draft_orders = &doc;
  const auto now = At("2026-06-01");
  EXPECT_EQ(cdshooks::PrefetchCutoff(r, now, 10), At("2026-01-22T08:00:00Z"));
  EXPECT_EQ(cdshooks::PrefetchCutoff(r, now, 0), std::nullopt);
  cdshooks::Request none;
  EXPECT_EQ(cdshooks::PrefetchCutoff(none, now, 1), now - fhir::kSecondsPerDay);
}

}  // namespace
