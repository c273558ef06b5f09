// The governance page renderer on hand-made reports: client-sent strings are escaped, counts that
// depend on dropped rows carry "≥", there is one chart series per card code with one point per
// bucket that has a rate, and the page loads nothing from anywhere. And KnowledgeVersion changes
// with the knowledge.
#include "http/governance.h"
#include "service/knowledge_version.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace {

using http::GovernanceHtml;
using http::GovernanceView;

std::size_t Count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size()))
    ++n;
  return n;
}

store::FeedbackReport Sample() {
  store::FeedbackReport report;
  store::CodeReport a;
  a.code = "anakinra-dose";
  a.issued = 10;
  a.accepted = 6;
  a.overridden = 2;
  a.feedback_entries = 9;
  a.acceptance_rate = 0.75;
  a.top_override_reasons = {{"http://example.org/r", "<script>alert(1)</script>",
                             "Patient \"declined\" & <b>left</b>", 2}};
  a.trend = {{86400 * 20000, 6, 4, 1, 0.8},
             {86400 * 20001, 3, 0, 0, std::nullopt},
             {86400 * 20002, 1, 2, 1, 2.0 / 3}};
  store::CodeReport b;
  b.code = "x\"><img src=x onerror=alert(2)>";
  b.issued = 4;
  b.accepted = 1;
  b.overridden = 1;
  b.acceptance_rate = 0.5;
  b.issued_dropped = 3;
  b.trend = {{86400 * 20001, 4, 1, 1, 0.5}};
  store::CodeReport c;
  c.code = "no-feedback";
  c.issued = 2;
  c.trend = {{86400 * 20000, 2, 0, 0, std::nullopt}};
  report.codes = {a, c, b};
  report.issued_dropped = 3;
  return report;
}

GovernanceView View() {
  GovernanceView v;
  v.since = "2024-10-01";
  v.knowledge_version = "sha256:0123456789abcdef";
  v.generated_at = 86400 * 20003;
  return v;
}

TEST(GovernanceHtmlTest, EscapesEveryClientString) {
  const std::string html = GovernanceHtml(Sample(), View());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>left"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("Patient &quot;declined&quot; &amp; &lt;b&gt;left&lt;/b&gt;"),
            std::string::npos);
  EXPECT_NE(html.find("data-code=\"x&quot;&gt;&lt;img src=x onerror=alert(2)&gt;\""),
            std::string::npos);
  EXPECT_EQ(http::HtmlEscape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
}

TEST(GovernanceHtmlTest, MarksLowerBoundsOnlyWhereRowsWereDropped) {
  const std::string html = GovernanceHtml(Sample(), View());
  const std::string b = "x&quot;&gt;&lt;img src=x onerror=alert(2)&gt;";
  EXPECT_NE(html.find("data-code=\"" + b + "\" data-field=\"issued\">≥4<"), std::string::npos);
  EXPECT_NE(html.find("data-code=\"" + b + "\" data-field=\"ignored\">≥2<"), std::string::npos);
  EXPECT_NE(html.find("data-code=\"" + b + "\" data-field=\"acceptanceRate\">~50.0%<"),
            std::string::npos);
  EXPECT_NE(html.find("data-code=\"anakinra-dose\" data-field=\"issued\">10<"), std::string::npos);
  EXPECT_NE(html.find("data-code=\"anakinra-dose\" data-field=\"ignored\">2<"), std::string::npos);
  EXPECT_NE(html.find("data-code=\"anakinra-dose\" data-field=\"acceptanceRate\">75.0%<"),
            std::string::npos);
  EXPECT_NE(html.find("id=\"lower-bound-note\""), std::string::npos);

  store::FeedbackReport clean = Sample();
  clean.codes.pop_back();
  clean.issued_dropped = 0;
  const std::string clean_html = GovernanceHtml(clean, View());
  EXPECT_EQ(clean_html.find("≥"), std::string::npos);
  EXPECT_EQ(clean_html.find("id=\"lower-bound-note\""), std::string::npos);
}

TEST(GovernanceHtmlTest, OneSeriesPerCodeWithAPointPerRatedBucket) {
  const std::string html = GovernanceHtml(Sample(), View());
  EXPECT_EQ(Count(html, "<path class=\"series\""), 3u);
  EXPECT_EQ(Count(html, "<path class=\"series\" data-code=\"anakinra-dose\""), 1u);
  EXPECT_EQ(Count(html, "<circle data-code=\"anakinra-dose\""), 2u);  // the null bucket skipped
  EXPECT_EQ(Count(html, "<circle data-code=\"no-feedback\""), 0u);
  EXPECT_NE(html.find("<path class=\"series\" data-code=\"no-feedback\" d=\"M0 0\""),
            std::string::npos);
  // 100% is at the top of the plot (y = 16), 0% at its bottom (y = 256).
  EXPECT_NE(html.find("<text x=\"50.0\" y=\"16.0\" text-anchor=\"end\" "
                      "dominant-baseline=\"middle\">100%</text>"),
            std::string::npos);
  EXPECT_NE(html.find(">2024-10-04<"), std::string::npos);  // 20000 days after the epoch
}

TEST(GovernanceHtmlTest, ShowsPeriodKnowledgeAndLoadsNothing) {
  const std::string html = GovernanceHtml(Sample(), View());
  EXPECT_NE(html.find("cards issued since 2024-10-01"), std::string::npos);
  EXPECT_NE(html.find("<code>sha256:0123456789abcdef</code>"), std::string::npos);
  EXPECT_NE(html.find("href=\"/governance/report.json?bucket=day&amp;since=2024-10-01\""),
            std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), html.find("src=x"));  // only the escaped client string
  EXPECT_EQ(html.find("http://fonts"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);

  const std::string empty = GovernanceHtml(store::FeedbackReport{}, GovernanceView{});
  EXPECT_NE(empty.find("No cards issued and no feedback received"), std::string::npos);
  EXPECT_NE(empty.find("all cards on record"), std::string::npos);
  EXPECT_EQ(Count(empty, "<path class=\"series\""), 0u);
}

TEST(KnowledgeVersionTest, ChangesWithAnyKnowledgeFile) {
  namespace fs = std::filesystem;
  char tmpl[] = "/tmp/anakinra-kv-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  fs::copy(testing_support::SourcePath("hooks"), dir, fs::copy_options::recursive);
  auto before = service::KnowledgeVersion(dir.string());
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->rfind("sha256:", 0), 0u);
  EXPECT_EQ(before->size(), 7u + 16u);
  EXPECT_EQ(*service::KnowledgeVersion(testing_support::SourcePath("hooks")), *before);
  { std::ofstream(dir / "knowledge" / "dosing.json", std::ios::app) << "\n"; }
  auto after = service::KnowledgeVersion(dir.string());
  ASSERT_TRUE(after.ok());
  EXPECT_NE(*after, *before);
  fs::remove(dir / "cards.json");
  EXPECT_FALSE(service::KnowledgeVersion(dir.string()).ok());
  fs::remove_all(dir);
}

}  // namespace
