// What the event loops answer themselves and what they hand to a worker: a hook call that needs
// a fetch goes to a worker (it is never fetched on a loop, nor twice), and while it waits the one
// loop keeps answering every other connection.
#include "service/hook_service.h"
#include "support/live_server.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>

namespace {

using namespace testing_support;
using namespace std::chrono_literals;

// A request without any prefetch: the service must fetch before it can answer.
std::string WithoutPrefetch(const std::string& sample) {
  rapidjson::Document doc = ParseJsonOrDie(SampleRequest(sample));
  doc.RemoveMember("prefetch");
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  doc.Accept(w);
  return out.GetString();
}

TEST(EventLoop, AFetchWaitsOnAWorkerWhileTheLoopAnswersEveryoneElse) {
  config::ServerConfig config;
  config.io_threads = 1;  // every connection on the same loop
  config.threads = 2;
  std::atomic<int> fetches{0};
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  LiveServer server(config, {}, [&](service::HookService& hooks) {
    hooks.set_fetcher(
        [&](const cdshooks::ServiceDefinition&, const service::FetchWork&, cdshooks::Request&) {
          if (fetches.fetch_add(1) == 0) entered.set_value();
          released.wait_for(20s);  // a FHIR server that takes its time
          return service::FetchResult{};
        });
  });

  std::atomic<bool> slow_done{false};
  int slow_status = 0;
  std::thread slow([&] {
    auto client = server.client();
    client.set_read_timeout(30, 0);
    auto r = client.Post("/cds-services/anakinra-order-sign", WithoutPrefetch("adult-ra-clean"),
                         "application/json");
    slow_status = r ? r->status : -1;
    slow_done = true;
  });
  ASSERT_EQ(entered.get_future().wait_for(20s), std::future_status::ready);

  // The fetch is waiting; another connection on the same loop is answered meanwhile.
  auto client = server.client();
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto cards = client.Post("/cds-services/anakinra-order-sign",
                           SampleRequest("adult-tnf-antagonist"), "application/json");
  ASSERT_TRUE(cards);
  EXPECT_EQ(cards->status, 200) << cards->body;
  EXPECT_NE(cards->body.find("tnf-antagonist"), std::string::npos) << cards->body;
  EXPECT_FALSE(slow_done) << "the fetch did not wait: the test proves nothing";

  release.set_value();
  slow.join();
  // Nothing was fetched, so the keys are missing: 412, and the fetcher ran once (the loop's
  // attempt stopped before it).
  EXPECT_EQ(slow_status, 412);
  EXPECT_EQ(fetches.load(), 1);
}

TEST(EventLoop, ConnectionsAreSharedByEveryLoop) {
  config::ServerConfig config;
  config.io_threads = 3;
  LiveServer server(config);
  // 12 connections opened at once, each asked several times: every one answered.
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int i = 0; i < 12; ++i) {
    clients.emplace_back([&] {
      auto client = server.client();
      for (int k = 0; k < 5; ++k) {
        auto r = client.Post("/cds-services/anakinra-order-sign",
                             SampleRequest("adult-tnf-antagonist"), "application/json");
        if (r && r->status == 200) ++answered;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(answered.load(), 60);
}

}  // namespace
