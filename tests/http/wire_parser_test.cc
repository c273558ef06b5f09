// The strict request parser (http/wire_parser.h) on its own: each framing rule of
// docs/security.md, fed byte strings, with the status it answers.
#include "http/wire_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using http::wire::RequestParser;
using Result = RequestParser::Result;

constexpr const char* kPostHead =
    "POST /cds-services/x HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n";

// The status a whole request gets: 200 when complete, else the refusal's status (0: needs more).
int StatusOf(const std::string& bytes, http::wire::Limits limits = {}) {
  RequestParser p(limits);
  for (;;) {
    switch (p.Parse(bytes)) {
      case Result::kComplete:
        return 200;
      case Result::kError:
        return p.error().status;
      case Result::kNeedMore:
        return 0;
      case Result::kHead:
        continue;
    }
  }
}

TEST(WireParser, ParsesAGetAndAPostWithItsBody) {
  RequestParser p({});
  const std::string get = "GET /cds-services?x=1 HTTP/1.1\r\nHost: a\r\nX-A:  b \r\n\r\n";
  ASSERT_EQ(p.Parse(get), Result::kComplete);
  EXPECT_EQ(p.request().method, "GET");
  EXPECT_EQ(p.request().path, "/cds-services");
  EXPECT_EQ(p.request().Header("x-a"), "b");
  EXPECT_TRUE(p.request().keep_alive);
  EXPECT_EQ(p.consumed(), get.size());

  p.Reset();
  const std::string post = std::string(kPostHead) + "Content-Length: 2\r\n\r\n{}GET";
  ASSERT_EQ(p.Parse(post.substr(0, post.size() - 5)), Result::kHead);
  ASSERT_EQ(p.Parse(post.substr(0, post.size() - 4)), Result::kNeedMore);
  ASSERT_EQ(p.Parse(post), Result::kComplete);
  EXPECT_EQ(p.request().body, "{}");
  EXPECT_EQ(p.consumed(), post.size() - 3);  // the pipelined rest stays for the next request
}

TEST(WireParser, HeadArrivingByteByByteIsFound) {
  const std::string get = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
  RequestParser p({});
  for (std::size_t i = 1; i < get.size(); ++i)
    ASSERT_EQ(p.Parse(get.substr(0, i)), Result::kNeedMore);
  ASSERT_EQ(p.Parse(get), Result::kComplete);
  EXPECT_TRUE(p.request().keep_alive);
}

TEST(WireParser, SmugglingShapesAreRefused) {
  const std::string h = kPostHead;
  EXPECT_EQ(StatusOf(h + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}"), 400);
  EXPECT_EQ(StatusOf(h + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{} "), 400);
  EXPECT_EQ(StatusOf(h + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}"), 400);
  EXPECT_EQ(StatusOf(h + "Content-Length : 2\r\n\r\n{}"), 400);
  EXPECT_EQ(StatusOf(h + "Content-Length: +2\r\n\r\n{}"), 400);
  EXPECT_EQ(StatusOf(h + "Content-Length: 2, 2\r\n\r\n{}"), 400);
  EXPECT_EQ(StatusOf(h + "Content-Length: 2\r\nNoColonHere\r\n\r\n{}"), 400);
  EXPECT_EQ(StatusOf(h + "Content-Length: 2\r\nX: a\rb\r\n\r\n{}"), 400);
  EXPECT_EQ(StatusOf(h + "Content-Length: 2\r\nX: a" + std::string(1, '\0') + "\r\n\r\n{}"), 400);
  EXPECT_EQ(StatusOf(h + "Content-Length: 2\r\nHost: b\r\n\r\n{}"), 400);
  EXPECT_EQ(StatusOf(h + "Content-Length: 2\r\n folded\r\n\r\n{}"), 400);
  EXPECT_EQ(StatusOf(h + "Content-Length: 2\nX: y\r\n\r\n{}"), 400);
  EXPECT_EQ(StatusOf(h + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"), 411);
  EXPECT_EQ(StatusOf(h + "Transfer-Encoding: gzip\r\n\r\n"), 501);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\n\r\n"), 400);  // no Host
  EXPECT_EQ(StatusOf("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
  EXPECT_EQ(StatusOf("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("\x16\x03\x01 hello"), 400);  // a TLS ClientHello on the plain port
}

TEST(WireParser, LimitsBeforeTheBody) {
  const std::string h = kPostHead;
  EXPECT_EQ(StatusOf(h + "Content-Length: 9999999999\r\n\r\n"), 413);
  EXPECT_EQ(StatusOf(h + "Content-Length: 99999999999999999999999\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf(h + "Content-Length: 2\r\nContent-Encoding: br\r\n\r\n{}"), 415);
  EXPECT_EQ(StatusOf(h + "Content-Length: 2\r\nContent-Encoding: identity\r\n\r\n{}"), 200);
  EXPECT_EQ(StatusOf(std::string("POST /x HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\n") +
                     "Content-Length: 2\r\n\r\n{}"),
            415);
  EXPECT_EQ(
      StatusOf("POST /x HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded"
               "\r\nContent-Length: 2\r\n\r\nab"),
      415);
  EXPECT_EQ(StatusOf("POST /x HTTP/1.1\r\nHost: a\r\nContent-Type: application/fhir+json; "
                     "charset=UTF-8\r\nContent-Length: 2\r\n\r\n{}"),
            200);
  EXPECT_EQ(StatusOf(h + "\r\n"), 411);
  EXPECT_EQ(StatusOf(h + "Authorization: a\r\nAuthorization: b\r\nContent-Length: 2\r\n\r\n{}"),
            400);
  EXPECT_EQ(StatusOf(h + "Content-Length: 2\r\n\r\n\xff\xfe"), 400);
  EXPECT_EQ(StatusOf(h + "Content-Length: 2\r\nExpect: nothing\r\n\r\n{}"), 417);

  http::wire::Limits small;
  small.max_headers = 4;
  std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 4; ++i) many += "X: y\r\n";
  EXPECT_EQ(StatusOf(many + "\r\n", small), 431);
  // The total head size is refused before its end arrives.
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(9000, 'a')), 431);
}

TEST(WireParser, Utf8) {
  EXPECT_TRUE(http::wire::IsValidUtf8("plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(http::wire::IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(http::wire::IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(http::wire::IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(http::wire::IsValidUtf8("\xe2\x82"));          // cut short
}

// The ASCII fast path reads eight bytes at a time: a bad or good sequence at every offset of a
// long ASCII text, and at its very end, is judged as byte by byte.
TEST(WireParser, Utf8AtEveryOffsetOfALongText) {
  for (std::size_t at = 0; at < 40; ++at) {
    std::string text(40, 'a');
    text[at] = '\xff';
    EXPECT_FALSE(http::wire::IsValidUtf8(text)) << at;
    text[at] = '\xc3';
    EXPECT_FALSE(http::wire::IsValidUtf8(text)) << at;  // a lead byte followed by 'a'
    text.insert(at + 1, 1, '\xa9');
    EXPECT_TRUE(http::wire::IsValidUtf8(text)) << at;
    std::string cut(at, 'a');
    cut += "\xe2\x82";
    EXPECT_FALSE(http::wire::IsValidUtf8(cut)) << at;
  }
  EXPECT_TRUE(http::wire::IsValidUtf8(std::string(4096, '{')));
}

}  // namespace
