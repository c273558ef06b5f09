// The JSON form of a FeedbackReport: what `feedback-report --format json` prints and what the
// governance page's /governance/report.json serves, byte for byte, from the same struct.
//
//   {"since": "2026-01-31",                  only when a period start was given (as given)
//    "bucketSeconds": 86400,                 the width of each trend bucket
//    "issuedCardsDropped": 0,                issued-card rows the server dropped (all codes)
//    "codes": [{"code", "issued", "accepted", "overridden", "ignored", "feedbackEntries",
//               "acceptanceRate" (number or null), "issuedDropped" (only when > 0),
//               "lowerBound", "topOverrideReasons": [{"system", "code", "display", "count"}],
//               "trend": [{"start": "2026-01-31T00:00:00Z", "issued", "accepted", "overridden",
//                          "acceptanceRate"}]}]}
// When "lowerBound" is true, issued, accepted, overridden, ignored and feedbackEntries are lower
// bounds (docs/operations.md "Feedback store").
//
// A pure function of its arguments: thread-safe, no errors (strings are escaped by RapidJSON).
#pragma once

#include "store/feedback_store.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace store {

// Override reasons listed per code, by the CLI and the governance page alike.
inline constexpr std::size_t kReportTopReasons = 3;

// The trend bucket widths by name: "day" 86400 s, "week" 604800 s (weeks start on Thursday
// 00:00 UTC, the epoch's weekday: buckets are floor(t / width) * width). nullopt for others.
std::optional<std::int64_t> BucketSeconds(std::string_view name);

// Pretty-printed (two-space indent), with a final newline.
std::string ReportJson(const FeedbackReport& report, std::string_view since,
                       std::int64_t bucket_seconds);

}  // namespace store
