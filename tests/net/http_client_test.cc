// net::HttpClient against real servers on loopback: an httplib::Server for plain http and an
// httplib::SSLServer with a CA made at test time (support/tls_support.h) for https. Each failure
// mode must come back as its own Status code (net/http_client.h), and a refused or unverifiable
// request must not reach the handler. No timing is asserted: a deadline test only waits for the
// kDeadlineExceeded answer (the slow handler is released afterwards).
#include "net/http_client.h"

#include "net/url.h"
#include "support/fhir_server_process.h"
#include "support/tls_support.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace {

using namespace testing_support;
using Clock = std::chrono::steady_clock;
using Code = base::Status::Code;

net::Url Parse(const std::string& text) {
  auto url = net::ParseUrl(text);
  EXPECT_TRUE(url.ok()) << text << ": " << url.status().ToString();
  return url.ok() ? *url : net::Url{};
}

Clock::time_point In(std::chrono::milliseconds ms) { return Clock::now() + ms; }
constexpr auto kGenerous = std::chrono::milliseconds(20000);

// A gate a handler waits at until the test opens it (or 20 s pass, so a broken test cannot hang).
class Gate {
 public:
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, kGenerous, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

// An httplib::Server on 127.0.0.1, ephemeral port, with the routes the tests use.
class PlainServer {
 public:
  PlainServer() {
    server_.set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
      ++requests_;
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server_.Get("/ok", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mutex_);
        accept_ = req.get_header_value("Accept");
        authorization_ = req.get_header_value("Authorization");
        target_ = req.target;
      }
      res.set_content(R"({"resourceType":"Patient"})", "application/fhir+json");
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(100000, 'x'), "text/plain");
    });
    server_.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content("not here", "text/plain");
    });
    server_.Get("/redirect", [this](const httplib::Request&, httplib::Response& res) {
      res.set_redirect(origin() + "/ok");
    });
    server_.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      {
        std::lock_guard lock(mutex_);
        slow_arrived_ = true;
        arrived_.notify_all();
      }
      gate_.Wait();
      res.set_content("late", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~PlainServer() {
    gate_.Open();
    server_.stop();
    thread_.join();
  }
  PlainServer(const PlainServer&) = delete;
  PlainServer& operator=(const PlainServer&) = delete;

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }
  void OpenGate() { gate_.Open(); }
  void WaitForSlowRequest() {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, kGenerous, [this] { return slow_arrived_; });
  }
  std::string accept() {
    std::lock_guard lock(mutex_);
    return accept_;
  }
  std::string authorization() {
    std::lock_guard lock(mutex_);
    return authorization_;
  }
  std::string target() {
    std::lock_guard lock(mutex_);
    return target_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  Gate gate_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  bool slow_arrived_ = false;
  std::string accept_, authorization_, target_;
};

net::HttpClient PlainClient(std::size_t max_body = 1024 * 1024) {
  return net::HttpClient(net::HttpClientOptions{"", /*allow_http=*/true, max_body});
}

TEST(HttpClient, GetReturnsStatusContentTypeAndBodyAndSendsTheCallersHeaders) {
  PlainServer server;
  auto r = PlainClient().Get(Parse(server.origin() + "/ok?a=b%7Cc"),
                             {{"Accept", "application/fhir+json"}, {"Authorization", "Bearer t"}},
                             In(kGenerous));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "application/fhir+json");
  EXPECT_EQ(r->body, R"({"resourceType":"Patient"})");
  EXPECT_EQ(server.accept(), "application/fhir+json");
  EXPECT_EQ(server.authorization(), "Bearer t");
  EXPECT_EQ(server.target(), "/ok?a=b%7Cc");  // sent as parsed, not encoded again
}

TEST(HttpClient, AnErrorStatusIsAnAnswerWithoutItsBody) {
  PlainServer server;
  auto r = PlainClient().Get(Parse(server.origin() + "/missing"), {}, In(kGenerous));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
  EXPECT_TRUE(r->body.empty()) << r->body;
}

TEST(HttpClient, PlainHttpIsRefusedUnlessAllowed) {
  PlainServer server;
  net::HttpClient https_only(net::HttpClientOptions{});
  auto r = https_only.Get(Parse(server.origin() + "/ok"), {}, In(kGenerous));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().ToString();
  EXPECT_EQ(server.requests(), 0);
}

TEST(HttpClient, ABodyOverTheCapIsRefused) {
  PlainServer server;
  auto r = PlainClient(/*max_body=*/1000).Get(Parse(server.origin() + "/big"), {}, In(kGenerous));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted) << r.status().ToString();
  EXPECT_NE(r.status().message().find("1000 bytes"), std::string::npos);
  // The same answer under a cap it fits.
  auto fits =
      PlainClient(/*max_body=*/100000).Get(Parse(server.origin() + "/big"), {}, In(kGenerous));
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(fits->body.size(), 100000u);
}

TEST(HttpClient, ARedirectIsReportedAndNotFollowed) {
  PlainServer server;
  auto r = PlainClient().Get(Parse(server.origin() + "/redirect"), {}, In(kGenerous));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition) << r.status().ToString();
  EXPECT_NE(r.status().message().find("HTTP 302"), std::string::npos) << r.status().message();
  EXPECT_EQ(server.requests(), 1);  // the redirect target was not requested
  EXPECT_TRUE(server.target().empty());
}

TEST(HttpClient, ASlowAnswerEndsAtTheDeadline) {
  PlainServer server;
  auto r =
      PlainClient().Get(Parse(server.origin() + "/slow"), {}, In(std::chrono::milliseconds(200)));
  server.OpenGate();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded) << r.status().ToString();
  // A deadline already past: no request at all.
  const int before = server.requests();
  auto late = PlainClient().Get(Parse(server.origin() + "/ok"), {}, Clock::now());
  EXPECT_EQ(late.status().code(), Code::kDeadlineExceeded);
  EXPECT_EQ(server.requests(), before);
}

TEST(HttpClient, CancellationFromAnotherThreadShutsTheRequestInFlight) {
  PlainServer server;
  net::Cancellation cancel;
  std::thread canceller([&] {
    server.WaitForSlowRequest();
    cancel.Cancel();
  });
  auto r = PlainClient().Get(Parse(server.origin() + "/slow"), {}, In(kGenerous), &cancel);
  canceller.join();
  server.OpenGate();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded) << r.status().ToString();
  EXPECT_TRUE(cancel.cancelled());
  // Once cancelled, a GET with it is not even sent.
  const int before = server.requests();
  auto again = PlainClient().Get(Parse(server.origin() + "/ok"), {}, In(kGenerous), &cancel);
  EXPECT_EQ(again.status().code(), Code::kDeadlineExceeded);
  EXPECT_EQ(server.requests(), before);
}

TEST(HttpClient, UnknownHostAndClosedPortAreUnavailable) {
  // .invalid never resolves (RFC 6761).
  auto r = PlainClient().Get(Parse("http://no-such-host.invalid/"), {}, In(kGenerous));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();
  auto closed = PlainClient().Get(
      Parse("http://127.0.0.1:" + std::to_string(ClosedLoopbackPort()) + "/"), {}, In(kGenerous));
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.status().code(), Code::kUnavailable) << closed.status().ToString();
}

// ---------------------------------------------------------------- https

class HttpClientTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("anakinra-http-client-" + std::to_string(::getpid()));
    ca_ = new TestCa(MakeTestCa(dir_));
    // A certificate from the same CA for another name only: the chain verifies, the host does not.
    wrong_name_ =
        new TestCa{ca_->ca_file, (dir_ / "other.pem").string(), (dir_ / "other.key").string()};
    const std::string d = dir_.string();
    std::ofstream(dir_ / "other.ext") << "basicConstraints=CA:FALSE\n"
                                         "keyUsage=critical,digitalSignature\n"
                                         "extendedKeyUsage=serverAuth\n"
                                         "subjectAltName=DNS:other.example\n";
    const std::string make =
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=other.example"
        " -keyout " +
        d + "/other.key -out " + d +
        "/other.csr 2>/dev/null && "
        "openssl x509 -req -in " +
        d + "/other.csr -CA " + ca_->ca_file + " -CAkey " + d +
        "/ca.key -set_serial 3 -days 1 -extfile " + d + "/other.ext -out " + d +
        "/other.pem 2>/dev/null";
    made_wrong_name_ = std::system(make.c_str()) == 0;
  }
  static void TearDownTestSuite() {
    delete ca_;
    delete wrong_name_;
    ca_ = wrong_name_ = nullptr;
    std::filesystem::remove_all(dir_);
  }
  static std::unique_ptr<HttpsTestServer> Serve(const TestCa& ca) {
    return std::make_unique<HttpsTestServer>(ca, [](httplib::Server& s) {
      s.Get("/jwks", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(R"({"keys":[]})", "application/json");
      });
    });
  }

  static inline std::filesystem::path dir_;
  static inline TestCa* ca_ = nullptr;
  static inline TestCa* wrong_name_ = nullptr;
  static inline bool made_wrong_name_ = false;
};

TEST_F(HttpClientTls, VerifiedHttpsSucceedsWithTheCa) {
  auto server = Serve(*ca_);
  net::HttpClient client(net::HttpClientOptions{ca_->ca_file, /*allow_http=*/false, 4096});
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    auto r = client.Get(Parse("https://" + host + ":" + std::to_string(server->port()) + "/jwks"),
                        {}, In(kGenerous));
    ASSERT_TRUE(r.ok()) << host << ": " << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, R"({"keys":[]})");
  }
  EXPECT_EQ(server->requests(), 2);
}

TEST_F(HttpClientTls, ACertificateTheStoreDoesNotTrustIsRefused) {
  auto server = Serve(*ca_);
  net::HttpClient system_store(net::HttpClientOptions{});  // does not know the test CA
  auto r = system_store.Get(Parse(server->origin() + "/jwks"), {}, In(kGenerous));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated) << r.status().ToString();
  EXPECT_EQ(server->requests(), 0);  // the handshake failed: no request was made
}

TEST_F(HttpClientTls, ACertificateForAnotherHostNameIsRefused) {
  ASSERT_TRUE(made_wrong_name_) << "openssl could not make the other.example certificate";
  auto server = Serve(*wrong_name_);
  net::HttpClient client(net::HttpClientOptions{ca_->ca_file, /*allow_http=*/false, 4096});
  auto r = client.Get(Parse(server->origin() + "/jwks"), {}, In(kGenerous));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated) << r.status().ToString();
  EXPECT_EQ(server->requests(), 0);
}

TEST_F(HttpClientTls, AMissingCaFileIsATlsFailure) {
  auto server = Serve(*ca_);
  net::HttpClient client(
      net::HttpClientOptions{(dir_ / "no-such-ca.pem").string(), /*allow_http=*/false, 4096});
  auto r = client.Get(Parse(server->origin() + "/jwks"), {}, In(kGenerous));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated) << r.status().ToString();
  EXPECT_EQ(server->requests(), 0);
}

}  // namespace
