// Resource limits and CORS hardening against the real server: slow clients are disconnected by
// the read timeout while others are served; credentials are never allowed with "*".
#include "support/live_server.h"
#include "support/raw_socket.h"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace {

using namespace testing_support;
using Clock = std::chrono::steady_clock;

// Seconds until the server gives up on the connection: it answers (a 408 for a request cut
// short) or closes it. At most `limit` (+1 when it does neither).
double SecondsUntilGivenUp(int fd, double limit, std::string* answer = nullptr) {
  const auto start = Clock::now();
  for (;;) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed > limit) return limit + 1;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      char buf[512];
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0 && answer != nullptr) answer->assign(buf, static_cast<std::size_t>(n));
      return std::chrono::duration<double>(Clock::now() - start).count();
    }
  }
}

TEST(Limits, SlowHeadersAreDisconnectedAndTheServerStaysHealthy) {
  config::ServerConfig c;
  c.read_timeout_seconds = 1;
  c.keep_alive_timeout_seconds = 1;
  c.threads = 4;
  LiveServer live(c);
  const int fd = ConnectLoopback(live.port());
  ASSERT_GE(fd, 0);
  const std::string partial = "GET /cds-services HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  ASSERT_TRUE(SendAll(fd, partial));
  // While the slow client stalls, others are served.
  auto r = live.client().Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  std::string answer;
  const double given_up = SecondsUntilGivenUp(fd, 5, &answer);
  ::close(fd);
  EXPECT_LE(given_up, 3.0) << "a stalled client kept its worker";
  EXPECT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer;
  auto after = live.client().Get("/healthz");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST(Limits, SilentConnectionsAreClosed) {
  config::ServerConfig c;
  c.read_timeout_seconds = 1;
  c.keep_alive_timeout_seconds = 1;
  LiveServer live(c);
  const int fd = ConnectLoopback(live.port());
  ASSERT_GE(fd, 0);
  EXPECT_LE(SecondsUntilGivenUp(fd, 5), 3.0);
  ::close(fd);
}

TEST(Limits, MoreConnectionsThanWorkersAreQueuedNotDropped) {
  config::ServerConfig c;
  c.read_timeout_seconds = 1;
  c.keep_alive_timeout_seconds = 1;
  c.threads = 2;
  c.max_pending_connections = 2;
  LiveServer live(c);
  std::vector<int> idle;
  for (int i = 0; i < 6; ++i)
    idle.push_back(ConnectLoopback(live.port()));  // idle: they hold no worker
  const auto start = Clock::now();
  auto r = live.client().Get("/healthz");  // served at once, not after the idle ones time out
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 0.5);
  for (int fd : idle)
    if (fd >= 0) ::close(fd);
}

TEST(Limits, LongHeaderLineIsRefused) {
  LiveServer live;
  httplib::Headers h = {{"X-Big", std::string(9000, 'a')}};
  auto r = live.client().Get("/cds-services", h);
  EXPECT_TRUE(!r || r->status == 400 || r->status == 431);
  EXPECT_EQ(live.client().Get("/healthz")->status, 200);
}

TEST(Cors, CredentialsNeverAllowedWithWildcard) {
  LiveServer live;  // default: any origin
  httplib::Headers h = {{"Origin", "https://sandbox.cds-hooks.org"},
                        {"Access-Control-Request-Method", "POST"}};
  for (int i = 0; i < 3; ++i) {
    auto r = i == 0   ? live.client().Options("/cds-services/anakinra-order-sign", h)
             : i == 1 ? live.client().Get("/cds-services", h)
                      : live.client().Get("/nothing", h);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "*");
    EXPECT_FALSE(r->has_header("Access-Control-Allow-Credentials"));
  }
}

TEST(Cors, AllowlistEchoesOnlyListedOrigins) {
  config::ServerConfig c;
  c.allowed_origins = {"https://sandbox.cds-hooks.org"};
  LiveServer live(c);
  auto ok = live.client().Get("/cds-services", {{"Origin", "https://sandbox.cds-hooks.org"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->get_header_value("Access-Control-Allow-Origin"), "https://sandbox.cds-hooks.org");
  EXPECT_EQ(ok->get_header_value("Vary"), "Origin");
  EXPECT_FALSE(ok->has_header("Access-Control-Allow-Credentials"));
  auto other = live.client().Options("/cds-services", {{"Origin", "https://evil.example.net"}});
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_header("Access-Control-Allow-Origin"));
  EXPECT_FALSE(other->has_header("Access-Control-Allow-Credentials"));
}

}  // namespace
