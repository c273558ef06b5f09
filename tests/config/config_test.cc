// The settings table and what is made from it: the file parser (bounded, no trailing data, no
// duplicate keys), the environment, the flags (ApplyFlags and the real binary's CLI), the
// precedence, CheckConfig, and the table in docs/operations.md.
#include "config/config_file.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace {

using config::ApplyConfigJson;
using config::ServerConfig;

// Each mistake's message (the config functions return one Problem per mistake).
std::vector<std::string> Messages(const base::Status& status) {
  std::vector<std::string> out;
  for (const auto& p : status.problems()) out.push_back(p.message);
  return out;
}

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

// One Problem per mistake in an invalid-argument Status; the config is untouched.
TEST(ConfigFile, MistakesAreOneStatusWithAProblemEach) {
  ServerConfig c;
  const base::Status s = ApplyConfigJson(R"({"port":"x","prot":1})", c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), base::Status::Code::kInvalidArgument);
  ASSERT_EQ(s.problems().size(), 2u);
  EXPECT_EQ(s.message(), s.problems()[0].message);
  EXPECT_NE(s.problems()[1].message.find("\"prot\": unknown setting"), std::string::npos);
  EXPECT_EQ(c.port, ServerConfig{}.port);
  EXPECT_EQ(config::ApplyConfigFile("/nonexistent/anakinra.json", c).code(),
            base::Status::Code::kIoError);
  EXPECT_TRUE(ApplyConfigJson(R"({"port":9090})", c).ok());
  EXPECT_EQ(c.port, 9090);
}

TEST(ConfigFile, AppliesEveryKind) {
  ServerConfig c;
  auto problems = Messages(ApplyConfigJson(R"({"host":"0.0.0.0","port":9090,"max_body_bytes":1024,
      "allowed_origins":["https://a.example","https://b.example"],"log_level":"warn",
      "data_dir":"/var/lib/x","fetch_deadline_ms":300})",
                                           c));
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
  for (const auto& s : config::Settings())
    json += std::string(json.size() > 1 ? "," : "") + "\"" + s.key + "\":" + s.Format(defaults);
  json += "}";
  ServerConfig c;
  auto problems = Messages(ApplyConfigJson(json, c));
  EXPECT_TRUE(problems.empty()) << Joined(problems) << json;
  for (const auto& s : config::Settings()) EXPECT_EQ(s.Format(c), s.Format(defaults)) << s.key;
}

TEST(ConfigFile, UnknownKeyNamesItAndSuggests) {
  ServerConfig c;
  auto problems = Messages(ApplyConfigJson(R"({"prot":9090})", c));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("\"prot\": unknown setting"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("did you mean \"port\""), std::string::npos) << problems[0];
}

TEST(ConfigFile, WrongTypesAndRangesNameTheKeyAndChangeNothing) {
  ServerConfig c;
  auto problems = Messages(ApplyConfigJson(
      R"({"port":"8080","host":1,"allowed_origins":"*","max_body_bytes":-1,"threads":1.5,"port2":0,
          "fetch_deadline_ms":0,"trusted_issuers":["a",2]})",
      c));
  const std::string all = Joined(problems);
  EXPECT_EQ(problems.size(), 8u) << all;
  EXPECT_NE(all.find("\"port\": must be an integer from 0 to 65535, got a string"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("\"host\": must be a string, got an integer"), std::string::npos) << all;
  EXPECT_NE(all.find("\"allowed_origins\": must be an array of strings, got a string"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("\"max_body_bytes\": must be an integer from 1 to 67108864, got -1"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("\"threads\": must be an integer from 0 to 256, got a number with a fraction"),
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
  auto problems = Messages(ApplyConfigJson("{\n  \"port\": 8080,\n  \"host\" \"x\"\n}", c));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("3:10: not valid JSON", 0), 0u) << problems[0];
  problems = Messages(ApplyConfigJson("[1]", c));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("must be a JSON object"), std::string::npos);
}

TEST(ConfigFile, MissingFileIsAProblem) {
  ServerConfig c;
  auto problems = Messages(config::ApplyConfigFile("/nonexistent/anakinra.json", c));
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
  auto problems = Messages(config::ApplyEnvironment(c, getenv_fn));
  EXPECT_TRUE(problems.empty()) << Joined(problems);
  EXPECT_EQ(c.port, 9191);
  EXPECT_EQ(c.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(c.data_dir, "/srv/data");
  EXPECT_EQ(c.log_level, "debug");

  env = {{"ANAKINRA_PORT", "80x"}, {"ANAKINRA_THREADS", "-2"}};
  ServerConfig d;
  problems = Messages(config::ApplyEnvironment(d, getenv_fn));
  const std::string all = Joined(problems);
  ASSERT_EQ(problems.size(), 2u) << all;
  EXPECT_NE(all.find("ANAKINRA_PORT: must be an integer from 0 to 65535, got \"80x\""),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("ANAKINRA_THREADS: must be an integer from 0 to 256, got -2"),
            std::string::npos)
      << all;
}

TEST(ConfigEnv, EveryKeyHasItsVariable) {
  for (const auto& s : config::Settings()) {
    std::string expected = "ANAKINRA_";
    for (const char* p = s.key; *p; ++p) expected += static_cast<char>(std::toupper(*p));
    EXPECT_EQ(s.env(), expected);
  }
}

TEST(ConfigCheck, Combinations) {
  ServerConfig c;
  EXPECT_TRUE(Messages(config::CheckConfig(c)).empty());
  c.log_level = "verbose";
  c.tls_cert_file = "cert.pem";
  c.trusted_issuers = {"no-equals-sign"};
  const std::string all = Joined(Messages(config::CheckConfig(c)));
  EXPECT_NE(all.find("\"log_level\""), std::string::npos) << all;
  EXPECT_NE(all.find("\"tls_cert_file\" and \"tls_key_file\""), std::string::npos) << all;
  EXPECT_NE(all.find("\"trusted_issuers\": \"no-equals-sign\" must be ISS=VALUE"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("\"public_url\": required with \"trusted_issuers\""), std::string::npos)
      << all;
  c = ServerConfig{};
  c.trusted_jku = {"https://iss=https://jku.example/"};
  c.public_url = "https://cds.example";
  EXPECT_TRUE(Messages(config::CheckConfig(c)).empty()) << Joined(Messages(config::CheckConfig(c)));
}

// --- The file parser: bounded, one JSON object and nothing after it, each key once. ---

TEST(ConfigFile, TrailingDataAfterTheObjectIsRefused) {
  for (const std::string& text :
       {std::string(R"({"port":9090} x)"), std::string(R"({"port":9090}{"port":1})"),
        std::string(R"({"port":9090},)"), std::string("{\"port\":9090}\0{\"port\":1}", 25)}) {
    ServerConfig c;
    auto problems = Messages(ApplyConfigJson(text, c));
    ASSERT_EQ(problems.size(), 1u) << text;
    EXPECT_NE(problems[0].find("not valid JSON"), std::string::npos) << problems[0];
    EXPECT_EQ(c.port, ServerConfig{}.port) << text;
  }
  ServerConfig c;
  EXPECT_TRUE(
      Messages(ApplyConfigJson("{\"port\":9090}\n\t \n", c)).empty());  // whitespace is fine
  EXPECT_EQ(c.port, 9090);
  auto problems = Messages(ApplyConfigJson(R"({"port":9090} x)", c));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("1:15: not valid JSON", 0), 0u) << problems[0];
}

TEST(ConfigFile, DuplicateKeyIsRefused) {
  ServerConfig c;
  auto problems = Messages(ApplyConfigJson(R"({"port":9090,"host":"0.0.0.0","port":9191})", c));
  ASSERT_EQ(problems.size(), 1u) << Joined(problems);
  EXPECT_EQ(problems[0], "\"port\": given more than once");
  EXPECT_EQ(c.port, ServerConfig{}.port);  // nothing applied
  EXPECT_EQ(c.host, ServerConfig{}.host);
}

TEST(ConfigFile, NestingIsBounded) {
  ServerConfig c;
  auto problems = Messages(ApplyConfigJson(R"({"allowed_origins":[[[["x"]]]]})", c));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("nested deeper than"), std::string::npos) << problems[0];
  std::string deep(100000, '[');
  problems = Messages(ApplyConfigJson("{\"host\":" + deep, c));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("nested deeper than"), std::string::npos) << problems[0];
}

TEST(ConfigFile, LargeFileIsRefused) {
  const std::string path = ::testing::TempDir() + "/anakinra-large-config.json";
  {
    std::ofstream out(path, std::ios::binary);
    out << "{\"host\":\"" << std::string(config::kMaxConfigFileBytes, 'a') << "\"}";
  }
  ServerConfig c;
  auto problems = Messages(config::ApplyConfigFile(path, c));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("larger than"), std::string::npos) << problems[0];
  std::filesystem::remove(path);
}

// --- The table: one row per setting; every number bounded at both ends. ---

TEST(SettingsTable, KeysFlagsAndBoundsAreWellFormed) {
  std::set<std::string> keys, flags;
  // [a-z][a-z0-9<extra>]* (no std::regex: GCC 12 warns inside it under the sanitizers).
  const auto word = [](std::string_view w, char extra) {
    if (w.empty() || w[0] < 'a' || w[0] > 'z') return false;
    for (char c : w)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == extra)) return false;
    return true;
  };
  const ServerConfig defaults;
  for (const auto& s : config::Settings()) {
    EXPECT_TRUE(keys.insert(s.key).second) << "key twice: " << s.key;
    EXPECT_TRUE(word(s.key, '_')) << s.key;
    EXPECT_EQ(config::FindSetting(s.key), &s);
    EXPECT_GT(std::string(s.help).size(), 5u) << s.key;
    if (*s.flag != '\0') {
      EXPECT_TRUE(flags.insert(s.flag).second) << "flag twice: " << s.flag;
      const std::string_view flag(s.flag);
      EXPECT_TRUE(flag.substr(0, 2) == "--" && word(flag.substr(2), '-')) << s.flag;
    }
    if (s.is_number()) {
      EXPECT_LT(s.min, s.max) << s.key;
      EXPECT_GE(s.min, 0) << s.key;
      if (std::holds_alternative<int ServerConfig::*>(s.member)) {
        EXPECT_LE(s.max, INT_MAX) << s.key;
      }
      const std::int64_t def = std::stoll(s.default_value());
      EXPECT_GE(def, s.min) << s.key;
      EXPECT_LE(def, s.max) << s.key;
    }
  }
  EXPECT_EQ(config::FindSetting("no_such_key"), nullptr);
  // The bounds the documentation promises.
  EXPECT_EQ(config::FindSetting("max_body_bytes")->max, 64 * 1024 * 1024);
  EXPECT_EQ(config::FindSetting("threads")->max, 256);
  EXPECT_EQ(config::FindSetting("fetch_deadline_ms")->range(), "1 to 60000");
}

// Issue 16, item 9: the values the hostile-config run tried, each refused with its key and bound.
TEST(SettingsTable, TheIssuesHostileValuesAreRefusedNamingKeyAndBound) {
  ServerConfig c;
  auto problems = Messages(ApplyConfigJson(
      R"({"max_body_bytes":18446744073709551615,"threads":100000,"read_timeout_seconds":86400,)"
      R"("keep_alive_max_requests":-1})",
      c));
  ASSERT_EQ(problems.size(), 4u) << Joined(problems);
  EXPECT_EQ(problems[0],
            "\"max_body_bytes\": must be an integer from 1 to 67108864, got a larger number");
  EXPECT_EQ(problems[1], "\"threads\": must be an integer from 0 to 256, got 100000");
  EXPECT_EQ(problems[2], "\"read_timeout_seconds\": must be an integer from 1 to 600, got 86400");
  EXPECT_EQ(problems[3],
            "\"keep_alive_max_requests\": must be an integer from 1 to 1000000, got -1");
  EXPECT_EQ(c.threads, ServerConfig{}.threads);  // nothing applied
  // Every number has a bound well below what would hurt: no setting takes a whole int64.
  for (const auto& s : config::Settings())
    if (s.is_number()) {
      EXPECT_LE(s.max, 64 * 1024 * 1024) << s.key;
    }
}

// A NUL inside a string would cut a path or host short where the OS reads it: refused.
TEST(ConfigFile, NulInsideAStringIsRefused) {
  ServerConfig c;
  auto problems = Messages(ApplyConfigJson(
      R"({"tls_cert_file":"/etc/cert.pem\u0000x","allowed_origins":["https://a","b\u0000"]})", c));
  ASSERT_EQ(problems.size(), 2u) << Joined(problems);
  EXPECT_EQ(problems[0], "\"tls_cert_file\": must not contain a NUL character");
  EXPECT_EQ(problems[1], "\"allowed_origins\": [1] must not contain a NUL character");
}

// Each number's bounds hold in the file, the environment and the flags alike.
TEST(SettingsTable, BoundsHoldInEverySource) {
  for (const auto& s : config::Settings()) {
    if (!s.is_number()) continue;
    for (const std::int64_t n : {s.min, s.max, s.min - 1, s.max + 1}) {
      const bool ok = n >= s.min && n <= s.max;
      const std::string v = std::to_string(n);
      ServerConfig file, env, flag;
      auto from_file =
          Messages(ApplyConfigJson("{\"" + std::string(s.key) + "\":" + v + "}", file));
      auto from_env = Messages(config::ApplyEnvironment(env, [&](const char* name) -> const char* {
        return name == s.env() ? v.c_str() : nullptr;
      }));
      EXPECT_EQ(from_file.empty(), ok) << s.key << "=" << v << " " << Joined(from_file);
      EXPECT_EQ(from_env.empty(), ok) << s.env() << "=" << v << " " << Joined(from_env);
      if (ok) {
        EXPECT_EQ(s.Format(file), v);
        EXPECT_EQ(s.Format(env), v);
      } else {
        const std::string why = "must be an integer from " + s.range() + ", got ";
        EXPECT_EQ(from_file,
                  std::vector<std::string>{"\"" + std::string(s.key) + "\": " + why + v});
        EXPECT_EQ(from_env, std::vector<std::string>{s.env() + ": " + why + v});
      }
      if (*s.flag == '\0') continue;
      auto from_flag = Messages(config::ApplyFlags({{&s, {v}}}, flag));
      EXPECT_EQ(from_flag.empty(), ok) << s.flag << " " << v << " " << Joined(from_flag);
      if (!ok) {
        ASSERT_EQ(from_flag.size(), 1u);
        EXPECT_EQ(from_flag[0].rfind(std::string(s.flag) + ": must be an integer from", 0), 0u)
            << from_flag[0];
      }
    }
  }
  ServerConfig c;  // beyond 64-bit integers
  auto problems = Messages(ApplyConfigJson(R"({"max_body_bytes":18446744073709551615})", c));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("got a larger number"), std::string::npos) << problems[0];
}

TEST(ConfigFlags, ScalarsTakeTheLastValueListsTakeEvery) {
  ServerConfig c;
  auto problems = Messages(config::ApplyFlags(
      {{config::FindSetting("port"), {"1", "9292"}},
       {config::FindSetting("allowed_origins"), {"https://a.example", "https://b.example,c"}},
       {config::FindSetting("log_level"), {"warn"}}},
      c));
  EXPECT_TRUE(problems.empty()) << Joined(problems);
  EXPECT_EQ(c.port, 9292);
  EXPECT_EQ(c.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example,c"}));
  EXPECT_EQ(c.log_level, "warn");
  problems = Messages(config::ApplyFlags({{config::FindSetting("port"), {"80x"}}}, c));
  EXPECT_EQ(problems,
            std::vector<std::string>{"--port: must be an integer from 0 to 65535, got \"80x\""});
  EXPECT_EQ(c.port, 9292);  // unchanged
}

// flags > environment > file > defaults, then CheckConfig.
TEST(ConfigLoad, PrecedenceIsFlagsEnvironmentFileDefaults) {
  const std::string path = ::testing::TempDir() + "/anakinra-precedence.json";
  {
    std::ofstream out(path);
    out << R"({"port": 1001, "host": "10.0.0.1", "data_dir": "/from/file"})";
  }
  std::map<std::string, std::string> env = {{"ANAKINRA_PORT", "1002"},
                                            {"ANAKINRA_HOST", "10.0.0.2"}};
  config::ConfigSources sources;
  sources.file = path;
  sources.getenv_fn = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  sources.flags = {{config::FindSetting("port"), {"1003"}}};
  ServerConfig c;
  EXPECT_TRUE(Messages(config::LoadConfig(sources, c)).empty());
  EXPECT_EQ(c.port, 1003);              // flag
  EXPECT_EQ(c.host, "10.0.0.2");        // environment
  EXPECT_EQ(c.data_dir, "/from/file");  // file
  EXPECT_EQ(c.log_level, "info");       // default
  sources.flags.clear();
  EXPECT_TRUE(Messages(config::LoadConfig(sources, c)).empty());
  EXPECT_EQ(c.port, 1002);
  env.clear();
  EXPECT_TRUE(Messages(config::LoadConfig(sources, c)).empty());
  EXPECT_EQ(c.port, 1001);
  EXPECT_EQ(c.host, "10.0.0.1");

  // Mistakes of every source together, each naming where; then the combination check.
  env = {{"ANAKINRA_THREADS", "many"}};
  sources.flags = {{config::FindSetting("port"), {"-1"}}};
  auto problems = Messages(config::LoadConfig(sources, c));
  ASSERT_EQ(problems.size(), 2u) << Joined(problems);
  EXPECT_EQ(problems[0].rfind("environment: ANAKINRA_THREADS: ", 0), 0u) << problems[0];
  EXPECT_EQ(problems[1].rfind("--port: ", 0), 0u) << problems[1];
  EXPECT_EQ(c.port, 1001);  // unchanged
  env.clear();
  sources.flags = {{config::FindSetting("tls_cert_file"), {"cert.pem"}}};
  problems = Messages(config::LoadConfig(sources, c));
  ASSERT_EQ(problems.size(), 1u) << Joined(problems);
  EXPECT_NE(problems[0].find("\"tls_cert_file\" and \"tls_key_file\""), std::string::npos);
  std::filesystem::remove(path);
}

// --- The documentation and the CLI are made from the table. ---

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(ANAKINRA_SOURCE_DIR) + "/" + relative);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SettingsTable, DocsTableIsTheTable) {
  const std::string doc = ReadSource("docs/operations.md");
  const auto begin = doc.find("| key | type | range |");
  ASSERT_NE(begin, std::string::npos) << "no settings table in docs/operations.md";
  auto end = doc.find("\n\n", begin);
  ASSERT_NE(end, std::string::npos);
  const std::string table = doc.substr(begin, end + 1 - begin);
  // Row by row first, for a readable failure: key, flag, variable and default of each setting.
  std::istringstream rows(table);
  std::string row;
  std::getline(rows, row);
  std::getline(rows, row);
  for (const auto& s : config::Settings()) {
    ASSERT_TRUE(std::getline(rows, row)) << "docs/operations.md lacks a row for " << s.key;
    EXPECT_EQ(row.rfind("| `" + std::string(s.key) + "` |", 0), 0u) << row;
    EXPECT_NE(row.find("| `" + s.env() + "` |"), std::string::npos) << row;
    if (*s.flag != '\0') {
      EXPECT_NE(row.find("| `" + std::string(s.flag) + "` |"), std::string::npos) << row;
    }
    EXPECT_NE(row.find("| `" + s.default_value() + "` |"), std::string::npos) << row;
  }
  EXPECT_FALSE(std::getline(rows, row)) << "a row the table does not have: " << row;
  EXPECT_EQ(table, config::SettingsMarkdownTable())
      << "paste the output of `anakinra-cds config settings` into docs/operations.md";
}

struct BinaryRun {
  int exit_code;
  std::string output;  // stdout and stderr
};

BinaryRun RunBinary(const std::string& args) {
  const std::string cmd = std::string(ANAKINRA_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(SettingsCli, ServeFlagsAndHelpComeFromTheTable) {
  const BinaryRun top = RunBinary("--help");
  const BinaryRun serve = RunBinary("serve --help");
  ASSERT_EQ(top.exit_code, 0) << top.output;
  ASSERT_EQ(serve.exit_code, 0) << serve.output;
  for (const auto& s : config::Settings()) {
    if (*s.flag == '\0') continue;
    const std::string& help = s.scope == config::SettingScope::kGlobal ? top.output : serve.output;
    EXPECT_NE(help.find(std::string(s.flag) + " "), std::string::npos) << s.flag << "\n" << help;
    EXPECT_NE(help.find(std::string(s.help) + " [" + s.key + ", " + s.env() + "]"),
              std::string::npos)
        << s.key << "\n"
        << help;
  }
  // The CLI checks values with the table's parser and names the flag.
  BinaryRun r = RunBinary("serve --port 70000");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--port: must be an integer from 0 to 65535, got 70000"),
            std::string::npos)
      << r.output;
  r = RunBinary("serve --threads 2000 --max-body-bytes 1e9");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--threads: must be an integer from 0 to 256"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("--max-body-bytes: must be an integer from 1 to 67108864"),
            std::string::npos)
      << r.output;
  // Combinations are checked once, in CheckConfig, whatever the source.
  r = RunBinary("serve --trusted-issuer https://iss=/nonexistent.json");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("\"public_url\": required"), std::string::npos) << r.output;
  r = RunBinary("serve --tls-key key.pem");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("\"tls_cert_file\" and \"tls_key_file\""), std::string::npos) << r.output;
  // `config settings` prints the table the docs hold.
  r = RunBinary("config settings");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, config::SettingsMarkdownTable());
}

TEST(SettingsCli, ConfigCheckRefusesTrailingDataDuplicatesAndBounds) {
  const std::string path = ::testing::TempDir() + "/anakinra-check.json";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"port": 9000} {"port": 1})", "not valid JSON"},
      {R"({"port": 9000, "port": 9001})", "\"port\": given more than once"},
      {R"({"max_body_bytes": 1073741824})", "\"max_body_bytes\": must be an integer from 1 to"},
      {R"({"threads": 100000})", "\"threads\": must be an integer from 0 to 256, got 100000"},
      {R"({"trusted_issuers": ["https://iss=/jwks.json"]})", "\"public_url\": required"},
  };
  for (const auto& [text, expected] : cases) {
    std::ofstream(path) << text;
    const BinaryRun r = RunBinary("config check " + path);
    EXPECT_EQ(r.exit_code, 1) << text << "\n" << r.output;
    EXPECT_NE(r.output.find(path + ": "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << text << "\n" << r.output;
  }
  std::ofstream(path) << "{\"port\": 9000}\n";
  const BinaryRun ok = RunBinary("config check " + path);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("port = 9000"), std::string::npos) << ok.output;
  std::filesystem::remove(path);
}

// grep finds no second definition of a flag: no table flag is spelled out in src/app.
TEST(SettingsCli, NoFlagIsDefinedTwice) {
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(ANAKINRA_SOURCE_DIR) + "/src/app")) {
    const std::string name = entry.path().filename().string();
    const std::string text = ReadSource("src/app/" + name);
    for (const auto& s : config::Settings()) {
      if (*s.flag == '\0') continue;
      std::string quoted(1, '"');
      quoted.append(s.flag).push_back('"');
      EXPECT_EQ(text.find(quoted), std::string::npos)
          << "src/app/" << name << " defines " << s.flag << " again";
    }
  }
}

}  // namespace

namespace {

TEST(ConfigWarnings, BeyondLoopbackWithoutTlsOrAuthenticationIsNamed) {
  config::ServerConfig c;
  EXPECT_TRUE(config::ExposureWarnings(c).empty());  // the default: loopback
  c.host = "0.0.0.0";
  auto warnings = config::ExposureWarnings(c);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("plain HTTP"), std::string::npos);
  EXPECT_NE(warnings[1].find("without authentication"), std::string::npos);
  c.tls_cert_file = "cert.pem";
  c.tls_key_file = "key.pem";
  c.trusted_issuers = {"https://ehr.example/=keys.jwks"};
  EXPECT_TRUE(config::ExposureWarnings(c).empty());
}

}  // namespace
