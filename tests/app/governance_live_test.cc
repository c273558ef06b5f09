// The governance page under the real binary, on a real SQLite store holding known feedback:
// some seeded over two weeks through the store's own API before the server starts, some posted
// through the real CDS Hooks port. The admin listener serves /governance/report.json byte for
// byte as `feedback-report --format json` prints it, and the page's numbers are the report's;
// an admin token is enforced; admin_host beyond loopback without a token is refused; the page is
// not on the CDS Hooks port. And in headless Chromium (tests/browser/governance.js): the numbers
// in the DOM equal the report's, the chart has one series per card code, and a screenshot is
// saved in the build folder (test-artifacts/governance.png).
#include "base/json.h"
#include "config/config_file.h"
#include "fhir/date.h"
#include "store/feedback_store.h"
#include "support/child_process.h"
#include "support/live_server.h"
#include "support/temp_dir.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace {

using namespace testing_support;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kToken = "governance-test-token-0123456789";
constexpr const char* kReasons = "urn:anakinra-cds:override-reason";

using Child = ChildProcess;

std::vector<std::string> Binary(std::vector<std::string> args) {
  args.insert(args.begin(), ANAKINRA_BINARY);
  return args;
}

cdshooks::Feedback Outcome(const std::string& card, bool accepted, std::int64_t at,
                           const std::string& reason = "", const std::string& display = "") {
  cdshooks::Feedback f;
  f.card = card;
  f.outcome = accepted ? "accepted" : "overridden";
  f.outcome_timestamp = fhir::FormatDateTime(at);
  if (!reason.empty()) f.override_reason = cdshooks::Coding{kReasons, reason, display};
  return f;
}

// Two weeks of cards for four codes with known outcomes, ending yesterday; a reason display with
// markup (it comes from clients), feedback on a card the store never issued, and 70
// neutrophil-count cards dropped (more than the queue holds), so that code's counts are lower
// bounds.
void SeedStore(const std::string& dir) {
  store::FeedbackStore::Options options;
  options.queue_rows = 64;
  auto opened = store::FeedbackStore::Open(dir, true, options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& s = **opened;
  const std::int64_t today = std::time(nullptr) / 86400 * 86400;
  const char* codes[] = {"dose-above-range", "tnf-antagonist", "renal-impairment",
                         "neutrophil-count"};
  const char* reasons[] = {"dose-intended", "specialist-directed", "benefit-outweighs-risk"};
  std::vector<cdshooks::Feedback> feedback;
  for (int day = 14; day >= 1; --day) {
    for (int k = 0; k < 4; ++k) {
      const int n = 3 + (day * (k + 2)) % 5;  // cards of this code that day
      std::vector<store::IssuedCard> cards;
      const std::int64_t at = today - day * 86400 + 3600 * (8 + k);
      for (int i = 0; i < n; ++i) {
        const std::string uuid =
            "seed-" + std::to_string(day) + "-" + codes[k] + "-" + std::to_string(i);
        cards.push_back({uuid, codes[k], k == 1 ? "warning" : "info"});
        // Acceptance drifts by code and day; every fifth card gets no answer.
        const int roll = (day * 7 + i * 3 + k * 5) % 10;
        if (i % 5 == 4) continue;
        const bool accepted = roll < 4 + k + (14 - day) / 4;
        feedback.push_back(Outcome(uuid, accepted, at + 600, accepted ? "" : reasons[roll % 3],
                                   roll % 3 == 0 ? "Dose <b>intended</b> & \"checked\"" : ""));
      }
      ASSERT_TRUE(s.RecordIssued("anakinra-order-sign", std::move(cards), at).ok());
    }
    ASSERT_TRUE(s.Flush().ok());  // the queue never overflows but once, below
  }
  std::vector<store::IssuedCard> lost;
  for (int i = 0; i < 70; ++i)
    lost.push_back({"lost-" + std::to_string(i), "neutrophil-count", ""});
  ASSERT_EQ(s.RecordIssued("anakinra-order-sign", std::move(lost), today - 3 * 86400).code(),
            base::Status::Code::kResourceExhausted);
  ASSERT_TRUE(s.Flush().ok());
  feedback.push_back(Outcome("never-issued-card", false, today - 2 * 86400, "will-arrange"));
  ASSERT_TRUE(s.StoreFeedback("anakinra-order-sign", feedback, today).ok());
  s.Close();
}

// One card issued through the real CDS Hooks port and overridden; one issued and left unanswered.
void PostLiveFeedback(int port) {
  httplib::Client client("127.0.0.1", port);
  auto r = client.Post("/cds-services/anakinra-order-sign", SampleRequest("adult-tnf-antagonist"),
                       "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto answer = ParseJsonOrDie(r->body);
  ASSERT_GT(answer["cards"].Size(), 0u);
  const std::string card = answer["cards"][0]["uuid"].GetString();
  auto fb = client.Post("/cds-services/anakinra-order-sign/feedback",
                        R"({"feedback":[{"card":")" + card +
                            R"(","outcome":"overridden","overrideReason":{"reason":{"system":")" +
                            kReasons +
                            R"(","code":"<i>x</i>","display":"<script>alert(1)</script>"}},)"
                            R"("outcomeTimestamp":")" +
                            fhir::FormatDateTime(std::time(nullptr)) + R"("}]})",
                        "application/json");
  ASSERT_TRUE(fb);
  ASSERT_EQ(fb->status, 200) << fb->body;
  ASSERT_TRUE(client.Post("/cds-services/anakinra-order-sign", SampleRequest("adult-ra-clean"),
                          "application/json"));
}

std::string ReportCli(const std::string& dir, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"feedback-report", "--data-dir", dir, "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  Child cli(Binary(args));
  EXPECT_EQ(cli.Wait(), 0) << cli.Stderr();
  return cli.Stdout();
}

// The text of the cell data-code=CODE data-field=FIELD of the summary table ("" when absent).
std::string CellText(const std::string& html, const std::string& escaped_code,
                     const std::string& field) {
  const std::string open = "data-code=\"" + escaped_code + "\" data-field=\"" + field + "\">";
  const auto at = html.find(open);
  if (at == std::string::npos) return "";
  const auto start = at + open.size();
  return html.substr(start, html.find('<', start) - start);
}

std::string Escaped(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else if (c == '\'')
      out += "&#39;";
    else
      out += c;
  }
  return out;
}

class GovernanceLive : public ::testing::Test {
 protected:
  void Start(const std::vector<std::string>& env = {}) {
    SeedStore(dir_.path);
    if (HasFatalFailure()) return;
    server_ =
        std::make_unique<Child>(Binary({"serve", "--port", "0", "--data-dir", dir_.path}), env);
    port_ = server_->PortAfter("serving ");
    admin_ = server_->PortAfter("governance page on ");
    ASSERT_GT(port_, 0) << server_->Stderr();
    ASSERT_GT(admin_, 0) << server_->Stderr();
    PostLiveFeedback(port_);
    if (HasFatalFailure()) return;
    // The issued-card rows of the live calls are committed by the writer within its interval.
    std::this_thread::sleep_for(200ms);
  }
  void TearDown() override {
    if (!server_) return;
    server_->Signal(SIGTERM);
    EXPECT_EQ(server_->Wait(), 0) << server_->Stderr();
  }

  TempDir dir_{"gov"};
  std::unique_ptr<Child> server_;
  int port_ = -1, admin_ = -1;
};

TEST_F(GovernanceLive, JsonEndpointIsFeedbackReportByteForByteAndThePageShowsItsNumbers) {
  Start();
  httplib::Client admin("127.0.0.1", admin_);
  const std::string since = fhir::FormatDate(std::time(nullptr) - 10 * 86400);
  for (const auto& [query, extra] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"", {}},
           {"?since=" + since, {"--since", since}},
           {"?since=" + since + "&bucket=week", {"--since", since, "--bucket", "week"}}}) {
    auto json = admin.Get("/governance/report.json" + query);
    ASSERT_TRUE(json);
    ASSERT_EQ(json->status, 200) << json->body;
    EXPECT_EQ(json->get_header_value("Content-Type"), "application/json");
    EXPECT_EQ(json->body, ReportCli(dir_.path, extra)) << query;

    auto page = admin.Get("/governance" + query);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->status, 200);
    EXPECT_EQ(page->get_header_value("Content-Security-Policy"),
              "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
    const std::string& html = page->body;
    // Reason displays come from clients: escaped.
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<b>intended"), std::string::npos);
    EXPECT_NE(html.find("Dose &lt;b&gt;intended&lt;/b&gt; &amp; &quot;checked&quot;"),
              std::string::npos);
    auto report = ParseJsonOrDie(json->body);
    ASSERT_GE(report["codes"].Size(), 5u) << json->body;
    int lower_bounds = 0;
    for (const auto& code : report["codes"].GetArray()) {
      const std::string c = Escaped(code["code"].GetString());
      const std::string mark = code["lowerBound"].GetBool() ? "≥" : "";
      for (const char* field : {"issued", "accepted", "overridden", "ignored", "feedbackEntries"})
        EXPECT_EQ(CellText(html, c, field), mark + std::to_string(code[field].GetInt64()))
            << c << " " << field;
      lower_bounds += code["lowerBound"].GetBool() ? 1 : 0;
      EXPECT_NE(html.find("<path class=\"series\" data-code=\"" + c + "\""), std::string::npos);
    }
    EXPECT_EQ(lower_bounds, 1) << query;  // neutrophil-count
    EXPECT_EQ(report["issuedCardsDropped"].GetInt(), 70);
  }
  // The seeded store: 14 days of four codes, plus today's live cards.
  auto all = ParseJsonOrDie(admin.Get("/governance/report.json")->body);
  std::int64_t issued = 0;
  for (const auto& code : all["codes"].GetArray()) issued += code["issued"].GetInt64();
  EXPECT_GT(issued, 4 * 14 * 3);
  EXPECT_NE(admin.Get("/governance?since=2099-01-01")->body.find("No cards issued"),
            std::string::npos);
  EXPECT_EQ(admin.Get("/governance?bucket=month")->status, 400);
  EXPECT_EQ(admin.Get("/governance?since=yesterday")->status, 400);
  EXPECT_EQ(admin.Get("/governance?patient=1")->status, 400);
  // Not on the CDS Hooks port.
  httplib::Client cds("127.0.0.1", port_);
  EXPECT_EQ(cds.Get("/governance")->status, 404);
}

TEST_F(GovernanceLive, AdminTokenIsRequiredWhenSet) {
  Start({std::string("ANAKINRA_ADMIN_TOKEN=") + kToken});
  httplib::Client admin("127.0.0.1", admin_);
  auto none = admin.Get("/governance");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_NE(none->get_header_value("WWW-Authenticate").find("Bearer"), std::string::npos);
  EXPECT_EQ(none->body.find("<table"), std::string::npos);
  EXPECT_EQ(admin.Get("/governance/report.json", {{"Authorization", "Bearer wrong"}})->status, 401);
  EXPECT_EQ(admin
                .Get("/governance/report.json",
                     {{"Authorization", std::string("Bearer ") + kToken + "x"}})
                ->status,
            401);
  auto ok = admin.Get("/governance", {{"Authorization", std::string("Bearer ") + kToken}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_NE(ok->body.find("id=\"summary\""), std::string::npos);
  // The token never reaches the log.
  EXPECT_EQ(server_->Stderr().find(kToken), std::string::npos);
}

TEST(GovernanceConfig, AdminBeyondLoopbackWithoutTokenIsRefused) {
  TempDir dir{"gov"};
  Child refused(
      Binary({"serve", "--port", "0", "--admin-host", "0.0.0.0", "--data-dir", dir.path}));
  EXPECT_EQ(refused.Wait(), 2);
  EXPECT_NE(refused.Stderr().find("\"admin_host\": \"0.0.0.0\" is not a loopback address"),
            std::string::npos)
      << refused.Stderr();
  Child short_token(Binary({"serve", "--port", "0", "--data-dir", dir.path}),
                    {"ANAKINRA_ADMIN_TOKEN=short"});
  EXPECT_EQ(short_token.Wait(), 2);
  EXPECT_NE(short_token.Stderr().find("\"admin_token\": must be at least 16 characters"),
            std::string::npos)
      << short_token.Stderr();
}

TEST(GovernanceConfig, AdminPortFollowsPortAndLoopbackIsRecognised) {
  config::ServerConfig c;
  EXPECT_EQ(config::AdminPort(c), 8081);
  c.port = 0;
  EXPECT_EQ(config::AdminPort(c), 0);  // a free one, as for the main port
  c.admin_port = 9443;
  EXPECT_EQ(config::AdminPort(c), 9443);
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost"})
    EXPECT_TRUE(config::IsLoopbackHost(host)) << host;
  for (const char* host : {"0.0.0.0", "10.0.0.1", "::", "", "128.0.0.1", "localhost.evil"})
    EXPECT_FALSE(config::IsLoopbackHost(host)) << host;
  c = config::ServerConfig{};
  c.admin_host = "0.0.0.0";
  EXPECT_FALSE(config::CheckConfig(c).ok());
  c.admin_token = "0123456789abcdef";
  EXPECT_TRUE(config::CheckConfig(c).ok()) << config::CheckConfig(c).ToString();
  c.port = 65535;
  c.admin_host = "127.0.0.1";
  EXPECT_FALSE(config::CheckConfig(c).ok());  // port + 1 does not exist
}

// Headless Chromium (Debian's chromium, playwright-core from tests/browser). Five codes: the
// four seeded ones (tnf-antagonist also has the live card) and "(unknown card)".
TEST_F(GovernanceLive, HeadlessChromiumShowsTheReportsNumbersAsCharts) {
  const std::string chromium = "/usr/bin/chromium";
  const std::string script = SourcePath("tests/browser/governance.js");
  if (!fs::exists(chromium))
    GTEST_SKIP() << "Chromium is absent (" << chromium << "): run scripts/setup";
  const char* node_env = std::getenv("NODE");
  std::string node = node_env ? node_env : "";
  for (const char* candidate : {"/usr/bin/node", "/usr/local/bin/node"})
    if (node.empty() && fs::exists(candidate)) node = candidate;
  if (node.empty() || !fs::exists(SourcePath("tests/browser/node_modules/playwright-core")))
    GTEST_SKIP() << "node or tests/browser/node_modules (playwright-core) missing: run "
                    "scripts/setup";
  Start();
  const fs::path artifacts = fs::path(ANAKINRA_BINARY).parent_path() / "test-artifacts";
  const std::string shot = (artifacts / "governance.png").string();
  fs::remove(shot);
  const std::string base = "http://127.0.0.1:" + std::to_string(admin_);
  for (const std::string query : {"", "?bucket=week"}) {
    Child browser({node, script, "--page", base + "/governance" + query, "--json",
                   base + "/governance/report.json" + query, "--screenshot",
                   query.empty() ? shot : (artifacts / "governance-week.png").string()});
    EXPECT_EQ(browser.Wait(), 0) << browser.Stdout() << browser.Stderr();
    EXPECT_NE(browser.Stdout().find("checked 5 card codes"), std::string::npos)
        << browser.Stdout() << browser.Stderr();
  }
  EXPECT_GT(fs::file_size(shot), 10000u);
}

}  // namespace
