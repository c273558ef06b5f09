#include "base/json.h"

#include <gtest/gtest.h>

namespace {

TEST(ParseJson, AcceptsValidDocument) {
  rapidjson::Document doc;
  EXPECT_TRUE(base::ParseJson(R"({"a":[1,2,{"b":"c"}]})", 8, doc).ok());
  EXPECT_EQ(base::StringMember(doc["a"][2], "b").value_or(""), "c");
}

TEST(ParseJson, RejectsSyntaxErrorsWithOffset) {
  rapidjson::Document doc;
  auto e = base::ParseJson(R"({"a": 1,})", 8, doc);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.code(), base::Status::Code::kInvalidArgument);
  EXPECT_NE(e.message().find("offset"), std::string::npos);
}

TEST(ParseJson, RejectsTrailingData) {
  rapidjson::Document doc;
  EXPECT_FALSE(base::ParseJson(R"({"a":1} {"b":2})", 8, doc).ok());
}

TEST(ParseJson, DepthLimitEdges) {
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  rapidjson::Document doc;
  EXPECT_TRUE(base::ParseJson(nested(63), 64, doc).ok());
  EXPECT_TRUE(base::ParseJson(nested(64), 64, doc).ok());
  auto e = base::ParseJson(nested(65), 64, doc);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.code(), base::Status::Code::kResourceExhausted);
  EXPECT_NE(e.message().find("deeper than 64"), std::string::npos);
}

TEST(ParseJson, HugeNestingDoesNotCrash) {
  rapidjson::Document doc;
  const std::string deep(1'000'000, '[');
  EXPECT_FALSE(base::ParseJson(deep, 64, doc).ok());
}

TEST(Members, WrongTypesReadAsAbsent) {
  rapidjson::Document doc;
  ASSERT_TRUE(base::ParseJson(R"({"s":1,"n":"x","b":"true"})", 8, doc).ok());
  EXPECT_FALSE(base::StringMember(doc, "s"));
  EXPECT_FALSE(base::NumberMember(doc, "n"));
  EXPECT_FALSE(base::BoolMember(doc, "b"));
  EXPECT_EQ(base::Member(doc, "missing"), nullptr);
}

}  // namespace
