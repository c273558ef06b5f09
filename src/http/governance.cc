#include "http/governance.h"

#include "fhir/date.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <vector>

namespace http {
namespace {

// Okabe-Ito: distinguishable with the common colour-vision deficiencies; then cycled.
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000", "#F0E442"};
constexpr std::size_t kPaletteSize = sizeof kPalette / sizeof kPalette[0];

// Line chart geometry (SVG user units).
constexpr double kWidth = 760, kHeight = 300;
constexpr double kLeft = 56, kRight = 48, kTop = 16, kBottom = 44;

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string Percent(const std::optional<double>& rate) {
  return rate ? Fixed(*rate * 100, 1) + "%" : "–";
}

// A count as shown: "≥" in front when it is a lower bound.
std::string Count(std::int64_t n, bool lower_bound) {
  return (lower_bound ? "≥" : "") + std::to_string(n);
}

std::string Cell(const std::string& code, const char* field, const std::string& text) {
  return "<td class=\"num\" data-code=\"" + HtmlEscape(code) + "\" data-field=\"" + field + "\">" +
         text + "</td>";
}

std::string Color(std::size_t i) { return kPalette[i % kPaletteSize]; }

std::string ReasonLabel(const store::ReasonCount& r) {
  if (r.code.empty()) return "<em>(no reason given)</em>";
  std::string out = "<code>" + HtmlEscape(r.code) + "</code>";
  if (!r.display.empty()) out += " " + HtmlEscape(r.display);
  if (!r.system.empty()) out += " <span class=\"sys\">" + HtmlEscape(r.system) + "</span>";
  return out;
}

std::string SummaryTable(const store::FeedbackReport& report) {
  std::string out =
      "<table id=\"summary\"><thead><tr><th>card code</th><th>issued</th><th>accepted</th>"
      "<th>overridden</th><th>ignored</th><th>feedback entries</th><th>acceptance rate</th>"
      "</tr></thead><tbody>\n";
  for (std::size_t i = 0; i < report.codes.size(); ++i) {
    const auto& r = report.codes[i];
    const bool lb = r.lower_bound();
    out += "<tr data-code=\"" + HtmlEscape(r.code) + "\"><th scope=\"row\"><span class=\"key\" " +
           "style=\"background:" + Color(i) + "\"></span><code>" + HtmlEscape(r.code) +
           "</code></th>" + Cell(r.code, "issued", Count(r.issued, lb)) +
           Cell(r.code, "accepted", Count(r.accepted, lb)) +
           Cell(r.code, "overridden", Count(r.overridden, lb)) +
           Cell(r.code, "ignored", Count(r.ignored(), lb)) +
           Cell(r.code, "feedbackEntries", Count(r.feedback_entries, lb)) +
           Cell(r.code, "acceptanceRate",
                (lb && r.acceptance_rate ? "~" : "") + Percent(r.acceptance_rate)) +
           "</tr>\n";
  }
  if (report.codes.empty())
    out +=
        "<tr><td colspan=\"7\">No cards issued and no feedback received in this period."
        "</td></tr>\n";
  out += "</tbody></table>\n";
  return out;
}

std::string ReasonsTable(const store::FeedbackReport& report) {
  std::string out =
      "<table id=\"reasons\"><thead><tr><th>card code</th><th>override reason</th>"
      "<th>cards</th></tr></thead><tbody>\n";
  bool any = false;
  for (const auto& r : report.codes) {
    for (std::size_t k = 0; k < r.top_override_reasons.size(); ++k) {
      const auto& reason = r.top_override_reasons[k];
      any = true;
      out += "<tr data-code=\"" + HtmlEscape(r.code) + "\" data-rank=\"" + std::to_string(k) +
             "\"><td><code>" + HtmlEscape(r.code) + "</code></td><td data-field=\"reason\">" +
             ReasonLabel(reason) + "</td><td class=\"num\" data-field=\"reasonCount\">" +
             std::to_string(reason.count) + "</td></tr>\n";
    }
  }
  if (!any) out += "<tr><td colspan=\"3\">No card was overridden in this period.</td></tr>\n";
  out += "</tbody></table>\n";
  return out;
}

// Acceptance rate per bucket, one series (path + points) per card code.
std::string TrendChart(const store::FeedbackReport& report, std::int64_t bucket_seconds) {
  std::int64_t first = 0, last = 0;
  bool any = false;
  for (const auto& r : report.codes)
    for (const auto& p : r.trend) {
      first = any ? std::min(first, p.start) : p.start;
      last = any ? std::max(last, p.start) : p.start;
      any = true;
    }
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const std::int64_t buckets = any ? (last - first) / bucket_seconds + 1 : 1;
  auto x = [&](std::int64_t start) {
    if (buckets <= 1) return kLeft + plot_w / 2;
    const std::int64_t index = (start - first) / bucket_seconds;  // whole buckets
    return kLeft + plot_w * static_cast<double>(index) / static_cast<double>(buckets - 1);
  };
  auto y = [&](double rate) { return kTop + plot_h * (1 - rate); };
  std::string out = "<svg id=\"trend\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" " +
                    std::string("viewBox=\"0 0 ") + Fixed(kWidth, 0) + " " + Fixed(kHeight, 0) +
                    "\" width=\"" + Fixed(kWidth, 0) + "\" height=\"" + Fixed(kHeight, 0) +
                    "\"><title>Acceptance rate per " +
                    (bucket_seconds == 86400 ? std::string("day") : std::string("week")) +
                    " and card code</title>\n";
  // Axes, grid and labels.
  out += "<g class=\"axis\">";
  for (int pct = 0; pct <= 100; pct += 25) {
    const std::string yy = Fixed(y(pct / 100.0), 1);
    out += "<line x1=\"" + Fixed(kLeft, 1) + "\" x2=\"" + Fixed(kWidth - kRight, 1) + "\" y1=\"" +
           yy + "\" y2=\"" + yy + "\" class=\"grid\"/><text x=\"" + Fixed(kLeft - 6, 1) +
           "\" y=\"" + yy + "\" text-anchor=\"end\" dominant-baseline=\"middle\">" +
           std::to_string(pct) + "%</text>";
  }
  out += "<line x1=\"" + Fixed(kLeft, 1) + "\" x2=\"" + Fixed(kLeft, 1) + "\" y1=\"" +
         Fixed(kTop, 1) + "\" y2=\"" + Fixed(kTop + plot_h, 1) + "\"/>";
  out += "<line x1=\"" + Fixed(kLeft, 1) + "\" x2=\"" + Fixed(kWidth - kRight, 1) + "\" y1=\"" +
         Fixed(kTop + plot_h, 1) + "\" y2=\"" + Fixed(kTop + plot_h, 1) + "\"/>";
  if (any) {
    // At most 7 date labels, evenly spread over the buckets.
    const std::int64_t step = std::max<std::int64_t>(1, (buckets + 6) / 7);
    for (std::int64_t b = 0; b < buckets; b += step) {
      const std::int64_t start = first + b * bucket_seconds;
      out += "<text x=\"" + Fixed(x(start), 1) + "\" y=\"" + Fixed(kTop + plot_h + 18, 1) +
             "\" text-anchor=\"middle\">" + fhir::FormatDate(start) + "</text>";
    }
  } else {
    out += "<text x=\"" + Fixed(kLeft + plot_w / 2, 1) + "\" y=\"" + Fixed(kTop + plot_h / 2, 1) +
           "\" text-anchor=\"middle\">no cards in this period</text>";
  }
  out += "<text x=\"" + Fixed(kLeft + plot_w / 2, 1) + "\" y=\"" + Fixed(kHeight - 6, 1) +
         "\" text-anchor=\"middle\">" +
         (bucket_seconds == 86400 ? "day the cards were issued (UTC)"
                                  : "week the cards were issued (UTC, from Thursday)") +
         "</text></g>\n";
  // One series per card code; buckets without a rate (no feedback) are skipped.
  for (std::size_t i = 0; i < report.codes.size(); ++i) {
    const auto& r = report.codes[i];
    const std::string code = HtmlEscape(r.code);
    std::string d, points;
    for (const auto& p : r.trend) {
      if (!p.acceptance_rate) continue;
      const std::string px = Fixed(x(p.start), 1), py = Fixed(y(*p.acceptance_rate), 1);
      d += (d.empty() ? "M" : " L") + px + " " + py;
      points += "<circle data-code=\"" + code + "\" data-start=\"" + fhir::FormatDateTime(p.start) +
                "\" cx=\"" + px + "\" cy=\"" + py + "\" r=\"3.5\" fill=\"" + Color(i) +
                "\"><title>" + code + " " + fhir::FormatDate(p.start) + ": " +
                Percent(p.acceptance_rate) + " (" + std::to_string(p.accepted) + " accepted, " +
                std::to_string(p.overridden) + " overridden, " + std::to_string(p.issued) +
                " issued)</title></circle>";
    }
    out += "<g class=\"code\"><path class=\"series\" data-code=\"" + code + "\" d=\"" +
           (d.empty() ? "M0 0" : d) + "\" fill=\"none\" stroke=\"" + Color(i) +
           "\" stroke-width=\"2\"" + (d.empty() ? " visibility=\"hidden\"" : "") + "/>" + points +
           "</g>\n";
  }
  out += "</svg>\n";
  // Legend (HTML, so long codes wrap).
  out += "<ul class=\"legend\" id=\"trend-legend\">";
  for (std::size_t i = 0; i < report.codes.size(); ++i) {
    const auto& r = report.codes[i];
    out += "<li data-code=\"" + HtmlEscape(r.code) +
           "\"><span class=\"key\" style=\"background:" + Color(i) + "\"></span><code>" +
           HtmlEscape(r.code) + "</code>" + (r.acceptance_rate ? "" : " (no feedback: no line)") +
           "</li>";
  }
  out += "</ul>\n";
  return out;
}

// One stacked bar per code: accepted, overridden, ignored.
std::string OutcomeBars(const store::FeedbackReport& report) {
  std::int64_t widest = 1;
  for (const auto& r : report.codes)
    widest = std::max(widest, r.accepted + r.overridden + r.ignored());
  const double label_w = 250, bar_w = kWidth - label_w - 80, row_h = 26;
  const double h = 30 + row_h * static_cast<double>(report.codes.size());
  std::string out = "<svg id=\"outcomes\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" " +
                    std::string("viewBox=\"0 0 ") + Fixed(kWidth, 0) + " " + Fixed(h, 0) +
                    "\" width=\"" + Fixed(kWidth, 0) + "\" height=\"" + Fixed(h, 0) +
                    "\"><title>Outcome of the cards per code</title>\n";
  struct Part {
    const char* name;
    const char* color;
  };
  constexpr Part kParts[] = {
      {"accepted", "#009E73"}, {"overridden", "#D55E00"}, {"ignored", "#BBBBBB"}};
  double lx = label_w;
  for (const auto& part : kParts) {
    out += "<rect x=\"" + Fixed(lx, 1) + "\" y=\"4\" width=\"12\" height=\"12\" fill=\"" +
           part.color + "\"/><text x=\"" + Fixed(lx + 16, 1) + "\" y=\"14\">" + part.name +
           "</text>";
    lx += 110;
  }
  for (std::size_t i = 0; i < report.codes.size(); ++i) {
    const auto& r = report.codes[i];
    const double yy = 26 + row_h * static_cast<double>(i);
    out += "<g data-code=\"" + HtmlEscape(r.code) + "\"><text x=\"" + Fixed(label_w - 8, 1) +
           "\" y=\"" + Fixed(yy + 14, 1) + "\" text-anchor=\"end\">" + HtmlEscape(r.code) +
           "</text>";
    double bx = label_w;
    const std::int64_t values[] = {r.accepted, r.overridden, r.ignored()};
    for (std::size_t k = 0; k < 3; ++k) {
      const double w = bar_w * static_cast<double>(values[k]) / static_cast<double>(widest);
      out += "<rect data-field=\"" + std::string(kParts[k].name) + "\" x=\"" + Fixed(bx, 1) +
             "\" y=\"" + Fixed(yy, 1) + "\" width=\"" + Fixed(w, 1) + "\" height=\"18\" fill=\"" +
             kParts[k].color + "\"><title>" + kParts[k].name + ": " + std::to_string(values[k]) +
             "</title></rect>";
      bx += w;
    }
    out += "<text x=\"" + Fixed(bx + 6, 1) + "\" y=\"" + Fixed(yy + 14, 1) + "\">" +
           Count(r.accepted + r.overridden + r.ignored(), r.lower_bound()) + "</text></g>\n";
  }
  out += "</svg>\n";
  return out;
}

constexpr const char* kStyle = R"css(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;
max-width:960px;color:#1b1b1b;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#444;margin:0 0 12px}.meta dt{font-weight:600;display:inline}
.meta dd{display:inline;margin:0 16px 0 4px}
table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #ddd;
text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
thead th{border-bottom:2px solid #888}.key{display:inline-block;width:10px;height:10px;
margin-right:6px;border-radius:2px}.legend{list-style:none;padding:0;display:flex;
flex-wrap:wrap;gap:4px 18px}.sys{color:#666;font-size:12px}.note{color:#555;font-size:13px}
svg text{font-size:12px;fill:#333}svg .axis line{stroke:#888}svg .axis line.grid{stroke:#e3e3e3}
form{margin:8px 0 0}form label{margin-right:12px}
)css";

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string GovernanceHtml(const store::FeedbackReport& report, const GovernanceView& view) {
  const std::string period =
      view.since.empty() ? "all cards on record" : "cards issued since " + HtmlEscape(view.since);
  std::string json_link = "/governance/report.json?bucket=" + HtmlEscape(view.bucket);
  if (!view.since.empty()) json_link += "&amp;since=" + HtmlEscape(view.since);
  bool lower_bound = false;
  for (const auto& r : report.codes) lower_bound = lower_bound || r.lower_bound();
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>anakinra-cds: card governance</title><style>" +
      std::string(kStyle) +
      "</style></head><body>\n<h1>anakinra-cds: how the cards are received</h1>\n"
      "<dl class=\"meta\"><dt>Period</dt><dd id=\"period\">" +
      period + "</dd><dt>Trend bucket</dt><dd id=\"bucket\">" + HtmlEscape(view.bucket) +
      "</dd><dt>Knowledge version in force</dt><dd id=\"knowledge-version\"><code>" +
      HtmlEscape(view.knowledge_version) + "</code></dd><dt>Generated</dt><dd>" +
      fhir::FormatDateTime(view.generated_at) + "</dd></dl>\n" +
      "<form method=\"get\" action=\"/governance\"><label>Cards issued since <input type=\"date\" "
      "name=\"since\" value=\"" +
      HtmlEscape(view.since) + "\"></label><label>Trend per <select name=\"bucket\">" +
      "<option value=\"day\"" + (view.bucket == "day" ? " selected" : "") + ">day</option>" +
      "<option value=\"week\"" + (view.bucket == "week" ? " selected" : "") +
      ">week</option></select></label><button type=\"submit\">Show</button> <a href=\"" +
      json_link + "\">the same report as JSON</a></form>\n" +
      "<p class=\"note\">Counts per card code only: no patient data is kept for this page. A "
      "card counts once, with the outcome of its latest feedback entry; <em>ignored</em> cards "
      "were issued and got no feedback; the acceptance rate is accepted / (accepted + "
      "overridden). The numbers are those of <code>anakinra-cds feedback-report --format "
      "json</code> for the same period.</p>\n";
  if (lower_bound || report.issued_dropped > 0)
    out += "<p class=\"note\" id=\"lower-bound-note\"><strong>" +
           std::to_string(report.issued_dropped) +
           " issued-card rows were dropped by the server</strong> (queue full or a failed "
           "write): counts marked ≥ are lower bounds, rates marked ~ are approximate, and "
           "feedback on dropped cards is counted under <code>(unknown card)</code>.</p>\n";
  out += "<h2>Cards per code</h2>\n" + SummaryTable(report);
  out += "<h2>Acceptance rate over time</h2>\n" + TrendChart(report, view.bucket_seconds);
  out += "<h2>Outcomes</h2>\n" + OutcomeBars(report);
  out += "<h2>Top override reasons</h2>\n" + ReasonsTable(report);
  out += "</body></html>\n";
  return out;
}

}  // namespace http
