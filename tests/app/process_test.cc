// The real binary as a process: graceful shutdown on SIGTERM/SIGINT, configuration precedence,
// `config check`, logs free of tokens and patient identifiers, and a feedback store that keeps
// every acknowledged entry through kill -9.
#include "support/child_process.h"
#include "support/live_server.h"
#include "support/raw_socket.h"
#include "support/temp_dir.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <thread>

extern char** environ;

namespace {

using namespace testing_support;
using namespace std::chrono_literals;

// The real binary as a child process.
class Child : public ChildProcess {
 public:
  Child(const std::vector<std::string>& args, const std::vector<std::string>& env = {})
      : ChildProcess(WithBinary(args), env) {}
  // The port from the startup line "serving http://HOST:PORT/cds-services".
  int Port() { return PortAfter("serving "); }

 private:
  static std::vector<std::string> WithBinary(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {ANAKINRA_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
};

// Runs a command to completion; returns (exit code, stdout, stderr).
std::tuple<int, std::string, std::string> RunBinary(const std::vector<std::string>& args,
                                                    const std::vector<std::string>& env = {}) {
  Child c(args, env);
  const int code = c.Wait();
  return {code, c.Stdout(), c.Stderr()};
}

std::vector<std::string> ServeArgs(const std::string& data_dir,
                                   std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"serve", "--port", "0", "--data-dir", data_dir};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(Process, SigtermFinishesTheRequestInFlightAndExitsZero) {
  TempDir dir;
  Child server(ServeArgs(dir.path));
  const int port = server.Port();
  ASSERT_GT(port, 0) << server.Stderr();

  // A request whose body arrives slowly: headers and half the body now, the rest after SIGTERM.
  const std::string body = SampleRequest("adult-tnf-antagonist");
  const int fd = ConnectLoopback(port);
  ASSERT_GE(fd, 0);
  SendAll(fd,
          "POST /cds-services/anakinra-order-sign HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, body.size() / 2));
  // A later connection answered means the slow one (earlier in the backlog) was accepted.
  ASSERT_TRUE(WaitHealthy(port));

  server.Signal(SIGTERM);
  ASSERT_TRUE(server.WaitForStderr("SIGTERM received")) << server.Stderr();
  // New connections are refused once the listening socket is closed.
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    const int other = ConnectLoopback(port);
    refused = other < 0;
    if (other >= 0) close(other);
    if (!refused) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(refused);

  SendAll(fd, body.substr(body.size() / 2));
  const std::string response = ReadUntil(fd, 30);  // Connection: close: until it closes
  close(fd);
  EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0u) << response;
  EXPECT_NE(response.find("tnf-antagonist"), std::string::npos);

  EXPECT_EQ(server.Wait(), 0) << server.Stderr();
  EXPECT_NE(server.Stderr().find("feedback store closed"), std::string::npos);
  // Closed cleanly: the WAL was checkpointed into the database and removed.
  EXPECT_FALSE(std::filesystem::exists(dir.path + "/feedback.sqlite3-wal"));
}

TEST(Process, SigintStopsToo) {
  TempDir dir;
  Child server(ServeArgs(dir.path));
  ASSERT_GT(server.Port(), 0) << server.Stderr();
  server.Signal(SIGINT);
  EXPECT_EQ(server.Wait(), 0) << server.Stderr();
  EXPECT_NE(server.Stderr().find("SIGINT received"), std::string::npos);
}

TEST(Process, LogsCarryNoTokensNoPatientIdsNoComments) {
  TempDir dir;
  Child server(ServeArgs(dir.path, {"--log-level", "debug"}));
  const int port = server.Port();
  ASSERT_GT(port, 0) << server.Stderr();
  const std::string patient = "ak-adult-tnf-antagonist-pt";
  auto doc = ParseJsonOrDie(SampleRequest("adult-tnf-antagonist"));
  ASSERT_NE(base::ToString(doc).find(patient), std::string::npos);
  auto& a = doc.GetAllocator();
  doc.AddMember("fhirServer", "http://127.0.0.1:9/fhir", a);
  rapidjson::Value auth(rapidjson::kObjectType);
  auth.AddMember("access_token", "SECRET-ACCESS-TOKEN-456", a);
  auth.AddMember("token_type", "Bearer", a);
  auth.AddMember("expires_in", 300, a);
  auth.AddMember("scope", "patient/*.read", a);
  auth.AddMember("subject", "cds-service", a);
  doc.AddMember("fhirAuthorization", auth, a);

  httplib::Client client("127.0.0.1", port);
  const httplib::Headers headers = {{"Authorization", "Bearer eyJ.SECRET-BEARER-123.sig"}};
  auto r = client.Post("/cds-services/anakinra-order-sign", headers, base::ToString(doc),
                       "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto answer = ParseJsonOrDie(r->body);
  ASSERT_GT(answer["cards"].Size(), 0u) << r->body;
  const std::string card = answer["cards"][0]["uuid"].GetString();
  const std::string code = answer["cards"][0]["source"]["topic"]["code"].GetString();
  // Errors too: an unknown service named like the patient, an invalid body quoting the patient.
  client.Post("/cds-services/" + patient, headers, "{}", "application/json");
  client.Post("/cds-services/anakinra-order-sign", headers, R"({"hook":")" + patient + R"("})",
              "application/json");
  // Feedback on the card, on a card never issued here, and an invalid entry quoting the patient.
  const std::string never = "0b5c2a5e-0000-4000-8000-00000000dead";
  auto fb = client.Post(
      "/cds-services/anakinra-order-sign/feedback", headers,
      R"({"feedback":[{"card":")" + card +
          R"(","outcome":"overridden","overrideReason":{"userComment":"COMMENT-PHI-789 )" +
          patient + R"("},"outcomeTimestamp":"2026-11-24T10:00:00Z"},{"card":")" + never +
          R"(","outcome":"accepted","acceptedSuggestions":[{"id":"s"}],"outcomeTimestamp":"2026-11-24T10:00:00Z"},{"card":")" +
          patient + R"(","outcome":")" + patient + R"("}]})",
      "application/json");
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->status, 200) << fb->body;
  EXPECT_NE(fb->body.find("Stored 2 of 3"), std::string::npos) << fb->body;
  server.Signal(SIGTERM);
  ASSERT_EQ(server.Wait(), 0);

  const std::string log = server.Stderr();
  for (const char* secret :
       {"SECRET-BEARER-123", "SECRET-ACCESS-TOKEN-456", "COMMENT-PHI-789", "eyJ"})
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << "\n" << log;
  EXPECT_EQ(log.find(patient), std::string::npos) << log;
  // One JSON line per request, with what operators need.
  EXPECT_NE(log.find(R"("route":"/cds-services/{id}","status":200)"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("cards":["tnf-antagonist")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("hookInstance":")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("route":"/cds-services/{id}/feedback","status":200)"), std::string::npos)
      << log;
  // The feedback line: each stored entry's card code ("unknown": never issued here) and outcome,
  // the refused entry by its expressions; never a card uuid or the comment.
  EXPECT_NE(log.find(R"("feedback":[{"card":")" + code +
                     R"(","outcome":"overridden"},{"card":"unknown","outcome":"accepted"}])"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("feedback[2].outcomeTimestamp"), std::string::npos) << log;
  EXPECT_EQ(log.find(card), std::string::npos) << log;
  EXPECT_EQ(log.find(never), std::string::npos) << log;
}

// store_user_comments = 1: the comment's text is in the store, as sent, and still in no log line
// and not in the feedback report.
TEST(Process, StoredUserCommentsStayOutOfLogsAndTheReport) {
  TempDir dir;
  Child server(ServeArgs(dir.path, {"--log-level", "debug"}), {"ANAKINRA_STORE_USER_COMMENTS=1"});
  const int port = server.Port();
  ASSERT_GT(port, 0) << server.Stderr();
  httplib::Client client("127.0.0.1", port);
  auto r = client.Post("/cds-services/anakinra-order-sign", SampleRequest("adult-tnf-antagonist"),
                       "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto answer = ParseJsonOrDie(r->body);
  ASSERT_GT(answer["cards"].Size(), 0u) << r->body;
  const std::string card = answer["cards"][0]["uuid"].GetString();
  auto fb = client.Post(
      "/cds-services/anakinra-order-sign/feedback",
      R"({"feedback":[{"card":")" + card +
          R"(","outcome":"overridden","overrideReason":{"userComment":"KEPT-COMMENT-<b>&amp;</b>"},"outcomeTimestamp":"2026-11-24T10:00:00Z"}]})",
      "application/json");
  ASSERT_TRUE(fb);
  ASSERT_EQ(fb->status, 200) << fb->body;
  server.Signal(SIGTERM);
  ASSERT_EQ(server.Wait(), 0);
  EXPECT_EQ(server.Stderr().find("KEPT-COMMENT"), std::string::npos) << server.Stderr();
  std::ifstream in(dir.path + "/feedback.sqlite3", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(bytes.find("KEPT-COMMENT-<b>&amp;</b>"), std::string::npos);  // as sent, unescaped
  for (const char* format : {"text", "json"}) {
    auto [code, out, err] =
        RunBinary({"feedback-report", "--data-dir", dir.path, "--format", format});
    EXPECT_EQ(code, 0) << err;
    EXPECT_NE(out.find("tnf-antagonist"), std::string::npos) << out;
    EXPECT_EQ(out.find("KEPT-COMMENT"), std::string::npos) << out;
  }
}

TEST(Process, ConfigPrecedenceFlagsOverEnvOverFile) {
  TempDir dir;
  const int file_port = FreePort();
  const std::string file = dir.path + "/config.json";
  std::ofstream(file) << R"({"port": )" << file_port << R"(, "log_level": "error", "data_dir": ")"
                      << dir.path << R"("})";
  // Runs the server, asks for a missing path (a warn-level line), stops it; returns the log.
  auto run = [&](const std::vector<std::string>& args, const std::vector<std::string>& env,
                 int port) {
    Child server(args, env);
    EXPECT_TRUE(WaitHealthy(port)) << server.Stderr();
    httplib::Client("127.0.0.1", port).Get("/nothing-here");
    server.Signal(SIGTERM);
    EXPECT_EQ(server.Wait(), 0);
    return server.Stderr();
  };
  // File only: port and level from the file; a warn line is below "error".
  std::string log = run({"serve", "--config", file}, {}, file_port);
  EXPECT_EQ(log.find(R"("status":404)"), std::string::npos) << log;
  // Environment over the file.
  const int env_port = FreePort();
  log = run({"serve", "--config", file},
            {"ANAKINRA_PORT=" + std::to_string(env_port), "ANAKINRA_LOG_LEVEL=warn"}, env_port);
  EXPECT_NE(log.find(R"("status":404)"), std::string::npos) << log;
  // The info lines (startup among them) are below warn; a startup warning (the default admin
  // port taken by another test) may still appear, which is right.
  EXPECT_EQ(log.find(R"("level":"info")"), std::string::npos) << log;
  // Flags over both; the file also comes from ANAKINRA_CONFIG.
  const int flag_port = FreePort();
  log = run({"serve", "--port", std::to_string(flag_port), "--log-level", "info"},
            {"ANAKINRA_CONFIG=" + file, "ANAKINRA_PORT=" + std::to_string(env_port),
             "ANAKINRA_LOG_LEVEL=warn"},
            flag_port);
  EXPECT_NE(log.find(R"("event":"startup")"), std::string::npos) << log;
  EXPECT_NE(log.find(":" + std::to_string(flag_port) + "/cds-services"), std::string::npos) << log;
}

// Each order service must define the six prefetch keys the rules read: checked at load, the
// service and key named, never a 412 for ever at request time.
TEST(Process, ServiceWithoutAKeyTheRulesReadIsRefusedAtLoad) {
  TempDir dir;
  std::filesystem::copy(SourcePath("hooks"), dir.path + "/hooks",
                        std::filesystem::copy_options::recursive);
  const std::string services = dir.path + "/hooks/services.json";
  std::string text = ReadFile(services);
  const std::string key =
      R"("immunizations": "Immunization?patient={{context.patientId}}&status=completed&_count=100",)";
  const auto at = text.find(key);
  ASSERT_NE(at, std::string::npos);
  text.erase(at, key.size());
  std::ofstream(services) << text;
  auto [code, out, err] = RunBinary(
      {"--hooks", dir.path + "/hooks", "evaluate", SourcePath("fhir-samples/adult-ra-clean.json")});
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(err.find("has no prefetch template for \"immunizations\""), std::string::npos) << err;
}

TEST(Process, BadConfigurationStopsServeWithTheKeyNamed) {
  TempDir dir;
  const std::string file = dir.path + "/bad.json";
  std::ofstream(file) << R"({"port": "8080", "log_levle": "info"})";
  auto [code, out, err] = RunBinary({"serve", "--config", file});
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("\"port\": must be an integer"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean \"log_level\""), std::string::npos) << err;
  std::tie(code, out, err) =
      RunBinary({"serve", "--data-dir", dir.path}, {"ANAKINRA_MAX_BODY_BYTES=lots"});
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("ANAKINRA_MAX_BODY_BYTES"), std::string::npos) << err;
}

TEST(Process, ConfigCheckExplainsEachMistake) {
  TempDir dir;
  const std::string good = dir.path + "/good.json";
  std::ofstream(good)
      << R"({"host": "0.0.0.0", "port": 9000, "allowed_origins": ["https://ehr.example"]})";
  auto [code, out, err] = RunBinary({"config", "check", good});
  EXPECT_EQ(code, 0) << err;
  EXPECT_NE(out.find("port = 9000"), std::string::npos) << out;
  const std::string bad = dir.path + "/bad.json";
  std::ofstream(bad) << R"({"port": 70000, "threads": "8", "tls_cert": "x.pem"})";
  std::tie(code, out, err) = RunBinary({"config", "check", bad});
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("\"port\": must be an integer from 0 to 65535, got 70000"), std::string::npos)
      << err;
  EXPECT_NE(err.find("\"threads\": must be an integer from 0 to 256, got a string"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("\"tls_cert\": unknown setting (did you mean \"tls_cert_file\"?)"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("3 mistakes"), std::string::npos) << err;
}

// What the load client saw, per card code.
struct Seen {
  std::mutex mutex;
  std::map<std::string, int> received_cards;  // code -> cards received
  std::map<std::string, std::set<std::string>> sent_accepted, sent_overridden;    // code -> cards
  std::map<std::string, std::set<std::string>> acked_accepted, acked_overridden;  // got 200
  std::map<std::string, std::string> bodies;  // card -> feedback body (to resend)
  std::map<std::string, std::string> code_of;
  std::atomic<int> acked{0};
};

// Hook calls and feedback (each entry sent twice) until a request fails or `max` rounds.
void Load(int port, int seed, Seen& seen, int max) {
  static const char* kSamples[] = {"adult-tnf-antagonist", "adult-dose-above-range",
                                   "adult-unimmunised", "adult-live-vaccine-draft",
                                   "adult-renal-impairment"};
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(5, 0);
  for (int i = 0; i < max; ++i) {
    auto r = client.Post("/cds-services/anakinra-order-sign",
                         SampleRequest(kSamples[(i + seed) % 5]), "application/json");
    if (!r || r->status != 200) return;
    auto doc = ParseJsonOrDie(r->body);
    int n = 0;
    for (const auto& c : doc["cards"].GetArray()) {
      const std::string uuid = c["uuid"].GetString(),
                        code = c["source"]["topic"]["code"].GetString();
      const bool accept = (n++ + i + seed) % 3 == 0;
      std::string suggestion = "none";
      if (c.HasMember("suggestions") && c["suggestions"].Size() > 0 &&
          c["suggestions"][0].HasMember("uuid"))
        suggestion = c["suggestions"][0]["uuid"].GetString();
      const std::string body =
          R"({"feedback":[{"card":")" + uuid + R"(","outcome":")" +
          (accept ? "accepted" : "overridden") + "\"" +
          (accept
               ? R"(,"acceptedSuggestions":[{"id":")" + suggestion + "\"}]"
               : std::string(
                     R"(,"overrideReason":{"reason":{"system":"http://example.org/r","code":"r)") +
                     std::to_string(n % 2) + "\"}}") +
          R"(,"outcomeTimestamp":"2026-11-24T10:00:00Z"}]})";
      {
        std::lock_guard<std::mutex> lock(seen.mutex);
        ++seen.received_cards[code];
        seen.code_of[uuid] = code;
        seen.bodies[uuid] = body;
        (accept ? seen.sent_accepted : seen.sent_overridden)[code].insert(uuid);
      }
      for (int twice = 0; twice < 2; ++twice) {
        auto f =
            client.Post("/cds-services/anakinra-order-sign/feedback", body, "application/json");
        if (!f) return;
        if (f->status != 200) ADD_FAILURE() << f->body;
        std::lock_guard<std::mutex> lock(seen.mutex);
        (accept ? seen.acked_accepted : seen.acked_overridden)[code].insert(uuid);
        ++seen.acked;
      }
    }
  }
}

std::map<std::string, const rapidjson::Value*> ByCode(const rapidjson::Document& report) {
  std::map<std::string, const rapidjson::Value*> out;
  for (const auto& c : report["codes"].GetArray()) out[c["code"].GetString()] = &c;
  return out;
}

rapidjson::Document Report(const std::string& data_dir) {
  auto [code, out, err] =
      RunBinary({"feedback-report", "--data-dir", data_dir, "--format", "json"});
  EXPECT_EQ(code, 0) << err;
  return ParseJsonOrDie(out);
}

void ExpectRateConsistent(const rapidjson::Value& row) {
  const double accepted = row["accepted"].GetDouble(), overridden = row["overridden"].GetDouble();
  if (accepted + overridden == 0) {
    EXPECT_TRUE(row["acceptanceRate"].IsNull());
  } else {
    EXPECT_DOUBLE_EQ(row["acceptanceRate"].GetDouble(), accepted / (accepted + overridden));
  }
}

TEST(Process, AcknowledgedFeedbackSurvivesKillDashNine) {
  TempDir dir;
  Seen seen;
  // Warn level hides the startup line (and its port): a fixed free port instead.
  const int port = FreePort();
  Child first(
      {"serve", "--port", std::to_string(port), "--data-dir", dir.path, "--log-level", "warn"});
  ASSERT_TRUE(WaitHealthy(port)) << first.Stderr();
  std::vector<std::thread> loaders;
  for (int t = 0; t < 2; ++t) loaders.emplace_back([&, t] { Load(port, t, seen, 2000); });
  for (int i = 0; i < 1000 && seen.acked.load() < 150; ++i) std::this_thread::sleep_for(10ms);
  first.Signal(SIGKILL);  // mid-load
  for (auto& t : loaders) t.join();
  EXPECT_EQ(first.Wait(), 128 + SIGKILL);
  ASSERT_GE(seen.acked.load(), 150);

  // Restarted on the same data dir; the report reads while it serves.
  Child second(
      {"serve", "--port", std::to_string(port), "--data-dir", dir.path, "--log-level", "warn"});
  ASSERT_TRUE(WaitHealthy(port)) << second.Stderr();
  {
    auto report = Report(dir.path);
    auto rows = ByCode(report);
    ASSERT_FALSE(seen.received_cards.empty());
    for (const auto& [code, received] : seen.received_cards) {
      const auto acked_a = static_cast<int>(seen.acked_accepted[code].size());
      const auto acked_o = static_cast<int>(seen.acked_overridden[code].size());
      if (acked_a + acked_o == 0) continue;  // issued rows are analytics: may die with the kill
      ASSERT_TRUE(rows.count(code)) << code;
      const auto& row = *rows[code];
      // A card whose feedback was acknowledged is on disk with it (docs/operations.md).
      EXPECT_GE(row["issued"].GetInt(), acked_a + acked_o) << code;
      EXPECT_GE(row["accepted"].GetInt(), acked_a) << code;  // every acknowledged entry is counted
      EXPECT_GE(row["overridden"].GetInt(), acked_o) << code;
      EXPECT_LE(row["accepted"].GetInt(), static_cast<int>(seen.sent_accepted[code].size()))
          << code;
      EXPECT_LE(row["overridden"].GetInt(), static_cast<int>(seen.sent_overridden[code].size()))
          << code;
      // Each entry was sent twice and is stored once.
      EXPECT_LE(
          row["feedbackEntries"].GetInt(),
          static_cast<int>(seen.sent_accepted[code].size() + seen.sent_overridden[code].size()))
          << code;
      ExpectRateConsistent(row);
    }
  }
  // Every entry sent (acknowledged or not), once more; then a clean restart.
  {
    httplib::Client client("127.0.0.1", port);
    for (const auto& [card, body] : seen.bodies) {
      auto f = client.Post("/cds-services/anakinra-order-sign/feedback", body, "application/json");
      ASSERT_TRUE(f);
      ASSERT_EQ(f->status, 200);
    }
  }
  second.Signal(SIGTERM);
  ASSERT_EQ(second.Wait(), 0) << second.Stderr();
  Child third(
      {"serve", "--port", std::to_string(port), "--data-dir", dir.path, "--log-level", "warn"});
  ASSERT_TRUE(WaitHealthy(port)) << third.Stderr();
  auto report = Report(dir.path);
  auto rows = ByCode(report);
  // Every entry is stored now. An entry whose card's issued row died with the kill (the row was
  // still queued, its feedback not yet acknowledged) counts under "(unknown card)".
  int total_accepted = 0, total_overridden = 0, sent_total = 0, acked_total = 0;
  for (const auto& [code, received] : seen.received_cards) {
    const int accepted = static_cast<int>(seen.sent_accepted[code].size());
    const int overridden = static_cast<int>(seen.sent_overridden[code].size());
    const int acked_a = static_cast<int>(seen.acked_accepted[code].size());
    const int acked_o = static_cast<int>(seen.acked_overridden[code].size());
    sent_total += accepted + overridden;
    acked_total += acked_a + acked_o;
    if (!rows.count(code)) continue;
    const auto& row = *rows[code];
    EXPECT_GE(row["issued"].GetInt(), acked_a + acked_o) << code;
    EXPECT_GE(row["accepted"].GetInt(), acked_a) << code;
    EXPECT_LE(row["accepted"].GetInt(), accepted) << code;
    EXPECT_GE(row["overridden"].GetInt(), acked_o) << code;
    EXPECT_LE(row["overridden"].GetInt(), overridden) << code;
    EXPECT_EQ(row["feedbackEntries"].GetInt(),
              row["accepted"].GetInt() + row["overridden"].GetInt())
        << code;
    total_accepted += row["accepted"].GetInt();
    total_overridden += row["overridden"].GetInt();
    ExpectRateConsistent(row);
  }
  int unknown = 0;
  if (rows.count("(unknown card)"))
    unknown = (*rows["(unknown card)"])["accepted"].GetInt() +
              (*rows["(unknown card)"])["overridden"].GetInt();
  EXPECT_EQ(total_accepted + total_overridden + unknown, sent_total);
  EXPECT_LE(unknown, sent_total - acked_total);
  third.Signal(SIGTERM);
  EXPECT_EQ(third.Wait(), 0);
}

TEST(Process, FeedbackReportText) {
  TempDir dir;
  auto [code, out, err] = RunBinary({"feedback-report", "--data-dir", dir.path});
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("no feedback store"), std::string::npos) << err;
  std::tie(code, out, err) =
      RunBinary({"feedback-report", "--data-dir", dir.path, "--since", "yesterday"});
  EXPECT_EQ(code, 2);
}

}  // namespace
