// The governance page: how the cards are received, for a pharmacy & therapeutics / CDS
// committee. Server-rendered HTML with inline SVG charts; no script, no external resource, so it
// works under the Content-Security-Policy the admin listener sends (kGovernanceCsp).
//
// It shows, for the period chosen, per card code: cards issued, accepted, overridden, ignored
// (issued with no feedback), feedback entries, the acceptance rate, a line chart of the
// acceptance rate per trend bucket (one series per card code), a bar chart of the outcomes, the
// top override reasons, and the knowledge version in force. The numbers are those of the
// FeedbackReport it is given, which is the one store::ReportJson renders for
// `feedback-report --format json`. Counts that depend on dropped issued-card rows carry "≥"
// (rates "~"). No patient data exists in the report, so none can reach the page.
//
// Every string from the report (card codes, override reason codes and displays: the latter come
// from clients) is HTML-escaped.
//
// Hooks for tests and scrapers: each table cell has data-code and data-field attributes
// ("issued", "accepted", "overridden", "ignored", "feedbackEntries", "acceptanceRate"); each
// chart series is an SVG <path class="series" data-code="..."> with one <circle data-code> per
// bucket that has a rate.
//
// Pure functions of their arguments (thread-safe), (the knowledge version comes from
// service::KnowledgeVersion).
#pragma once

#include "base/status.h"
#include "store/feedback_store.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace http {

inline constexpr const char* kGovernanceCsp =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

// What the page shows besides the report.
struct GovernanceView {
  std::string since;           // the period start as chosen (YYYY-MM-DD); "" for all time
  std::string bucket = "day";  // "day" or "week"
  std::int64_t bucket_seconds = 86400;
  std::string knowledge_version;  // KnowledgeVersion of the hooks folder served
  std::int64_t generated_at = 0;  // unix seconds
};

// &, <, >, " and ' as character references.
std::string HtmlEscape(std::string_view text);

// The whole page (UTF-8).
std::string GovernanceHtml(const store::FeedbackReport& report, const GovernanceView& view);

}  // namespace http
