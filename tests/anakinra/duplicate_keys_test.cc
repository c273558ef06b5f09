// Duplicate JSON keys inside FHIR resources (issue 16, item 9), through the real hook service and
// hooks/: a resource that gives a key twice is unreadable (which value is meant?), never a 400 and
// never read first-wins. A draft order's dose is then not read (dose-not-checked says why); a
// prefetch key holding such a resource is missing (policy §0: 200 with the cards the rest gives
// and data-not-checked, or 412 naming the key).
#include "base/json.h"
#include "service/hook_service.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace {

using namespace testing_support;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1795165200));

struct Answer {
  int status = 0;
  std::vector<std::string> codes;
  std::string body;
};

Answer Call(const rapidjson::Document& request) {
  auto r = RealHandler()->Call("anakinra-order-sign", base::ToString(request), kNow);
  return Answer{r.status, r.card_codes, r.body};
}

bool Has(const std::vector<std::string>& codes, const std::string& code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

// Gives `resource`'s member `name` a second time (RapidJSON keeps both).
void Twice(rapidjson::Value& resource, const char* name, rapidjson::Document& doc) {
  ASSERT_TRUE(resource.IsObject() && resource.HasMember(name)) << name;
  rapidjson::Value copy(resource[name], doc.GetAllocator());
  resource.AddMember(rapidjson::Value(name, doc.GetAllocator()), copy, doc.GetAllocator());
}

TEST(DuplicateKeys, ADraftOrderWithAKeyTwiceKeepsItsCardsAndSaysItsDoseWasNotRead) {
  auto doc = ParseJsonOrDie(SampleRequest("adult-tnf-antagonist"));
  const Answer before = Call(doc);
  ASSERT_EQ(before.status, 200) << before.body;
  ASSERT_TRUE(Has(before.codes, "tnf-antagonist")) << before.body;
  rapidjson::Value* anakinra = nullptr;
  for (auto& e : doc["context"]["draftOrders"]["entry"].GetArray())
    if (e["resource"].HasMember("dosageInstruction")) anakinra = &e["resource"];
  ASSERT_NE(anakinra, nullptr);
  Twice(*anakinra, "dosageInstruction", doc);
  const Answer after = Call(doc);
  EXPECT_EQ(after.status, 200) << after.body;
  EXPECT_TRUE(Has(after.codes, "tnf-antagonist")) << after.body;
  EXPECT_TRUE(Has(after.codes, "dose-not-checked")) << after.body;
  EXPECT_NE(after.body.find("JSON key more than once"), std::string::npos) << after.body;
}

TEST(DuplicateKeys, APrefetchResourceWithAKeyTwiceMakesItsKeyMissing) {
  auto doc = ParseJsonOrDie(SampleRequest("adult-ra-clean"));
  ASSERT_EQ(Call(doc).status, 200);
  Twice(doc["prefetch"]["patient"], "birthDate", doc);
  const Answer a = Call(doc);
  // Nothing else gives a warning: 412 naming the key and why.
  EXPECT_EQ(a.status, 412) << a.body;
  EXPECT_NE(a.body.find("prefetch.patient"), std::string::npos) << a.body;
  EXPECT_NE(a.body.find("gives a JSON key more than once"), std::string::npos) << a.body;

  // With a warning card from the rest, 200 with it and data-not-checked.
  auto tnf = ParseJsonOrDie(SampleRequest("adult-tnf-antagonist"));
  Twice(tnf["prefetch"]["patient"], "birthDate", tnf);
  const Answer b = Call(tnf);
  EXPECT_EQ(b.status, 200) << b.body;
  EXPECT_TRUE(Has(b.codes, "tnf-antagonist")) << b.body;
  EXPECT_TRUE(Has(b.codes, "data-not-checked")) << b.body;
}

}  // namespace
