// The feedback store under the real binary: SIGKILL in the middle of a burst of card-issuing and
// feedback requests from several threads leaves a file that opens cleanly (integrity_check ok)
// and holds every feedback entry that was answered 200, with the issued card it is about; and
// `feedback-report` marks the counts that depend on dropped issued-card rows as lower bounds.
#include "auth/jwk.h"
#include "store/feedback_store.h"
#include "support/child_process.h"
#include "support/jwt_support.h"
#include "support/live_server.h"
#include "support/raw_socket.h"
#include "support/temp_dir.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

namespace {

using namespace testing_support;
using namespace std::chrono_literals;

// The real binary as a child process, `limits` set in it (RLIMIT_FSIZE, RLIMIT_NOFILE, ...).
class Server : public ChildProcess {
 public:
  explicit Server(std::vector<std::string> args, const std::vector<ResourceLimit>& limits = {})
      : ChildProcess(WithBinary(std::move(args)), {}, limits) {}

 private:
  static std::vector<std::string> WithBinary(std::vector<std::string> args) {
    args.insert(args.begin(), ANAKINRA_BINARY);
    return args;
  }
};

// `serve` on `port` with its data in `data`, logging warnings and errors; then `extra`.
std::vector<std::string> ServeArgs(int port, const std::string& data,
                                   const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {
      "serve", "--port", std::to_string(port), "--data-dir", data, "--log-level", "warn"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

struct Acked {
  std::mutex mutex;
  std::set<std::pair<std::string, std::string>> entries;  // (card, outcome) answered 200
  std::atomic<int> count{0};
  std::atomic<int> cards{0};
};

// Card-issuing calls, each card followed by its feedback, until a request fails.
void Burst(int port, int seed, Acked& acked) {
  static const char* kSamples[] = {"adult-unimmunised", "child-dose-above-maximum",
                                   "reverse-tnf-antagonist", "adult-tnf-antagonist"};
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(5, 0);
  for (int i = 0; i < 100000; ++i) {
    auto r = client.Post("/cds-services/anakinra-order-sign",
                         SampleRequest(kSamples[(i + seed) % 4]), "application/json");
    if (!r || r->status != 200) return;
    auto doc = ParseJsonOrDie(r->body);
    int n = 0;
    for (const auto& c : doc["cards"].GetArray()) {
      ++acked.cards;
      // Feedback for every other card: the rest are issued rows only.
      if ((n++ + i) % 2 != 0) continue;
      const std::string uuid = c["uuid"].GetString();
      const std::string outcome = (i + seed) % 3 == 0 ? "accepted" : "overridden";
      const std::string body = R"({"feedback":[{"card":")" + uuid + R"(","outcome":")" + outcome +
                               R"(","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})";
      auto f = client.Post("/cds-services/anakinra-order-sign/feedback", body, "application/json");
      if (!f) return;
      if (f->status != 200) continue;  // not acknowledged: nothing promised
      std::lock_guard<std::mutex> lock(acked.mutex);
      acked.entries.insert({uuid, outcome});
      ++acked.count;
    }
  }
}

std::int64_t Count(sqlite3* db, const std::string& sql,
                   const std::vector<std::string>& params = {}) {
  sqlite3_stmt* s = nullptr;
  std::int64_t n = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return -1;
  for (std::size_t i = 0; i < params.size(); ++i)
    sqlite3_bind_text(s, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s) == SQLITE_ROW) n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

TEST(StoreKill, SigkillDuringABurstKeepsEveryAcknowledgedFeedbackRow) {
  TempDir dir;
  const int port = FreePort();
  Server server(ServeArgs(port, dir.path));
  ASSERT_TRUE(WaitHealthy(port)) << server.Stderr();
  Acked acked;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&, t] { Burst(port, t, acked); });
  for (int i = 0; i < 2000 && acked.count.load() < 300; ++i) std::this_thread::sleep_for(10ms);
  server.Signal(SIGKILL);  // mid-burst: requests in flight on every thread
  for (auto& t : threads) t.join();
  EXPECT_EQ(server.Wait(), 128 + SIGKILL);
  ASSERT_GE(acked.count.load(), 300) << server.Stderr();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir.path + "/feedback.sqlite3").c_str(), &db, SQLITE_OPEN_READWRITE,
                            nullptr),
            SQLITE_OK);
  sqlite3_stmt* check = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &check, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(check), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(check, 0)), "ok");
  sqlite3_finalize(check);
  int missing_feedback = 0, missing_card = 0;
  for (const auto& [card, outcome] : acked.entries) {
    if (Count(db, "SELECT COUNT(*) FROM feedback WHERE card = ?1 AND outcome = ?2",
              {card, outcome}) != 1)
      ++missing_feedback;
    // The card's issued row was committed with its feedback (none was dropped in this run).
    if (Count(db, "SELECT COUNT(*) FROM issued_card WHERE uuid = ?1", {card}) != 1) ++missing_card;
  }
  EXPECT_EQ(missing_feedback, 0) << "of " << acked.entries.size();
  EXPECT_EQ(missing_card, 0) << "of " << acked.entries.size();
  EXPECT_EQ(Count(db, "SELECT COALESCE(SUM(rows), 0) FROM issued_card_dropped"), 0);
  // Issued rows without feedback may be lost with the kill (analytics, docs/operations.md); the
  // server may also have issued cards whose answer the kill cut off, so no upper bound here.
  EXPECT_GE(Count(db, "SELECT COUNT(*) FROM issued_card"),
            static_cast<std::int64_t>(acked.entries.size()));
  sqlite3_close(db);

  // And the server serves again on the same file.
  Server again(ServeArgs(port, dir.path));
  ASSERT_TRUE(WaitHealthy(port));
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(), 0);
}

std::pair<int, std::string> Report(const std::string& data_dir, const std::string& format) {
  Server report({"feedback-report", "--data-dir", data_dir, "--format", format});
  const int code = report.Wait();
  return {code, report.Stdout()};
}

TEST(StoreKill, FeedbackReportMarksCountsThatDependOnDroppedRows) {
  TempDir dir;
  {
    store::FeedbackStore::Options options;
    options.queue_rows = 2;
    options.batch_interval = std::chrono::hours(1);
    auto opened = store::FeedbackStore::Open(dir.path, true, options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    auto& s = *opened;
    ASSERT_TRUE(
        s->RecordIssued("anakinra-order-sign", {{"k1", "tnf-antagonist", "critical"}}, 100).ok());
    EXPECT_FALSE(
        s->RecordIssued(
             "anakinra-order-sign",
             {{"d1", "immunisation-due", "warning"}, {"d2", "immunisation-due", "warning"}}, 100)
            .ok());
    s->Close();
  }
  auto [code, json] = Report(dir.path, "json");
  ASSERT_EQ(code, 0);
  auto doc = ParseJsonOrDie(json);
  EXPECT_EQ(doc["issuedCardsDropped"].GetInt(), 2);
  bool saw_dropped = false, saw_kept = false;
  for (const auto& c : doc["codes"].GetArray()) {
    const std::string name = c["code"].GetString();
    if (name == "immunisation-due") {
      saw_dropped = true;
      EXPECT_TRUE(c["lowerBound"].GetBool());
      EXPECT_EQ(c["issuedDropped"].GetInt(), 2);
      EXPECT_EQ(c["issued"].GetInt(), 0);
    } else if (name == "tnf-antagonist") {
      saw_kept = true;
      EXPECT_FALSE(c["lowerBound"].GetBool());
      EXPECT_EQ(c["issued"].GetInt(), 1);
    }
  }
  EXPECT_TRUE(saw_dropped && saw_kept) << json;

  auto [text_code, text] = Report(dir.path, "text");
  ASSERT_EQ(text_code, 0);
  const auto line = text.find("immunisation-due");
  ASSERT_NE(line, std::string::npos) << text;
  EXPECT_NE(text.substr(line, text.find('\n', line) - line).find(">=0"), std::string::npos) << text;
  const auto kept = text.find("tnf-antagonist");
  ASSERT_NE(kept, std::string::npos);
  EXPECT_EQ(text.substr(kept, text.find('\n', kept) - kept).find(">="), std::string::npos) << text;
  EXPECT_NE(text.find("2 issued-card rows were dropped"), std::string::npos) << text;
}

}  // namespace

namespace {

// The data folder deleted under a running server: feedback is refused with 503 and an error log
// line instead of being acknowledged into an unlinked file, and /readyz says the store is gone.
TEST(StoreKill, DeletedDataFolderRefusesFeedbackAndIsNotReady) {
  TempDir dir;
  const std::string data = dir.path + "/data";
  const int port = FreePort();
  Server server({"serve", "--port", std::to_string(port), "--data-dir", data});
  ASSERT_TRUE(WaitHealthy(port)) << server.Stderr();
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  const std::string body =
      R"({"feedback":[{"card":"0b0a3c38-8f7e-4a51-9d43-2b8c7a1e5f10","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})";
  auto ready = client.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  auto before = client.Post("/cds-services/anakinra-order-sign/feedback", body, "application/json");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 200);

  std::filesystem::remove_all(data);
  for (int i = 0; i < 3; ++i) {
    auto after =
        client.Post("/cds-services/anakinra-order-sign/feedback", body, "application/json");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 503) << after->body;
  }
  ready = client.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_NE(ready->body.find("was removed"), std::string::npos) << ready->body;
  auto health = client.Get("/healthz");  // alive, just not ready
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  server.Signal(SIGTERM);
  server.Wait();
  const std::string err = server.Stderr();
  EXPECT_NE(err.find(R"("level":"error","event":"feedback-store")"), std::string::npos) << err;
  EXPECT_NE(err.find("was removed"), std::string::npos) << err;
}

}  // namespace

namespace {

std::string FeedbackBody(const std::string& card) {
  return R"({"feedback":[{"card":")" + card +
         R"(","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})";
}

std::string CardUuid(int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "0b0a3c38-8f7e-4a51-9d43-%012d", i);
  return buf;
}

// A file-size limit (RLIMIT_FSIZE; a full disk fails the same writes) reached under a running
// server: it is not killed by SIGXFSZ; feedback beyond the limit is refused with 503 and an error
// line naming the store and the errno; every entry answered 200 is in the file afterwards; hooks
// are still answered (their issued rows are counted as dropped).
TEST(StoreKill, FileSizeLimitRefusesFeedbackAndKeepsEveryAcknowledgedEntry) {
  TempDir dir;
  const std::string data = dir.path + "/data";
  const int port = FreePort();
  // 512 KiB: the WAL reaches it after some tens of commits.
  Server server(ServeArgs(port, data), {{RLIMIT_FSIZE, rlim_t{512} * 1024}});
  ASSERT_TRUE(WaitHealthy(port)) << server.Stderr();
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  std::vector<std::string> acked;
  int refused = 0, other = 0;
  for (int i = 0; i < 5000 && refused < 20; ++i) {
    const std::string card = CardUuid(i);
    auto r = client.Post("/cds-services/anakinra-order-sign/feedback", FeedbackBody(card),
                         "application/json");
    ASSERT_TRUE(r) << "no answer after " << acked.size() << " acknowledged: " << server.Stderr();
    if (r->status == 200)
      acked.push_back(card);
    else if (r->status == 503)
      ++refused;
    else
      ++other;
  }
  EXPECT_GT(acked.size(), 10u);
  EXPECT_EQ(refused, 20) << "the limit was never reached";
  EXPECT_EQ(other, 0);
  // Alive, and still answering hooks (their issued rows cannot be written: dropped, counted).
  // (The WAL may still have room for a frame or two: the first small batches may commit.)
  std::string err;
  for (int i = 0; i < 50 && err.find("issued cards (counted as dropped)") == std::string::npos;
       ++i) {
    auto hook = client.Post("/cds-services/anakinra-order-sign",
                            SampleRequest("adult-tnf-antagonist"), "application/json");
    ASSERT_TRUE(hook) << server.Stderr();
    EXPECT_EQ(hook->status, 200);
    std::this_thread::sleep_for(50ms);  // a batch interval and its commit
    err = server.Stderr();
  }
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  server.Signal(SIGKILL);
  server.Wait();
  err = server.Stderr();
  EXPECT_NE(
      err.find(
          R"("level":"error","event":"feedback-store","message":"cannot store feedback: the feedback could not be stored in SQLite )" +
          data + "/feedback.sqlite3"),
      std::string::npos)
      << err;
  EXPECT_NE(err.find("errno EFBIG"), std::string::npos) << err;
  EXPECT_NE(err.find("issued cards (counted as dropped)"), std::string::npos) << err;

  sqlite3* db = nullptr;
  ASSERT_EQ(
      sqlite3_open_v2((data + "/feedback.sqlite3").c_str(), &db, SQLITE_OPEN_READWRITE, nullptr),
      SQLITE_OK);
  int missing = 0;
  for (const auto& card : acked)
    if (Count(db, "SELECT COUNT(*) FROM feedback WHERE card = ?1", {card}) != 1) ++missing;
  EXPECT_EQ(missing, 0) << "of " << acked.size();
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM feedback"), static_cast<std::int64_t>(acked.size()));
  sqlite3_close(db);
}

// A checkpoint that cannot finish at shutdown (a reader holds the WAL: here another process's open
// read transaction) is logged at error with its result code; nothing committed is lost.
TEST(StoreKill, FailedCheckpointAtShutdownIsLogged) {
  TempDir dir;
  const int port = FreePort();
  Server server(ServeArgs(port, dir.path));
  ASSERT_TRUE(WaitHealthy(port)) << server.Stderr();
  httplib::Client client("127.0.0.1", port);
  auto r = client.Post("/cds-services/anakinra-order-sign/feedback", FeedbackBody(CardUuid(1)),
                       "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir.path + "/feedback.sqlite3").c_str(), &reader, SQLITE_OPEN_READONLY,
                            nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(Count(reader, "SELECT COUNT(*) FROM feedback"), 1);  // holds its snapshot
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(), 0);  // after the checkpoint's busy timeout (5 s)
  sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
  EXPECT_EQ(Count(reader, "SELECT COUNT(*) FROM feedback"), 1);
  sqlite3_close(reader);
  const std::string err = server.Stderr();
  EXPECT_NE(
      err.find(
          R"("level":"error","event":"feedback-store","message":"checkpoint at shutdown failed for SQLite )"),
      std::string::npos)
      << err;
  EXPECT_NE(err.find("SQLITE_BUSY"), std::string::npos) << err;
}

}  // namespace

namespace {

// With the SQLite default, the JWT replay set is in the data dir's file: a token let in before a
// restart is refused after it, for that reason.
TEST(StoreKill, ReplayedJtiIsRefusedAfterARestart) {
  TempDir dir;
  auto key = Generate("P-384");
  std::ofstream(dir.path + "/client.jwks")
      << R"({"keys":[)" << auth::PublicJwkJson(key.get(), "es384", "ES384") << "]}";
  const int port = FreePort();
  const std::vector<std::string> args = {"serve",
                                         "--port",
                                         std::to_string(port),
                                         "--data-dir",
                                         dir.path + "/data",
                                         "--trusted-issuer",
                                         std::string(kIss) + "=" + dir.path + "/client.jwks",
                                         "--public-url",
                                         kPublicUrl};
  TokenSpec spec;
  spec.path = "/cds-services/anakinra-order-sign";
  const std::string token = SignedToken(key.get(), spec);
  const auto call = [&] {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(10, 0);
    return client.Post("/cds-services/anakinra-order-sign", {{"Authorization", "Bearer " + token}},
                       SampleRequest("adult-tnf-antagonist"), "application/json");
  };
  {
    Server server(args);
    ASSERT_TRUE(WaitHealthy(port)) << server.Stderr();
    auto first = call();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->status, 200) << first->body << server.Stderr();
    server.Signal(SIGKILL);  // not even a clean shutdown
    server.Wait();
  }
  Server again(args);
  ASSERT_TRUE(WaitHealthy(port)) << again.Stderr();
  auto replay = call();
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 401);
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(), 0);
  const std::string err = again.Stderr();
  EXPECT_NE(err.find("unauthorized: replayed jti"), std::string::npos) << err;
}

}  // namespace

namespace {

// User plus system CPU seconds of a process (/proc/PID/stat fields 14 and 15).
double CpuSeconds(pid_t pid) {
  const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  std::size_t at = stat.rfind(')');
  if (at == std::string::npos) return -1;
  std::vector<std::string> fields;
  std::string field;
  for (std::size_t i = at + 2; i <= stat.size(); ++i) {
    if (i == stat.size() || stat[i] == ' ') {
      fields.push_back(field);
      field.clear();
    } else {
      field += stat[i];
    }
  }
  if (fields.size() < 13) return -1;
  return static_cast<double>(std::stoll(fields[11]) + std::stoll(fields[12])) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Out of file descriptors (RLIMIT_NOFILE 64, more connections than that): the connections
// beyond get a quick 503 and are closed, the I/O thread does not spin (EMFILE on a level-
// triggered listener), the shortage is logged once, and the server answers once they close.
TEST(StoreKill, OutOfFileDescriptorsRefusesConnectionsWithoutSpinning) {
  TempDir dir;
  const int port = FreePort();
  Server server(ServeArgs(port, dir.path, {"--header-timeout-ms", "20000", "--read-timeout", "30"}),
                {{RLIMIT_NOFILE, 64}});
  ASSERT_TRUE(WaitHealthy(port)) << server.Stderr();
  std::vector<int> fds;
  for (int i = 0; i < 120; ++i) fds.push_back(ConnectLoopback(port));
  std::this_thread::sleep_for(300ms);
  const double cpu_before = CpuSeconds(server.pid());
  std::this_thread::sleep_for(1s);
  const double cpu = CpuSeconds(server.pid()) - cpu_before;
  EXPECT_LT(cpu, 0.3) << "the I/O thread spins on EMFILE";
  int refused = 0, held = 0;
  for (int fd : fds) {
    ASSERT_GE(fd, 0);
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) {
      ++held;
      continue;
    }
    char buf[256];
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0 && std::string(buf, static_cast<std::size_t>(n)).rfind("HTTP/1.1 503", 0) == 0)
      ++refused;
  }
  EXPECT_GT(held, 10);
  EXPECT_GT(refused, 30);
  EXPECT_EQ(held + refused, 120);
  for (int fd : fds) ::close(fd);
  std::this_thread::sleep_for(200ms);
  httplib::Client client("127.0.0.1", port);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health) << server.Stderr();
  EXPECT_EQ(health->status, 200);
  // A new episode, also answered.
  std::vector<int> again;
  for (int i = 0; i < 80; ++i) again.push_back(ConnectLoopback(port));
  std::this_thread::sleep_for(300ms);
  for (int fd : again) ::close(fd);
  std::this_thread::sleep_for(200ms);
  health = client.Get("/healthz");
  ASSERT_TRUE(health) << server.Stderr();
  EXPECT_EQ(health->status, 200);
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(), 0);
  const std::string err = server.Stderr();
  // Logged once per episode (the second one within 10 s is not logged again); its end too.
  std::size_t lines = 0;
  for (std::size_t at = err.find("out of file descriptors"); at != std::string::npos;
       at = err.find("out of file descriptors", at + 1))
    ++lines;
  EXPECT_EQ(lines, 1u) << err;
  EXPECT_NE(err.find("file descriptors available again"), std::string::npos) << err;
}

}  // namespace

namespace {

// The periodic checkpoint (every 1000 WAL pages) failing: the database file, already large, may
// not grow past the file-size limit while the WAL still may. The failure is logged at error with
// the cause; feedback is still committed (to the WAL) and every entry answered 200 is kept.
TEST(StoreKill, FailedPeriodicCheckpointIsLogged) {
  TempDir dir;
  const std::string data = dir.path + "/data";
  const std::string file = data + "/feedback.sqlite3";
  { ASSERT_TRUE(store::FeedbackStore::Open(data, true).ok()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE pad (x BLOB); INSERT INTO pad VALUES (zeroblob(8000000)); "
                         "PRAGMA wal_checkpoint(TRUNCATE)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const auto size = std::filesystem::file_size(file);
  const int port = FreePort();
  Server server(ServeArgs(port, data), {{RLIMIT_FSIZE, static_cast<rlim_t>(size + 16384)}});
  ASSERT_TRUE(WaitHealthy(port)) << server.Stderr();
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  std::vector<std::string> acked;
  std::string err;
  for (int i = 0; i < 1500 && err.find("WAL checkpoint failed") == std::string::npos; ++i) {
    auto r = client.Post("/cds-services/anakinra-order-sign/feedback", FeedbackBody(CardUuid(i)),
                         "application/json");
    ASSERT_TRUE(r) << server.Stderr();
    if (r->status == 200) acked.push_back(CardUuid(i));
    if (i % 50 == 0) err = server.Stderr();
  }
  err = server.Stderr();
  server.Signal(SIGKILL);
  server.Wait();
  EXPECT_NE(
      err.find(
          R"("level":"error","event":"feedback-store","message":"WAL checkpoint failed for SQLite )" +
          file),
      std::string::npos)
      << err;
  EXPECT_NE(err.find("errno EFBIG"), std::string::npos) << err;
  if (const auto at = err.find("WAL checkpoint failed"); at != std::string::npos)
    std::cout << err.substr(at, err.find('\n', at) - at) << "\n";
  ASSERT_GT(acked.size(), 100u);
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  int missing = 0;
  for (const auto& card : acked)
    if (Count(db, "SELECT COUNT(*) FROM feedback WHERE card = ?1", {card}) != 1) ++missing;
  EXPECT_EQ(missing, 0) << "of " << acked.size();
  sqlite3_close(db);
}

}  // namespace
