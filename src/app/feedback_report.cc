#include "app/feedback_report.h"

#include "fhir/date.h"
#include "store/store.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cstdio>
#include <iostream>

namespace app {
namespace {

constexpr std::size_t kTopReasons = 3;
constexpr std::int64_t kBucketSeconds = 86400;

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

void PrintJson(const store::FeedbackReport& report, const std::string& since) {
  const auto& rows = report.codes;
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  if (!since.empty()) {
    w.Key("since");
    w.String(since.c_str());
  }
  // Issued-card rows the server dropped (analytics, see docs/operations.md): the counts of the
  // codes they belong to are lower bounds, and "(unknown card)" may hold their feedback.
  w.Key("issuedCardsDropped");
  w.Int64(report.issued_dropped);
  w.Key("codes");
  w.StartArray();
  for (const auto& r : rows) {
    w.StartObject();
    w.Key("code");
    w.String(r.code.c_str());
    w.Key("issued");
    w.Int64(r.issued);
    w.Key("accepted");
    w.Int64(r.accepted);
    w.Key("overridden");
    w.Int64(r.overridden);
    w.Key("feedbackEntries");
    w.Int64(r.feedback_entries);
    w.Key("acceptanceRate");
    if (r.acceptance_rate)
      w.Double(*r.acceptance_rate);
    else
      w.Null();
    if (r.lower_bound()) {
      w.Key("issuedDropped");
      w.Int64(r.issued_dropped);
    }
    w.Key("lowerBound");
    w.Bool(r.lower_bound());
    w.Key("topOverrideReasons");
    w.StartArray();
    for (const auto& reason : r.top_override_reasons) {
      w.StartObject();
      if (!reason.code.empty()) {
        w.Key("system");
        w.String(reason.system.c_str());
        w.Key("code");
        w.String(reason.code.c_str());
        if (!reason.display.empty()) {
          w.Key("display");
          w.String(reason.display.c_str());
        }
      }
      w.Key("count");
      w.Int64(reason.count);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::cout << buf.GetString() << "\n";
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
  std::snprintf(line, sizeof line, "%-36s %8s %9s %11s %11s\n", "card code", "issued", "accepted",
                "overridden", "acceptance");
  std::cout << line;
  for (const auto& r : rows) {
    const bool lb = r.lower_bound();
    std::snprintf(
        line, sizeof line, "%-36s %8s %9s %11s %11s\n", r.code.c_str(), Count(r.issued, lb).c_str(),
        Count(r.accepted, lb).c_str(), Count(r.overridden, lb).c_str(),
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
                      const std::string& since, const std::string& format) {
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
  auto report = (*store)->Report(from, kTopReasons, kBucketSeconds);
  if (!report.ok()) {
    std::cerr << "anakinra-cds: cannot read " << (*store)->Describe() << ": "
              << report.status().message() << "\n";
    return 1;
  }
  if (format == "json")
    PrintJson(*report, since);
  else
    PrintText(*report, since);
  return 0;
}

}  // namespace app
