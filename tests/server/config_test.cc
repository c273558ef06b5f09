// Configuration from JSON and the environment: every setting, and a message naming the key for
// every mistake.
#include "server/config_file.h"

#include <gtest/gtest.h>

#include <map>

namespace {

using server::ApplyConfigJson;
using server::ServerConfig;

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST(ConfigFile, AppliesEveryKind) {
  ServerConfig c;
  auto problems = ApplyConfigJson(R"({"host":"0.0.0.0","port":9090,"max_body_bytes":1024,
      "allowed_origins":["https://a.example","https://b.example"],"log_level":"warn",
      "data_dir":"/var/lib/x","fetch_deadline_ms":300})",
                                  c);
  EXPECT_TRUE(problems.empty()) << Joined(problems);
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.port, 9090);
  EXPECT_EQ(c.max_body_bytes, 1024u);
  EXPECT_EQ(c.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(c.log_level, "warn");
  EXPECT_EQ(c.data_dir, "/var/lib/x");
  EXPECT_EQ(c.fetch_deadline_ms, 300);
}

TEST(ConfigFile, EveryDefaultRoundTrips) {
  // Writing each default as JSON and reading it back is accepted: the table's types are right.
  const ServerConfig defaults;
  std::string json = "{";
  for (const auto& s : server::Settings())
    json += std::string(json.size() > 1 ? "," : "") + "\"" + s.key + "\":" + s.Format(defaults);
  json += "}";
  ServerConfig c;
  auto problems = ApplyConfigJson(json, c);
  EXPECT_TRUE(problems.empty()) << Joined(problems) << json;
  for (const auto& s : server::Settings()) EXPECT_EQ(s.Format(c), s.Format(defaults)) << s.key;
}

TEST(ConfigFile, UnknownKeyNamesItAndSuggests) {
  ServerConfig c;
  auto problems = ApplyConfigJson(R"({"prot":9090})", c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("\"prot\": unknown setting"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("did you mean \"port\""), std::string::npos) << problems[0];
}

TEST(ConfigFile, WrongTypesAndRangesNameTheKeyAndChangeNothing) {
  ServerConfig c;
  auto problems = ApplyConfigJson(
      R"({"port":"8080","host":1,"allowed_origins":"*","max_body_bytes":-1,"threads":1.5,"port2":0,
          "fetch_deadline_ms":0,"trusted_issuers":["a",2]})",
      c);
  const std::string all = Joined(problems);
  EXPECT_EQ(problems.size(), 8u) << all;
  EXPECT_NE(all.find("\"port\": must be an integer from 0 to 65535, got a string"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("\"host\": must be a string, got an integer"), std::string::npos) << all;
  EXPECT_NE(all.find("\"allowed_origins\": must be an array of strings, got a string"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("\"max_body_bytes\": must be an integer >= 1, got -1"), std::string::npos)
      << all;
  EXPECT_NE(all.find("\"threads\": must be an integer >= 0, got a number with a fraction"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("\"fetch_deadline_ms\": must be an integer from 1 to 60000, got 0"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("\"trusted_issuers\": [1] must be a string"), std::string::npos) << all;
  EXPECT_EQ(c.port, ServerConfig{}.port);
}

TEST(ConfigFile, InvalidJsonGivesLineAndColumn) {
  ServerConfig c;
  auto problems = ApplyConfigJson("{\n  \"port\": 8080,\n  \"host\" \"x\"\n}", c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("3:10: not valid JSON", 0), 0u) << problems[0];
  problems = ApplyConfigJson("[1]", c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("must be a JSON object"), std::string::npos);
}

TEST(ConfigFile, MissingFileIsAProblem) {
  ServerConfig c;
  auto problems = server::ApplyConfigFile("/nonexistent/anakinra.json", c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("cannot read"), std::string::npos);
}

TEST(ConfigEnv, AppliesVariablesAndNamesBadOnes) {
  std::map<std::string, std::string> env = {
      {"ANAKINRA_PORT", " 9191 "},
      {"ANAKINRA_ALLOWED_ORIGINS", "https://a.example, https://b.example"},
      {"ANAKINRA_DATA_DIR", "/srv/data"},
      {"ANAKINRA_LOG_LEVEL", "debug"}};
  auto getenv_fn = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  ServerConfig c;
  auto problems = server::ApplyEnvironment(c, getenv_fn);
  EXPECT_TRUE(problems.empty()) << Joined(problems);
  EXPECT_EQ(c.port, 9191);
  EXPECT_EQ(c.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(c.data_dir, "/srv/data");
  EXPECT_EQ(c.log_level, "debug");

  env = {{"ANAKINRA_PORT", "80x"}, {"ANAKINRA_THREADS", "-2"}};
  ServerConfig d;
  problems = server::ApplyEnvironment(d, getenv_fn);
  const std::string all = Joined(problems);
  ASSERT_EQ(problems.size(), 2u) << all;
  EXPECT_NE(all.find("ANAKINRA_PORT: must be an integer from 0 to 65535, got \"80x\""),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("ANAKINRA_THREADS: must be an integer >= 0, got -2"), std::string::npos)
      << all;
}

TEST(ConfigEnv, EveryKeyHasItsVariable) {
  for (const auto& s : server::Settings()) {
    std::string expected = "ANAKINRA_";
    for (const char* p = s.key; *p; ++p) expected += static_cast<char>(std::toupper(*p));
    EXPECT_EQ(s.env(), expected);
  }
}

TEST(ConfigCheck, Combinations) {
  ServerConfig c;
  EXPECT_TRUE(server::CheckConfig(c).empty());
  c.log_level = "verbose";
  c.tls_cert_file = "cert.pem";
  c.trusted_issuers = {"no-equals-sign"};
  const std::string all = Joined(server::CheckConfig(c));
  EXPECT_NE(all.find("\"log_level\""), std::string::npos) << all;
  EXPECT_NE(all.find("\"tls_cert_file\" and \"tls_key_file\""), std::string::npos) << all;
  EXPECT_NE(all.find("\"trusted_issuers\": \"no-equals-sign\" must be ISS=VALUE"),
            std::string::npos)
      << all;
}

}  // namespace
