// URL parsing, origin comparison, loopback detection and the allowlist of net/url.h.
#include "net/url.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace {

std::optional<net::Url> Parse(const std::string& text) {
  auto url = net::ParseUrl(text);
  if (!url.ok()) return std::nullopt;
  return *url;
}

TEST(Url, ParsesAndNormalises) {
  auto u = Parse("HTTPS://FHIR.Example.org/R4/?a=b|c");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "fhir.example.org");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->path, "/R4/");
  EXPECT_EQ(u->query, "a=b%7Cc");
  EXPECT_EQ(u->Origin(), "https://fhir.example.org:443");
  auto v6 = Parse("http://[::1]:8080");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->path, "/");
  EXPECT_EQ(v6->Origin(), "http://[::1]:8080");
}

TEST(Url, RefusesAmbiguousUrls) {
  for (const char* bad :
       {"https://allowed.example@evil.example/", "https://user:pw@host/", "ftp://host/",
        "https://host:0/", "https://host:65536/", "https://host:80x/", "https://host:/",
        "https://ho st/", "https://host/a b", "https://host\\@evil/", "https://host/#frag",
        "https://host/../etc", "https://host/a/%2e%2e/b", "https://0x7f.0.0.1/", "https://127.1/",
        "https://0177.0.0.1/", "https:///path", "//host/path", "host/path",
        "https://[fe80::1%25eth0]/", "https://host/\x01",
        // Escapes a server decodes into a separator, a dot segment, a NUL or a
        // second round of decoding (issue 16, item 9).
        "https://host/fhir/..%2Fadmin", "https://host/fhir%2F..%2Fadmin", "https://host/fhir/a%2fb",
        "https://host/fhir/%2E%2E/admin", "https://host/fhir/.%2E", "https://host/fhir/..%5Cadmin",
        "https://host/fhir/Patient%00.json", "https://host/fhir/Patient%0A",
        "https://host/fhir/%7F", "https://host/fhir/%252F",
        "https://host/fhir/..%252F..%252Fadmin"}) {
    auto url = net::ParseUrl(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.status().code(), base::Status::Code::kInvalidArgument) << bad;
    EXPECT_FALSE(url.status().message().empty()) << bad;
  }
}

TEST(Url, HarmlessEscapesInThePathAndEncodedSlashesInTheQueryAreAccepted) {
  auto u = Parse("https://host/fhir/Patient/a%20b%2Dc?code=http%3A%2F%2Floinc.org%7C1-8&x=%2F..");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->path, "/fhir/Patient/a%20b%2Dc");
  EXPECT_EQ(u->query, "code=http%3A%2F%2Floinc.org%7C1-8&x=%2F..");
  EXPECT_TRUE(Parse("https://host/fhir/..x/.well-known/a..b"));  // dots that are not a segment
}

TEST(Url, AnEncodedSeparatorNeverReachesPastAnAllowlistedPrefix) {
  auto list = net::UrlAllowlist::Create({"https://ehr.example/fhir/"});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  // Each looks as if it were under /fhir/ but a server that decodes it serves /admin.
  for (const char* u :
       {"https://ehr.example/fhir/..%2Fadmin", "https://ehr.example/fhir/..%5Cadmin",
        "https://ehr.example/fhir/%2e%2e/admin"}) {
    auto url = net::ParseUrl(u);
    EXPECT_FALSE(url.ok() && list->Allows(*url)) << u;
  }
  auto bad = net::UrlAllowlist::Create({"https://ehr.example/fhir%2F..%2F"});
  EXPECT_FALSE(bad.ok());
}

TEST(Url, SameOriginComparesSchemeHostAndPort) {
  EXPECT_TRUE(net::SameOrigin(*Parse("https://a.example/x"), *Parse("https://A.example:443/y")));
  EXPECT_FALSE(net::SameOrigin(*Parse("https://a.example/"), *Parse("http://a.example/")));
  EXPECT_FALSE(net::SameOrigin(*Parse("https://a.example/"), *Parse("https://a.example:8443/")));
  EXPECT_FALSE(net::SameOrigin(*Parse("http://127.0.0.1:80/"), *Parse("http://localhost/")));
}

TEST(Url, LoopbackDetection) {
  for (const char* u : {"http://127.0.0.1/", "https://127.9.8.7:1/", "http://localhost:5/",
                        "http://[::1]/", "https://LOCALHOST/"})
    EXPECT_TRUE(net::IsLoopback(*Parse(u))) << u;
  for (const char* u : {"http://10.255.255.1/", "http://128.0.0.1/", "http://localhost.evil.com/",
                        "http://[::2]/", "http://example.org/", "http://127.0.0.1.evil.com/"})
    EXPECT_FALSE(net::IsLoopback(*Parse(u))) << u;
}

TEST(Url, DefaultAllowlistIsLoopbackOnly) {
  auto list = net::UrlAllowlist::Create({});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_TRUE(list->Allows(*Parse("http://127.0.0.1:9/fhir")));
  EXPECT_TRUE(list->Allows(*Parse("https://localhost/fhir")));
  EXPECT_TRUE(list->Allows(*Parse("http://[::1]:8080/")));
  EXPECT_FALSE(list->Allows(*Parse("http://10.255.255.1/fhir")));
  EXPECT_FALSE(list->Allows(*Parse("https://fhir.example.org/")));
}

TEST(Url, AllowlistPrefixesCompareOriginExactlyAndPathBySegment) {
  auto list = net::UrlAllowlist::Create({"https://ehr.example/fhir/", "http://dev.local:8080"});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_TRUE(list->Allows(*Parse("https://ehr.example/fhir")));
  EXPECT_TRUE(list->Allows(*Parse("https://EHR.example:443/fhir/R4/Patient?x=1")));
  EXPECT_FALSE(list->Allows(*Parse("https://ehr.example/fhirx")));
  EXPECT_FALSE(list->Allows(*Parse("https://ehr.example/other")));
  EXPECT_FALSE(list->Allows(*Parse("http://ehr.example/fhir")));            // scheme
  EXPECT_FALSE(list->Allows(*Parse("https://ehr.example:8443/fhir")));      // port
  EXPECT_FALSE(list->Allows(*Parse("https://ehr.example.evil.com/fhir")));  // host prefix
  EXPECT_FALSE(list->Allows(*Parse("https://evil.com/ehr.example/fhir")));
  EXPECT_FALSE(list->Allows(*Parse("http://127.0.0.1/")));  // loopback is no longer implied
  EXPECT_TRUE(list->Allows(*Parse("http://dev.local:8080/anything")));
  auto bad = net::UrlAllowlist::Create({"https://a@b/"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("https://a@b/"), std::string::npos);
}

}  // namespace
