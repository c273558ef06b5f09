#include "server/config_file.h"

#include "server/request_log.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

namespace server {
namespace {

using C = ServerConfig;
constexpr int kNoMax = 0;

// Edit distance, for "did you mean" on unknown keys.
std::size_t Distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string Suggest(std::string_view key) {
  std::string best;
  std::size_t best_d = 4;
  for (const auto& s : Settings()) {
    const std::string_view known = s.key;
    const bool prefix = key.size() >= 3 && (known.rfind(key, 0) == 0 || key.rfind(known, 0) == 0);
    const std::size_t d = prefix ? 1 : Distance(key, known);
    if (d < best_d) {
      best_d = d;
      best = s.key;
    }
  }
  return best.empty() ? "" : " (did you mean \"" + best + "\"?)";
}

const char* TypeName(const rapidjson::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  if (v.IsString()) return "a string";
  if (v.IsArray()) return "an array";
  if (v.IsObject()) return "an object";
  if (v.IsInt64() || v.IsUint64()) return "an integer";
  return "a number with a fraction";
}

std::string Range(const Setting& s) {
  if (std::holds_alternative<int C::*>(s.member) && s.max != kNoMax)
    return "an integer from " + std::to_string(s.min) + " to " + std::to_string(s.max);
  return "an integer >= " + std::to_string(s.min);
}

// Sets one setting from a JSON value; an error message (without the key) or "".
std::string SetFromJson(const Setting& s, const rapidjson::Value& v, C& c) {
  return std::visit(
      [&](auto member) -> std::string {
        using T = std::remove_cvref_t<decltype(c.*member)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (!v.IsString()) return std::string("must be a string, got ") + TypeName(v);
          c.*member = std::string(v.GetString(), v.GetStringLength());
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          if (!v.IsArray()) return std::string("must be an array of strings, got ") + TypeName(v);
          std::vector<std::string> out;
          for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
            if (!v[i].IsString())
              return "[" + std::to_string(i) + "] must be a string, got " + TypeName(v[i]);
            out.emplace_back(v[i].GetString(), v[i].GetStringLength());
          }
          c.*member = std::move(out);
        } else {
          if (!v.IsInt64() && !v.IsUint64()) return "must be " + Range(s) + ", got " + TypeName(v);
          const bool negative = v.IsInt64() && v.GetInt64() < 0;
          if (negative && s.min >= 0)
            return "must be " + Range(s) + ", got " + std::to_string(v.GetInt64());
          if constexpr (std::is_same_v<T, int>) {
            const std::int64_t n =
                v.IsInt64() ? v.GetInt64() : std::numeric_limits<std::int64_t>::max();
            const std::int64_t hi = s.max == kNoMax ? std::numeric_limits<int>::max() : s.max;
            if (n < s.min || n > hi)
              return "must be " + Range(s) + ", got " +
                     (v.IsInt64() ? std::to_string(n) : "a larger number");
            c.*member = static_cast<int>(n);
          } else {
            const std::uint64_t n = v.GetUint64();
            if (n < static_cast<std::uint64_t>(s.min))
              return "must be " + Range(s) + ", got " + std::to_string(n);
            c.*member = static_cast<std::size_t>(n);
          }
        }
        return "";
      },
      s.member);
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Sets one setting from an environment string; an error message or "".
std::string SetFromText(const Setting& s, const std::string& text, C& c) {
  rapidjson::Document v;
  if (std::holds_alternative<std::string C::*>(s.member)) {
    v.SetString(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), v.GetAllocator());
  } else if (std::holds_alternative<std::vector<std::string> C::*>(s.member)) {
    v.SetArray();
    std::string_view rest = text;
    while (!Trim(rest).empty()) {
      const auto comma = rest.find(',');
      const std::string item = Trim(rest.substr(0, comma));
      if (!item.empty())
        v.PushBack(rapidjson::Value(item.c_str(), static_cast<rapidjson::SizeType>(item.size()),
                                    v.GetAllocator()),
                   v.GetAllocator());
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  } else {
    const std::string t = Trim(text);
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size())
      return "must be " + Range(s) + ", got \"" + text + "\"";
    v.SetInt64(n);
  }
  return SetFromJson(s, v, c);
}

std::string LineColumn(std::string_view text, std::size_t offset) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

}  // namespace

std::string Setting::env() const {
  std::string out = "ANAKINRA_";
  for (const char* p = key; *p != '\0'; ++p)
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
  return out;
}

std::string Setting::Format(const ServerConfig& c) const {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  std::visit(
      [&](auto m) {
        using T = std::remove_cvref_t<decltype(c.*m)>;
        if constexpr (std::is_same_v<T, std::string>) {
          w.String((c.*m).c_str());
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          w.StartArray();
          for (const auto& s : c.*m) w.String(s.c_str());
          w.EndArray();
        } else if constexpr (std::is_same_v<T, int>) {
          w.Int(c.*m);
        } else {
          w.Uint64(c.*m);
        }
      },
      member);
  return buf.GetString();
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = {
      {"host", "--host", "Address to listen on", &C::host},
      {"port", "--port", "Port to listen on (0 picks a free one)", &C::port, 0, 65535},
      {"hooks_dir", "--hooks",
       "Folder with services.json, cards.json and knowledge/ (empty: the "
       "build's hooks/)",
       &C::hooks_dir},
      {"data_dir", "--data-dir", "Folder of the feedback store (created if missing)", &C::data_dir},
      {"max_body_bytes", "--max-body-bytes", "Largest request body accepted (413 above)",
       &C::max_body_bytes, 1},
      {"max_json_depth", "--max-json-depth", "Deepest JSON nesting accepted (400 above)",
       &C::max_json_depth, 1},
      {"read_timeout_seconds", "--read-timeout", "Socket read timeout", &C::read_timeout_seconds, 1,
       3600},
      {"write_timeout_seconds", "--write-timeout", "Socket write timeout",
       &C::write_timeout_seconds, 1, 3600},
      {"keep_alive_timeout_seconds", "", "Idle keep-alive connection timeout",
       &C::keep_alive_timeout_seconds, 1, 3600},
      {"keep_alive_max_requests", "", "Requests per keep-alive connection",
       &C::keep_alive_max_requests, 1},
      {"threads", "--threads", "Worker threads (0: 4 per core, at least 4)", &C::threads, 0},
      {"max_pending_connections", "--max-pending-connections",
       "Accepted connections waiting for a worker before accepting pauses",
       &C::max_pending_connections, 1},
      {"allowed_origins", "--allow-origin", "CORS origins allowed to call (\"*\": any)",
       &C::allowed_origins},
      {"tls_cert_file", "--tls-cert", "PEM certificate chain: serve HTTPS", &C::tls_cert_file},
      {"tls_key_file", "--tls-key", "PEM private key for tls_cert_file", &C::tls_key_file},
      {"allowed_fhir_servers", "",
       "URL prefixes of fhirServers the service may fetch from (empty: "
       "loopback only)",
       &C::allowed_fhir_servers},
      {"fhir_ca_file", "", "CA bundle for https fhirServers (empty: system default)",
       &C::fhir_ca_file},
      {"fetch_deadline_ms", "", "One deadline for all FHIR fetches of a request",
       &C::fetch_deadline_ms, 1, 60000},
      {"fetch_max_pages", "", "Searchset pages followed per prefetch key", &C::fetch_max_pages, 1},
      {"trusted_issuers", "--trusted-issuer",
       "JWT issuers trusted, as ISS=JWKS_FILE (empty: authentication off)", &C::trusted_issuers},
      {"trusted_jku", "--trusted-jku", "jku URL prefixes allowed per issuer, as ISS=URL_PREFIX",
       &C::trusted_jku},
      {"allowed_tenants", "--allow-tenant", "JWT tenants allowed (empty: any)",
       &C::allowed_tenants},
      {"public_url", "--public-url", "Externally visible base URL, for the JWT aud check",
       &C::public_url},
      {"jwt_clock_skew_seconds", "--jwt-clock-skew", "Clock skew tolerated on exp/iat",
       &C::jwt_clock_skew_seconds, 0, 3600},
      {"jwt_max_lifetime_seconds", "--jwt-max-lifetime",
       "Longest JWT lifetime accepted (exp - now)", &C::jwt_max_lifetime_seconds, 1, 86400},
      {"jwt_replay_cache_max", "", "jti values remembered against replay (full: refused)",
       &C::jwt_replay_cache_max, 1},
      {"jwks_refresh_seconds", "", "Least interval between jku refetches for an unknown kid",
       &C::jwks_refresh_seconds, 0, 86400},
      {"jku_ca_file", "--jku-ca", "CA bundle for fetching jku over https (empty: system default)",
       &C::jku_ca_file},
      {"log_level", "--log-level", "debug, info, warn, error or off", &C::log_level},
  };
  return kSettings;
}

std::vector<std::string> ApplyConfigJson(std::string_view text, ServerConfig& config) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseStopWhenDoneFlag>(text.data(), text.size());
  if (doc.HasParseError())
    return {LineColumn(text, doc.GetErrorOffset()) +
            ": not valid JSON: " + rapidjson::GetParseError_En(doc.GetParseError())};
  if (!doc.IsObject())
    return {std::string("the configuration must be a JSON object, got ") + TypeName(doc)};
  std::vector<std::string> problems;
  ServerConfig out = config;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    const std::string key(it->name.GetString(), it->name.GetStringLength());
    const auto& settings = Settings();
    auto s = std::find_if(settings.begin(), settings.end(),
                          [&](const Setting& x) { return key == x.key; });
    if (s == settings.end()) {
      problems.push_back("\"" + key + "\": unknown setting" + Suggest(key));
      continue;
    }
    if (auto e = SetFromJson(*s, it->value, out); !e.empty())
      problems.push_back("\"" + key + "\": " + e);
  }
  if (problems.empty()) config = std::move(out);
  return problems;
}

std::vector<std::string> ApplyConfigFile(const std::string& path, ServerConfig& config) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {path + ": cannot read the file"};
  std::ostringstream text;
  text << in.rdbuf();
  auto problems = ApplyConfigJson(text.str(), config);
  for (auto& p : problems) p = path + ": " + p;
  return problems;
}

std::vector<std::string> ApplyEnvironment(
    ServerConfig& config, const std::function<const char*(const char*)>& getenv_fn) {
  std::vector<std::string> problems;
  ServerConfig out = config;
  for (const auto& s : Settings()) {
    const std::string name = s.env();
    const char* value = getenv_fn(name.c_str());
    if (value == nullptr) continue;
    if (auto e = SetFromText(s, value, out); !e.empty()) problems.push_back(name + ": " + e);
  }
  if (problems.empty()) config = std::move(out);
  return problems;
}

std::vector<std::string> CheckConfig(const ServerConfig& c) {
  std::vector<std::string> problems;
  LogLevel level;
  if (!ParseLogLevel(c.log_level, level))
    problems.push_back("\"log_level\": must be one of debug, info, warn, error, off; got \"" +
                       c.log_level + "\"");
  if (c.tls_cert_file.empty() != c.tls_key_file.empty())
    problems.push_back(
        "\"tls_cert_file\" and \"tls_key_file\": give both (HTTPS) or neither (HTTP)");
  if (c.host.empty()) problems.push_back("\"host\": must not be empty");
  for (const auto& [key, list] : {std::pair<const char*, const std::vector<std::string>*>{
                                      "trusted_issuers", &c.trusted_issuers},
                                  {"trusted_jku", &c.trusted_jku}}) {
    for (const auto& entry : *list) {
      const auto eq = entry.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size())
        problems.push_back(std::string("\"") + key + "\": \"" + entry + "\" must be ISS=VALUE");
    }
  }
  for (const auto& origin : c.allowed_origins)
    if (origin.empty()) problems.push_back("\"allowed_origins\": an entry is empty");
  return problems;
}

}  // namespace server
