// The attack table of docs/security.md ("Hostile clients"), each row a bounded loopback test with
// raw sockets against the real server: what a hostile or broken client sends, and the answer or
// the bound the server keeps. Each one failed against the httplib-based front it replaced.
#include "support/live_server.h"
#include "support/raw_socket.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace testing_support;
using Clock = std::chrono::steady_clock;

constexpr const char* kFeedbackPath = "/cds-services/anakinra-order-sign/feedback";

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Answers {
  std::vector<int> statuses;
  std::vector<std::string> bodies;
  std::string raw;
  bool closed = false;
  double first_byte_seconds = -1;
};

// Reads until `want` whole answers arrived, the peer closed, or `limit` seconds passed; with
// `wait_close`, then up to 100 ms more to see whether the peer closes.
Answers Read(int fd, std::size_t want, double limit, bool wait_close = true) {
  Answers a;
  const auto start = Clock::now();
  std::size_t parsed = 0;
  while (a.statuses.size() < want && Since(start) < limit) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    char buf[65536];
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      a.closed = true;
      break;
    }
    if (a.first_byte_seconds < 0) a.first_byte_seconds = Since(start);
    a.raw.append(buf, static_cast<std::size_t>(n));
    for (;;) {
      const std::size_t head_end = a.raw.find("\r\n\r\n", parsed);
      if (head_end == std::string::npos) break;
      const std::string head = a.raw.substr(parsed, head_end - parsed);
      const std::size_t cl = head.find("Content-Length: ");
      const std::size_t length = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16));
      if (a.raw.size() < head_end + 4 + length) break;
      a.statuses.push_back(std::stoi(head.substr(9, 3)));
      a.bodies.push_back(a.raw.substr(head_end + 4, length));
      parsed = head_end + 4 + length;
    }
  }
  if (wait_close && !a.closed && a.statuses.size() >= want) {
    // Closed right after the answer?
    pollfd p{fd, POLLIN, 0};
    char c;
    if (::poll(&p, 1, 100) > 0 && ::recv(fd, &c, 1, MSG_PEEK) == 0) a.closed = true;
  }
  return a;
}

// One request on a new connection: its answer.
Answers Exchange(int port, const std::string& request, double limit = 3) {
  const int fd = ConnectLoopback(port);
  EXPECT_GE(fd, 0);
  SendAll(fd, request);
  Answers a = Read(fd, 1, limit);
  ::close(fd);
  return a;
}

std::string Get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

std::string Post(const std::string& path, const std::string& body,
                 const std::string& type = "application/json", const std::string& extra = "") {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

// Peak RSS growth (kB) while `fn` runs: the peak is reset first (clear_refs 5).
long PeakRssGrowthKb(const std::function<void()>& fn) {
  auto field = [](const char* name) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
      if (line.rfind(name, 0) == 0) return std::stol(line.substr(std::string(name).size()));
    return 0L;
  };
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  const long before = field("VmRSS:");
  fn();
  return field("VmHWM:") - before;
}

// Clients that send one byte every `interval` on each connection until stopped.
class Drip {
 public:
  Drip(std::vector<int> fds, std::string prefix, std::chrono::milliseconds interval)
      : fds_(std::move(fds)) {
    for (int fd : fds_) SendAll(fd, prefix);
    thread_ = std::thread([this, interval] {
      while (!stop_) {
        for (int fd : fds_) ::send(fd, "a", 1, MSG_NOSIGNAL);
        std::this_thread::sleep_for(interval);
      }
    });
  }
  ~Drip() {
    stop_ = true;
    thread_.join();
    for (int fd : fds_) ::close(fd);
  }

 private:
  std::vector<int> fds_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::vector<int> Connections(int port, int n) {
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) fds.push_back(ConnectLoopback(port));
  return fds;
}

// 1. A compressed body is refused before it is read: 415, whatever it would inflate to.
TEST(Attack, CompressedBodyIs415BeforeTheBody) {
  LiveServer live;
  const std::string body(1024 * 1024, '\0');  // stands for a brotli bomb
  long growth = PeakRssGrowthKb([&] {
    const Answers a = Exchange(
        live.port(), Post(kFeedbackPath, body, "application/json", "Content-Encoding: br\r\n"));
    ASSERT_EQ(a.statuses.size(), 1u) << a.raw;
    EXPECT_EQ(a.statuses[0], 415);
    EXPECT_TRUE(a.closed);
  });
  EXPECT_LT(growth, 64 * 1024) << "kB";
}

// 2. Header count and size: 431 at the limit, the rest never read; RSS stays put.
TEST(Attack, MillionHeadersAre431) {
  LiveServer live;
  long growth = PeakRssGrowthKb([&] {
    std::string many = "GET /cds-services HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (int i = 0; i < 100; ++i) many += "X: y\r\n";
    Answers a = Exchange(live.port(), many + "\r\n");
    ASSERT_EQ(a.statuses.size(), 1u) << a.raw;
    EXPECT_EQ(a.statuses[0], 431);

    const int fd = ConnectLoopback(live.port());
    std::string chunk;
    for (int i = 0; i < 20000; ++i) chunk += "X-Header-Name: value\r\n";  // 440 kB
    SendAll(fd, "GET /cds-services HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (int i = 0; i < 120 && SendAll(fd, chunk); ++i) {  // up to 54 MB, as in the attack
    }
    a = Read(fd, 1, 3);
    ::close(fd);
    ASSERT_EQ(a.statuses.size(), 1u) << a.raw;
    EXPECT_EQ(a.statuses[0], 431);
  });
  EXPECT_LT(growth, 64 * 1024) << "kB";
  EXPECT_EQ(Exchange(live.port(), Get("/healthz")).statuses, std::vector<int>{200});
}

config::ServerConfig EightWorkers() {
  config::ServerConfig c;
  c.threads = 8;
  return c;
}

// 3a. More busy keep-alive connections than workers: every one is answered, at once.
TEST(Attack, SixtyFourKeepAliveConnectionsOnEightWorkersAreAllAnswered) {
  LiveServer live(EightWorkers());
  std::vector<int> fds = Connections(live.port(), 64);
  for (int round = 0; round < 2; ++round) {
    for (int fd : fds) ASSERT_TRUE(SendAll(fd, Get("/healthz")));
    for (int fd : fds) {
      const Answers a = Read(fd, 1, 1.0, false);
      ASSERT_EQ(a.statuses, std::vector<int>{200}) << "round " << round;
      EXPECT_LT(a.first_byte_seconds, 1.0);
    }
  }
  for (int fd : fds) ::close(fd);
}

// 3b. Slowloris and slow-body clients, one per worker and more, do not stop a request.
TEST(Attack, SlowClientsDoNotStopALegitimateRequest) {
  LiveServer live(EightWorkers());
  Drip heads(Connections(live.port(), 8), "GET /cds-services HTTP/1.1\r\nHost: 127.0.0.1\r\nX: ",
             std::chrono::milliseconds(100));
  Drip bodies(Connections(live.port(), 8),
              "POST /cds-services/anakinra-order-sign HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
              "application/json\r\nContent-Length: 100000\r\n\r\n",
              std::chrono::milliseconds(100));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int i = 0; i < 3; ++i) {
    const auto start = Clock::now();
    const Answers a = Exchange(live.port(), Get("/cds-services"), 2);
    EXPECT_EQ(a.statuses, std::vector<int>{200});
    EXPECT_LT(Since(start), 1.0);
  }
}

// 3c. Silent TCP connections (no request at all) hold nothing.
TEST(Attack, SilentConnectionsHoldNoWorker) {
  LiveServer live(EightWorkers());
  std::vector<int> silent = Connections(live.port(), 16);
  const auto start = Clock::now();
  EXPECT_EQ(Exchange(live.port(), Get("/healthz"), 2).statuses, std::vector<int>{200});
  EXPECT_LT(Since(start), 1.0);
  for (int fd : silent) ::close(fd);
}

// 3c'. The same over TLS: silent connections (no ClientHello) hold nothing, are closed at the head
// deadline, and a keep-alive TLS client is served many requests on one connection meanwhile.
TEST(Attack, SilentTlsConnectionsHoldNoWorker) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("anakinra-attack-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "
      "/CN=localhost -addext subjectAltName=IP:127.0.0.1 -keyout " +
      (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  config::ServerConfig c = EightWorkers();
  c.tls_cert_file = (dir / "cert.pem").string();
  c.tls_key_file = (dir / "key.pem").string();
  c.header_timeout_ms = 1000;
  {
    LiveServer live(c);
    std::vector<int> silent = Connections(live.port(), 16);
    httplib::SSLClient client("127.0.0.1", live.port());
    client.set_ca_cert_path((dir / "cert.pem").c_str());
    client.enable_server_certificate_verification(true);
    client.set_keep_alive(true);
    const auto start = Clock::now();
    for (int i = 0; i < 20; ++i) {
      auto r = client.Get(i % 2 == 0 ? "/healthz" : "/cds-services");
      ASSERT_TRUE(r) << httplib::to_string(r.error());
      EXPECT_EQ(r->status, 200);
    }
    EXPECT_LT(Since(start), 1.0);
    // The silent ones are closed at the head deadline.
    const Answers a = Read(silent[0], 1, 3);
    EXPECT_TRUE(a.closed);
    EXPECT_TRUE(a.statuses.empty());
    for (int fd : silent) ::close(fd);
  }
  std::filesystem::remove_all(dir);
}

// 3d. The head has a TOTAL deadline: a client that drips a byte every 100 ms is cut off with 408
// after header_timeout_ms, however often it sends.
TEST(Attack, DrippedHeadIsCutOffByItsTotalDeadline) {
  config::ServerConfig c;
  c.header_timeout_ms = 800;
  LiveServer live(c);
  const int fd = ConnectLoopback(live.port());
  const auto start = Clock::now();
  SendAll(fd, "GET /cds-services HTTP/1.1\r\nHost: 127.0.0.1\r\nX: ");
  Answers a;
  while (Since(start) < 4 && a.statuses.empty() && !a.closed) {
    ::send(fd, "a", 1, MSG_NOSIGNAL);
    a = Read(fd, 1, 0.1);
  }
  ::close(fd);
  EXPECT_EQ(a.statuses, std::vector<int>{408});
  EXPECT_LT(Since(start), 1.5);
}

// 3e. Stop() while clients drip: it returns after the grace period, not when they stop.
TEST(Attack, StopDrainsWithinTheGracePeriodWhileClientsDrip) {
  config::ServerConfig c;
  c.shutdown_grace_ms = 500;
  c.header_timeout_ms = 60000;
  c.read_timeout_seconds = 60;
  auto live = std::make_unique<LiveServer>(c);
  Drip drip(Connections(live->port(), 8),
            "POST /cds-services/anakinra-order-sign HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
            "application/json\r\nContent-Length: 100000\r\n\r\n",
            std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto start = Clock::now();
  live.reset();
  EXPECT_LT(Since(start), 1.5);
}

// 3f. Beyond max_connections: a quick 503 and close, not a wait.
TEST(Attack, ConnectionsBeyondCapacityGetA503AtOnce) {
  config::ServerConfig c;
  c.max_connections = 4;
  LiveServer live(c);
  std::vector<int> held = Connections(live.port(), 4);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const Answers a = Exchange(live.port(), Get("/healthz"), 1);
  EXPECT_EQ(a.statuses, std::vector<int>{503});
  EXPECT_LT(a.first_byte_seconds, 0.5);
  for (int fd : held) ::close(fd);
}

// 3f'. Beyond max_connections_per_client from one address: a quick 503 and close, counted (route
// "(connection)"); another address is another client; a closed connection frees its place.
TEST(Attack, ConnectionsBeyondThePerClientLimitGetA503AtOnce) {
  config::ServerConfig c;
  c.max_connections_per_client = 3;
  auto refused = std::make_shared<std::atomic<int>>(0);
  http::ServerObservers observers;
  observers.on_request = [refused](const std::string& route, int status, double,
                                   const std::string&) {
    if (route == "(connection)" && status == 503) ++*refused;
  };
  LiveServer live(c, observers);
  std::vector<int> held = Connections(live.port(), 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const Answers a = Exchange(live.port(), Get("/healthz"), 1);
  EXPECT_EQ(a.statuses, std::vector<int>{503});
  EXPECT_LT(a.first_byte_seconds, 0.5);
  EXPECT_EQ(refused->load(), 1);

  // 127.0.0.2 (loopback too) is another client address.
  const int other = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  from.sin_addr.s_addr = htonl(0x7f000002);
  ASSERT_EQ(::bind(other, reinterpret_cast<sockaddr*>(&from), sizeof from), 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(live.port()));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(other, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  SendAll(other, Get("/healthz"));
  EXPECT_EQ(Read(other, 1, 2, false).statuses, std::vector<int>{200});
  ::close(other);

  ::close(held[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Exchange(live.port(), Get("/healthz")).statuses, std::vector<int>{200});
  EXPECT_EQ(refused->load(), 1);
  for (std::size_t i = 1; i < held.size(); ++i) ::close(held[i]);
}

// 3g. A keep-alive connection is not held for ever: the keep_alive_max_requests-th answer says
// "Connection: close" and the connection is closed; an idle one is closed after its timeout.
TEST(Attack, RequestsPerConnectionAndIdleTimeAreBounded) {
  config::ServerConfig c;
  c.keep_alive_max_requests = 3;
  c.keep_alive_timeout_seconds = 1;
  LiveServer live(c);
  int fd = ConnectLoopback(live.port());
  SendAll(fd, Get("/healthz") + Get("/healthz") + Get("/healthz") + Get("/healthz"));
  Answers a = Read(fd, 4, 2);
  ::close(fd);
  EXPECT_EQ(a.statuses, (std::vector<int>{200, 200, 200}));
  EXPECT_TRUE(a.closed);
  EXPECT_NE(a.raw.find("Connection: close"), std::string::npos);

  fd = ConnectLoopback(live.port());
  SendAll(fd, Get("/healthz"));
  const auto start = Clock::now();
  a = Read(fd, 2, 3);
  ::close(fd);
  EXPECT_EQ(a.statuses, std::vector<int>{200});
  EXPECT_TRUE(a.closed);
  EXPECT_LT(Since(start), 2.0);
}

// 4. Amplification: a million bad feedback items give a bounded OperationOutcome; Range is
// ignored.
TEST(Attack, AmplificationIsBounded) {
  LiveServer live;
  std::string items;
  for (int i = 0; i < 200000; ++i) items += i == 0 ? "1" : ",1";
  const Answers a =
      Exchange(live.port(), Post(kFeedbackPath, "{\"feedback\":[" + items + "]}"), 10);
  ASSERT_EQ(a.statuses, std::vector<int>{400});
  EXPECT_LT(a.bodies[0].size(), 64u * 1024);
  EXPECT_NE(a.bodies[0].find("too-costly"), std::string::npos);
  // The same for a flood of empty objects (three problems each), in bounded time.
  items.clear();
  for (int i = 0; i < 200000; ++i) items += i == 0 ? "{}" : ",{}";
  const auto start = Clock::now();
  const Answers empty =
      Exchange(live.port(), Post(kFeedbackPath, "{\"feedback\":[" + items + "]}"), 10);
  ASSERT_EQ(empty.statuses, std::vector<int>{400});
  EXPECT_LT(empty.bodies[0].size(), 64u * 1024);
  EXPECT_LT(Since(start), 1.0);

  std::string ranges = "Range: bytes=0-0";
  for (int i = 1; i < 300; ++i) {
    const std::string n = std::to_string(i);
    ranges.append(",").append(n).append("-").append(n);
  }
  const Answers plain = Exchange(live.port(), Get("/cds-services"));
  const Answers ranged = Exchange(live.port(), Get("/cds-services", ranges + "\r\n"));
  ASSERT_EQ(ranged.statuses, std::vector<int>{200});
  EXPECT_EQ(ranged.bodies, plain.bodies);
}

// 6. Request smuggling shapes: each refused with 400 (or 411/501) and the connection closed.
TEST(Attack, SmugglingShapesAreRefusedAndClosed) {
  LiveServer live;
  const std::string head =
      "POST /cds-services/anakinra-order-sign/feedback HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\n";
  const std::vector<std::pair<std::string, int>> shapes = {
      {head + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}", 400},
      {head + "Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}", 400},
      {head + "Content-Length : 2\r\n\r\n{}", 400},
      {head + "Content-Length: +2\r\n\r\n{}", 400},
      {head + "Content-Length: 2, 2\r\n\r\n{}", 400},
      {head + "Content-Length: 2\r\nNo colon\r\n\r\n{}", 400},
      {head + "Content-Length: 2\r\nX: a\rb\r\n\r\n{}", 400},
      {head + "Content-Length: 2\r\nX: a" + std::string(1, '\0') + "\r\n\r\n{}", 400},
      {head + "Content-Length: 2\r\nHost: evil.example\r\n\r\n{}", 400},
      {head + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 411},
  };
  for (const auto& [request, status] : shapes) {
    const Answers a = Exchange(live.port(), request + Get("/healthz"));
    ASSERT_EQ(a.statuses.size(), 1u) << request;
    EXPECT_EQ(a.statuses[0], status) << request;
    EXPECT_TRUE(a.closed) << request;
  }
}

// 6b. Pipelined requests in one segment: each answered, in order, at once.
TEST(Attack, PipelinedRequestsAreAnsweredInOrder) {
  LiveServer live;
  const int fd = ConnectLoopback(live.port());
  const auto start = Clock::now();
  SendAll(fd, Get("/healthz") + Get("/nothing") + Get("/cds-services"));
  const Answers a = Read(fd, 3, 2);
  ::close(fd);
  EXPECT_EQ(a.statuses, (std::vector<int>{200, 404, 200}));
  EXPECT_LT(Since(start), 1.0);
  // A HEAD answer has no body: the answer after it is read where it starts.
  const int head = ConnectLoopback(live.port());
  SendAll(head, "HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + Get("/healthz"));
  // Read raw: Read() would take the HEAD answer's Content-Length as a body.
  const std::string raw = ReadUntil(head, 2, "{\"status\":\"ok\"}");
  ::close(head);
  ASSERT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
  // The body appears once, after the second answer's head.
  EXPECT_EQ(raw.find("{\"status\":\"ok\"}"), raw.size() - 15) << raw;
  EXPECT_NE(raw.find("HTTP/1.1 200", 10), std::string::npos) << raw;
}

// 8. A cross-site "simple" POST (text/plain needs no preflight) is refused, not stored.
TEST(Attack, TextPlainCrossOriginFeedbackIsNotStored) {
  std::atomic<int> stored{0};
  http::ServerObservers observers;
  observers.on_feedback = [&](const std::string&, const std::vector<cdshooks::Feedback>&) {
    ++stored;
    return base::Status::Ok();
  };
  LiveServer live({}, observers);
  const std::string body =
      R"({"feedback":[{"card":"9368d37b-283f-44a0-93ea-547cebc7b1c4","outcome":"overridden","outcomeTimestamp":"2026-11-24T10:00:00Z"}]})";
  const Answers a = Exchange(
      live.port(), Post(kFeedbackPath, body, "text/plain", "Origin: https://evil.example\r\n"));
  EXPECT_EQ(a.statuses, std::vector<int>{415});
  EXPECT_EQ(stored, 0);
  EXPECT_EQ(Exchange(live.port(), Post(kFeedbackPath, body)).statuses, std::vector<int>{200});
  EXPECT_EQ(stored, 1);
}

// 9. Two Authorization fields, a POST without a length, a large form body, invalid UTF-8.
TEST(Attack, AmbiguousOrMalformedRequestsAreRefusedAtOnce) {
  LiveServer live;
  EXPECT_EQ(Exchange(live.port(), Post(kFeedbackPath, "{}", "application/json",
                                       "Authorization: Bearer a\r\nAuthorization: Bearer b\r\n"))
                .statuses,
            std::vector<int>{400});
  const auto start = Clock::now();
  EXPECT_EQ(Exchange(live.port(), "POST " + std::string(kFeedbackPath) +
                                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                      "application/json\r\n\r\n")
                .statuses,
            std::vector<int>{411});
  EXPECT_LT(Since(start), 0.5);
  EXPECT_EQ(Exchange(live.port(), Post(kFeedbackPath, "a=" + std::string(9000, 'b'),
                                       "application/x-www-form-urlencoded"))
                .statuses,
            std::vector<int>{415});
  EXPECT_EQ(Exchange(live.port(), Post(kFeedbackPath, "{\"feedback\":\"\xff\xfe\"}")).statuses,
            std::vector<int>{400});
}

}  // namespace
