// Scale-out with the real thing: two replicas of the real binary (`serve --store postgresql://…`)
// on loopback behind HAProxy (round robin, health check /healthz), one real PostgreSQL
// (tests/support/postgres_process.h). Cards issued through the balancer and their feedback sent
// through it give one report that counts each card once; a token replayed to the other replica is
// refused (asserted by that replica's logged reason); PostgreSQL restarted in the middle of a
// burst: the service recovers and every feedback entry answered 200 is in the database. The
// database password never reaches a log.
#include "auth/jwk.h"
#include "support/haproxy_process.h"
#include "support/jwt_support.h"
#include "support/live_server.h"
#include "support/postgres_process.h"
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
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace {

using namespace testing_support;
using namespace std::chrono_literals;

constexpr const char* kHook = "/cds-services/anakinra-order-sign";

std::string Tail(const std::string& log) {
  return log.size() > 3000 ? log.substr(log.size() - 3000) : log;
}

// The real binary as a child process; its stdout and stderr (the JSON log) go to one file.
class Replica {
 public:
  Replica(const std::vector<std::string>& args, const std::string& log) : log_(log) {
    std::vector<std::string> argv_s = {ANAKINRA_BINARY};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    argv.reserve(argv_s.size() + 1);
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(out, 1);
      dup2(out, 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~Replica() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(50ms);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::string Log() const { return ReadFile(log_); }

 private:
  std::string log_;
  pid_t pid_ = -1;
};

// Two replicas on one database behind HAProxy; JWT authentication on (ES384 issuer).
class ScaleOut : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!PostgresProcess::Available(why)) GTEST_SKIP() << why;
    if (!HaproxyProcess::Available(why)) GTEST_SKIP() << why;
    key_ = Generate("P-384");
    std::ofstream(dir_.path + "/client.jwks")
        << R"({"keys":[)" << auth::PublicJwkJson(key_.get(), "es384", "ES384") << "]}";
    pg_ = std::make_unique<PostgresProcess>();
    url_ = pg_->CreateDatabase("scaleout");
    for (int i = 0; i < 2; ++i) {
      ports_.push_back(FreePort());
      replicas_.push_back(std::make_unique<Replica>(
          std::vector<std::string>{
              "serve", "--port", std::to_string(ports_[i]), "--store", url_, "--data-dir",
              dir_.path + "/data" + std::to_string(i), "--trusted-issuer",
              std::string(kIss) + "=" + dir_.path + "/client.jwks", "--public-url", kPublicUrl},
          dir_.path + "/replica" + std::to_string(i) + ".log"));
    }
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(WaitHealthy(ports_[i])) << replicas_[i]->Log();
    lb_ = std::make_unique<HaproxyProcess>(ports_);
  }

  void TearDown() override {
    lb_.reset();
    replicas_.clear();
    pg_.reset();
  }

  std::string Token(const std::string& path) {
    TokenSpec t;
    t.path = path;
    return SignedToken(key_.get(), t);
  }

  static httplib::Result Post(int port, const std::string& path, const std::string& body,
                              const std::string& token) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(20, 0);
    c.set_connection_timeout(5, 0);
    return c.Post(path.c_str(), {{"Authorization", "Bearer " + token}}, body, "application/json");
  }

  // The report of every replica, as `feedback-report --store URL --format json` prints it.
  rapidjson::Document Report() {
    const std::string out = dir_.path + "/report.json";
    const std::string cmd = std::string(ANAKINRA_BINARY) + " feedback-report --store '" + url_ +
                            "' --format json > " + out + " 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << ReadFile(out);
    return ParseJsonOrDie(ReadFile(out));
  }

  TempDir dir_;
  Key key_;
  std::unique_ptr<PostgresProcess> pg_;
  std::string url_;
  std::vector<int> ports_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  std::unique_ptr<HaproxyProcess> lb_;
};

TEST_F(ScaleOut, OneReportAndOneReplaySetForTwoReplicasBehindHaproxy) {
  static const char* kSamples[] = {"adult-unimmunised", "child-dose-above-maximum",
                                   "reverse-tnf-antagonist", "adult-tnf-antagonist"};
  std::map<std::string, int> cards_per_code;
  std::vector<std::string> cards;
  for (int i = 0; i < 40; ++i) {
    auto r = Post(lb_->port(), kHook, SampleRequest(kSamples[i % 4]), Token(kHook));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto doc = ParseJsonOrDie(r->body);
    for (const auto& c : doc["cards"].GetArray()) {
      cards.push_back(c["uuid"].GetString());
      ++cards_per_code[c["source"]["topic"]["code"].GetString()];
    }
  }
  ASSERT_GT(cards.size(), 40u);
  const std::string feedback_path = std::string(kHook) + "/feedback";
  for (std::size_t i = 0; i < cards.size(); ++i) {
    const std::string body =
        R"({"feedback":[{"card":")" + cards[i] +
        R"(","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})";
    auto f = Post(lb_->port(), feedback_path, body, Token(feedback_path));
    ASSERT_TRUE(f);
    ASSERT_EQ(f->status, 200) << f->body << body;
  }
  // Round robin: both replicas served hook calls and feedback.
  for (const auto& r : replicas_) {
    const std::string log = r->Log();
    EXPECT_NE(log.find(R"("route":"/cds-services/{id}","status":200)"), std::string::npos) << log;
    EXPECT_NE(log.find(R"("route":"/cds-services/{id}/feedback","status":200)"), std::string::npos);
  }
  // One report: every card once, joined to its feedback whichever replica issued it.
  rapidjson::Document report;
  for (int attempt = 0; attempt < 50; ++attempt) {  // issued rows commit within a batch interval
    report = Report();
    std::int64_t issued = 0;
    for (const auto& c : report["codes"].GetArray()) issued += c["issued"].GetInt64();
    if (issued == static_cast<std::int64_t>(cards.size())) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(report.HasMember("codes"));
  std::map<std::string, int> reported;
  for (const auto& c : report["codes"].GetArray()) {
    const std::string code = c["code"].GetString();
    EXPECT_NE(code, "(unknown card)");
    EXPECT_EQ(c["issued"].GetInt64(), c["overridden"].GetInt64()) << code;
    EXPECT_EQ(c["feedbackEntries"].GetInt64(), c["overridden"].GetInt64()) << code;
    reported[code] = static_cast<int>(c["issued"].GetInt64());
  }
  EXPECT_EQ(reported, cards_per_code);

  // One replay set: a token let in by replica 0 is refused by replica 1, for that reason.
  const std::string token = Token(kHook);
  auto first = Post(ports_[0], kHook, SampleRequest("adult-tnf-antagonist"), token);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  auto again = Post(ports_[1], kHook, SampleRequest("adult-tnf-antagonist"), token);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 401);
  std::string log1;
  for (int i = 0; i < 50 && log1.find("replayed jti") == std::string::npos; ++i) {
    std::this_thread::sleep_for(20ms);
    log1 = replicas_[1]->Log();
  }
  EXPECT_NE(log1.find("unauthorized: replayed jti"), std::string::npos) << log1;
  for (const auto& r : replicas_) {
    const std::string log = r->Log();
    EXPECT_EQ(log.find(pg_->password()), std::string::npos);
    EXPECT_NE(log.find("postgresql://anakinra:***@127.0.0.1"), std::string::npos);
  }
}

TEST_F(ScaleOut, PostgresRestartInTheMiddleOfABurstLosesNothingAnswered200) {
  const std::string feedback_path = std::string(kHook) + "/feedback";
  std::mutex mutex;
  std::set<std::string> acked;
  std::map<int, int> statuses;
  std::atomic<bool> restarted{false};
  std::atomic<int> acked_after_restart{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i) {
        const std::string card = "burst-" + std::to_string(t) + "-" + std::to_string(i);
        const std::string body =
            R"({"feedback":[{"card":")" + card +
            R"(","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})";
        const bool after = restarted.load();
        auto f = Post(lb_->port(), feedback_path, body, Token(feedback_path));
        std::lock_guard<std::mutex> lock(mutex);
        ++statuses[f ? f->status : -1];
        if (f && f->status == 200) {
          acked.insert(card);
          if (after) ++acked_after_restart;
        }
        std::this_thread::sleep_for(10ms);
      }
    });
  }
  std::this_thread::sleep_for(300ms);
  pg_->Restart();
  restarted = true;
  for (auto& th : threads) th.join();
  // The service recovers: feedback through the balancer is stored again.
  bool recovered = false;
  for (int i = 0; i < 100 && !recovered; ++i) {
    const std::string body =
        R"({"feedback":[{"card":"after-restart","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})";
    auto f = Post(lb_->port(), feedback_path, body, Token(feedback_path));
    recovered = f && f->status == 200;
    if (!recovered) std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(recovered) << Tail(replicas_[0]->Log()) << Tail(replicas_[1]->Log());
  EXPECT_GT(acked_after_restart.load(), 0);
  // Only 200, 401 (replay check unavailable: fail closed) or 503 (feedback not stored).
  for (const auto& [status, n] : statuses)
    EXPECT_TRUE(status == 200 || status == 401 || status == 503) << status << " x" << n;
  std::set<std::string> stored;
  for (const auto& row : pg_->Query("scaleout", "SELECT card FROM feedback")) stored.insert(row[0]);
  for (const auto& card : acked) EXPECT_TRUE(stored.count(card)) << card << " answered 200, lost";
  std::printf("burst: %zu acknowledged of 240; statuses:", acked.size());
  for (const auto& [status, n] : statuses) std::printf(" %d x%d", status, n);
  std::printf("\n");
  std::string logs;
  for (const auto& r : replicas_) logs += r->Log();
  EXPECT_EQ(logs.find(pg_->password()), std::string::npos);
  // A 401 here is the replay check failing closed while the database was down, never a replay.
  if (statuses.count(401) > 0) {
    EXPECT_NE(logs.find("unauthorized: replay check unavailable"), std::string::npos);
    EXPECT_EQ(logs.find("unauthorized: replayed jti"), std::string::npos);
  }
}

}  // namespace

namespace {

// `config check` shows the store URL with its password as ***; a URL it refuses is not echoed.
TEST(StoreUrlSecret, ConfigCheckNeverPrintsThePassword) {
  TempDir dir;
  const std::string file = dir.path + "/config.json";
  const std::string out = dir.path + "/out";
  std::ofstream(file) << R"({"store_url": "postgresql://cds:s3cr3t-pw@db.example.org:5432/cds"})";
  const std::string check =
      std::string(ANAKINRA_BINARY) + " config check " + file + " > " + out + " 2>&1";
  EXPECT_EQ(std::system(check.c_str()), 0) << ReadFile(out);
  std::string text = ReadFile(out);
  EXPECT_NE(text.find("postgresql://cds:***@db.example.org:5432/cds"), std::string::npos) << text;
  EXPECT_EQ(text.find("s3cr3t-pw"), std::string::npos) << text;
  std::ofstream(file) << R"({"store_url": "mysql://cds:s3cr3t-pw@db.example.org/cds"})";
  EXPECT_NE(std::system(check.c_str()), 0);
  text = ReadFile(out);
  EXPECT_NE(text.find("store_url"), std::string::npos) << text;
  EXPECT_EQ(text.find("s3cr3t-pw"), std::string::npos) << text;
}

}  // namespace
