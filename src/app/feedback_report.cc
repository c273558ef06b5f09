#include "app/feedback_report.h"

#include "fhir/date.h"
#include "store/report_json.h"
#include "store/store.h"

#include <cstdio>
#include <iostream>

namespace app {
namespace {

std::string Percent(const std::optional<double>& rate) {
  if (!rate) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", *rate * 100);
  return buf;
}

std::string ReasonLabel(const store::ReasonCount& r) {
  if (r.code.empty()) return "(no reason given)";
  return r.display.empty() ? r.code : r.code + " \"" + r.display + "\"";
}

// A count, with ">=" in front when it is a lower bound.
std::string Count(std::int64_t n, bool lower_bound) {
  return (lower_bound ? ">=" : "") + std::to_string(n);
}

void PrintText(const store::FeedbackReport& report, const std::string& since) {
  const auto& rows = report.codes;
  std::cout << "Feedback per card code"
            << (since.empty() ? "" : " (cards issued since " + since + ")") << "\n\n";
  if (rows.empty()) {
    std::cout << "No cards issued and no feedback received.\n";
    return;
  }
  char line[256];
  std::snprintf(line, sizeof line, "%-36s %8s %9s %11s %8s %11s\n", "card code", "issued",
                "accepted", "overridden", "ignored", "acceptance");
  std::cout << line;
  for (const auto& r : rows) {
    const bool lb = r.lower_bound();
    std::snprintf(
        line, sizeof line, "%-36s %8s %9s %11s %8s %11s\n", r.code.c_str(),
        Count(r.issued, lb).c_str(), Count(r.accepted, lb).c_str(), Count(r.overridden, lb).c_str(),
        Count(r.ignored(), lb).c_str(),
        (std::string(lb && r.acceptance_rate ? "~" : "") + Percent(r.acceptance_rate)).c_str());
    std::cout << line;
    for (const auto& reason : r.top_override_reasons)
      std::cout << "    overridden: " << ReasonLabel(reason) << " x" << reason.count << "\n";
  }
  if (report.issued_dropped > 0)
    std::cout << "\n"
              << report.issued_dropped
              << " issued-card rows were dropped by the server (queue full or a failed write): "
                 "counts marked >= are lower bounds, ~ rates are approximate, and feedback on "
                 "dropped cards is counted under \"(unknown card)\".\n";
}

}  // namespace

int RunFeedbackReport(const std::string& store_url, const std::string& data_dir,
                      const std::string& since, const std::string& format,
                      const std::string& bucket) {
  const std::optional<std::int64_t> bucket_seconds = store::BucketSeconds(bucket);
  if (!bucket_seconds) {
    std::cerr << "anakinra-cds: --bucket must be day or week, got \"" << bucket << "\"\n";
    return 2;
  }
  std::optional<std::int64_t> from;
  if (!since.empty()) {
    from = fhir::ParseDateTime(since);
    if (!from) {
      std::cerr << "anakinra-cds: --since must be a date (2026-01-31) or dateTime "
                   "(2026-01-31T08:00:00Z), got \""
                << since << "\"\n";
      return 2;
    }
  }
  // Either backend: with PostgreSQL, the cards and feedback of every replica.
  auto store = store::OpenStore(store_url, data_dir, /*create=*/false);
  if (!store.ok()) {
    std::cerr << "anakinra-cds: " << store.status().message() << "\n";
    return 1;
  }
  auto report = (*store)->Report(from, store::kReportTopReasons, *bucket_seconds);
  if (!report.ok()) {
    std::cerr << "anakinra-cds: cannot read " << (*store)->Describe() << ": "
              << report.status().message() << "\n";
    return 1;
  }
  if (format == "json")
    std::cout << store::ReportJson(*report, since, *bucket_seconds);
  else
    PrintText(*report, since);
  return 0;
}

}  // namespace app
