#include "base/json.h"

#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

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

TEST(DuplicateKeys, FoundInTheObjectOrAnywhereWithin) {
  rapidjson::Document doc;
  ASSERT_TRUE(base::ParseJson(R"({"a":1,"b":{"c":[{"d":1,"d":2}]},"e":2})", 8, doc).ok());
  EXPECT_FALSE(base::DuplicateKey(doc));  // its own members are distinct
  EXPECT_EQ(base::DuplicateKeyWithin(doc).value_or(""), "d");
  ASSERT_TRUE(base::ParseJson(R"({"a":1,"b":2,"a":3})", 8, doc).ok());
  EXPECT_EQ(base::DuplicateKey(doc).value_or(""), "a");
  EXPECT_EQ(base::Member(doc, "a")->GetInt(), 1);  // why it matters: Member reads the first
  // Many members (sorted, not pairwise); names differing only after a NUL are distinct.
  std::string many = "{";
  for (int i = 0; i < 100; ++i) many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  ASSERT_TRUE(base::ParseJson(many + "\"x\":0}", 8, doc).ok());
  EXPECT_FALSE(base::DuplicateKeyWithin(doc));
  ASSERT_TRUE(base::ParseJson(many + "\"k42\":0}", 8, doc).ok());
  EXPECT_EQ(base::DuplicateKey(doc).value_or(""), "k42");
  ASSERT_TRUE(base::ParseJson(R"({"a\u0000x":1,"a\u0000y":2,"":3})", 8, doc).ok());
  EXPECT_FALSE(base::DuplicateKey(doc));
  ASSERT_TRUE(base::ParseJson(R"([1,"a",null])", 8, doc).ok());
  EXPECT_FALSE(base::DuplicateKeyWithin(doc));
}

}  // namespace

namespace {

std::string WrittenByRapidJson(const std::string& s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return {buf.GetString(), buf.GetSize()};
}

// AppendJsonString writes every byte as RapidJSON's Writer does, so the cards it writes parse
// back to the text they were given.
TEST(AppendJsonString, EveryByteAsRapidJsonWritesIt) {
  // Each byte at each position of a text long enough for the eight-byte scan, among UTF-8
  // bytes (high bit set) and ordinary ones.
  const std::string base =
      "ab\xC3\xA9"
      "cd\xE2\x80\xA6"
      "efghijkl";
  for (int c = 1; c < 256; ++c) {
    for (std::size_t at = 0; at <= base.size(); ++at) {
      std::string s = base;
      s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(c));
      std::string out;
      base::AppendJsonString(s, out);
      ASSERT_EQ(out, WrittenByRapidJson(s)) << "byte " << c << " at " << at;
    }
  }
  for (const std::string& s : {std::string(), std::string("\"\\\n\t"), std::string("ünïcödé …"),
                               std::string("ends with a quote\""), std::string(1000, 'x')}) {
    std::string out = "prefix:";
    base::AppendJsonString(s, out);
    std::string want = "prefix:";
    want += WrittenByRapidJson(s);
    EXPECT_EQ(out, want);
    rapidjson::Document doc;
    ASSERT_TRUE(base::ParseJson(out.substr(7), 8, doc).ok());
    EXPECT_EQ(base::View(doc), s);
  }
}

}  // namespace
