#include "config/config_file.h"

#include "base/file.h"
#include "base/json.h"
#include "base/log.h"
#include "base/status.h"
#include "store/store.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace config {
namespace {

using C = ServerConfig;
constexpr std::int64_t kMiB = std::int64_t{1024} * 1024;

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

std::string MustBe(const Setting& s) { return "must be an integer from " + s.range(); }

// Sets one setting from a JSON value; an error message (without the key) or "".
std::string SetFromJson(const Setting& s, const rapidjson::Value& v, C& c) {
  return std::visit(
      [&](auto member) -> std::string {
        using T = std::remove_cvref_t<decltype(c.*member)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (!v.IsString()) return std::string("must be a string, got ") + TypeName(v);
          // "\u0000" would cut a path or host short where the OS reads it (and in what is shown).
          if (std::memchr(v.GetString(), '\0', v.GetStringLength()) != nullptr)
            return "must not contain a NUL character";
          c.*member = std::string(v.GetString(), v.GetStringLength());
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          if (!v.IsArray()) return std::string("must be an array of strings, got ") + TypeName(v);
          std::vector<std::string> out;
          for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
            if (!v[i].IsString())
              return "[" + std::to_string(i) + "] must be a string, got " + TypeName(v[i]);
            if (std::memchr(v[i].GetString(), '\0', v[i].GetStringLength()) != nullptr)
              return "[" + std::to_string(i) + "] must not contain a NUL character";
            out.emplace_back(v[i].GetString(), v[i].GetStringLength());
          }
          c.*member = std::move(out);
        } else {
          if (!v.IsInt64() && !v.IsUint64()) return MustBe(s) + ", got " + TypeName(v);
          if (!v.IsInt64()) return MustBe(s) + ", got a larger number";
          const std::int64_t n = v.GetInt64();
          if (n < s.min || n > s.max) return MustBe(s) + ", got " + std::to_string(n);
          c.*member = static_cast<T>(n);
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

// A JSON array of strings.
rapidjson::Value StringArray(const std::vector<std::string>& items, rapidjson::Document& doc) {
  rapidjson::Value v(rapidjson::kArrayType);
  for (const auto& item : items)
    v.PushBack(rapidjson::Value(item.c_str(), static_cast<rapidjson::SizeType>(item.size()),
                                doc.GetAllocator()),
               doc.GetAllocator());
  return v;
}

// Sets one setting from text (an environment variable or a flag); an error message or "".
// `items` is the list value (lists only); `text` is the scalar value.
std::string SetFromText(const Setting& s, const std::string& text,
                        const std::vector<std::string>& items, C& c) {
  rapidjson::Document v;
  if (s.is_list()) {
    v.CopyFrom(StringArray(items, v), v.GetAllocator());
  } else if (!s.is_number()) {
    v.SetString(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), v.GetAllocator());
  } else {
    const std::string t = Trim(text);
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size())
      return MustBe(s) + ", got \"" + text + "\"";
    v.SetInt64(n);
  }
  return SetFromJson(s, v, c);
}

// Comma-separated entries, trimmed; empty entries dropped.
std::vector<std::string> SplitCommas(std::string_view rest) {
  std::vector<std::string> out;
  while (!Trim(rest).empty()) {
    const auto comma = rest.find(',');
    std::string item = Trim(rest.substr(0, comma));
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
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

bool Setting::is_number() const {
  return std::holds_alternative<int C::*>(member) ||
         std::holds_alternative<std::size_t C::*>(member);
}

bool Setting::is_list() const {
  return std::holds_alternative<std::vector<std::string> C::*>(member);
}

std::string Setting::env() const {
  std::string out = "ANAKINRA_";
  for (const char* p = key; *p != '\0'; ++p)
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
  return out;
}

std::string Setting::type() const {
  if (is_number()) return "integer";
  if (is_list()) return "list of strings";
  return "string";
}

std::string Setting::range() const {
  if (!is_number()) return "";
  return std::to_string(min) + " to " + std::to_string(max);
}

std::string Setting::Format(const ServerConfig& c) const {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  std::visit(
      [&](auto m) {
        using T = std::remove_cvref_t<decltype(c.*m)>;
        if constexpr (std::is_same_v<T, std::string>) {
          // The store URL may carry a password: shown redacted wherever a value is printed.
          if (m == &C::store_url)
            w.String(store::RedactUrl(c.*m).c_str());
          else
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

// Bounds: each number has both ends. Sizes stop well before anything a host could not hold
// (64 MiB bodies, 256 threads); times stop at ten minutes (sockets), a minute (head, fetch
// deadline, shutdown grace), an hour (clock skew) or a day (JWT lifetime, jku refresh).
const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = {
      {"host", "--host", "Address to listen on", &C::host},
      {"port", "--port", "Port to listen on (0 picks a free one)", &C::port, 0, 65535},
      {"hooks_dir", "--hooks",
       "Folder with services.json, cards.json and knowledge/ (empty: hooks/ next to the binary, "
       "else ../share/anakinra-cds/hooks from it)",
       &C::hooks_dir, 0, 0, SettingScope::kGlobal},
      {"data_dir", "--data-dir", "Folder of the feedback store (created if missing)", &C::data_dir},
      {"store_url", "--store",
       "Feedback store and JWT replay set: empty for SQLite in data_dir, or "
       "postgresql://USER:PASSWORD@HOST:PORT/DB shared by every replica (the password is never "
       "logged or printed)",
       &C::store_url},
      {"store_user_comments", "",
       "1: keep the text of a feedback userComment in the store (column user_comment; free text "
       "that may hold patient data, docs/security.md); 0: only whether one was sent",
       &C::store_user_comments, 0, 1},
      {"max_body_bytes", "--max-body-bytes", "Largest request body accepted (413 above)",
       &C::max_body_bytes, 1, 64 * kMiB},
      {"max_json_depth", "--max-json-depth", "Deepest JSON nesting accepted (400 above)",
       &C::max_json_depth, 1, 1024},
      {"max_header_bytes", "--max-header-bytes",
       "Largest request line + header fields accepted, in bytes (431 above)", &C::max_header_bytes,
       1024, 65536},
      {"max_headers", "--max-headers", "Most header fields accepted in a request (431 above)",
       &C::max_headers, 8, 256},
      {"header_timeout_ms", "--header-timeout-ms",
       "Milliseconds for a request's whole head, from its first byte (from the connection's "
       "accept for the first request; 408 after)",
       &C::header_timeout_ms, 100, 60000},
      {"read_timeout_seconds", "--read-timeout",
       "Seconds for a whole request, head and body, from its first byte (408 after)",
       &C::read_timeout_seconds, 1, 600},
      {"write_timeout_seconds", "--write-timeout",
       "Seconds for writing an answer to a client (closed after)", &C::write_timeout_seconds, 1,
       600},
      {"keep_alive_timeout_seconds", "", "Seconds an idle keep-alive connection stays open",
       &C::keep_alive_timeout_seconds, 1, 600},
      {"keep_alive_max_requests", "", "Requests per keep-alive connection",
       &C::keep_alive_max_requests, 1, 1000000},
      {"max_connections", "--max-connections",
       "Open client connections (beyond: a quick 503 and close)", &C::max_connections, 1, 16384},
      {"max_connections_per_client", "--max-connections-per-client",
       "Open connections from one client address (beyond: a quick 503 and close; behind a proxy "
       "every client has its address: raise it to the proxy's connections)",
       &C::max_connections_per_client, 1, 16384},
      {"io_threads", "--io-threads",
       "Event loops answering what cannot block (0: one per core, at most 8)", &C::io_threads, 0,
       64},
      {"threads", "--threads", "Worker threads for what may block (0: 4 per core, at least 4)",
       &C::threads, 0, 256},
      {"max_pending_connections", "--max-pending-connections",
       "Complete requests waiting for a worker (beyond: 503)", &C::max_pending_connections, 1,
       65536},
      {"shutdown_grace_ms", "--shutdown-grace-ms",
       "On SIGTERM, milliseconds requests in progress get before every connection is closed",
       &C::shutdown_grace_ms, 0, 60000},
      {"allowed_origins", "--allow-origin", "CORS origins allowed to call (\"*\": any)",
       &C::allowed_origins},
      {"allowed_headers", "--allow-header",
       "Request headers a browser may send cross-origin (the CORS preflight's allow list)",
       &C::allowed_headers},
      {"tls_cert_file", "--tls-cert", "PEM certificate chain: serve HTTPS", &C::tls_cert_file},
      {"tls_key_file", "--tls-key", "PEM private key for tls_cert_file", &C::tls_key_file},
      {"allowed_fhir_servers", "--allow-fhir-server",
       "URL prefixes of fhirServers the service may fetch missing prefetch from (scheme, host and "
       "port exact, path by segment; empty: loopback http(s) only)",
       &C::allowed_fhir_servers},
      {"fhir_ca_file", "--fhir-ca-file", "CA bundle for https fhirServers (empty: system default)",
       &C::fhir_ca_file},
      {"fetch_deadline_ms", "--fetch-deadline-ms",
       "One deadline for all FHIR fetches of a request, in milliseconds", &C::fetch_deadline_ms, 1,
       60000},
      {"fetch_max_pages", "--fetch-max-pages",
       "Searchset pages followed per prefetch key (more: 412)", &C::fetch_max_pages, 1, 1000},
      {"trusted_issuers", "--trusted-issuer",
       "JWT issuers trusted, as ISS=JWKS_FILE (empty: authentication off)", &C::trusted_issuers},
      {"trusted_jku", "--trusted-jku",
       "jku URL prefixes allowed per issuer, as ISS=https://URL_PREFIX", &C::trusted_jku},
      {"allowed_tenants", "--allow-tenant", "JWT tenants allowed (empty: any)",
       &C::allowed_tenants},
      {"public_url", "--public-url",
       "Externally visible base URL (e.g. https://cds.example.org); aud must be it + the path "
       "(required with trusted_issuers or trusted_jku)",
       &C::public_url},
      {"public_url_aliases", "--public-url-alias",
       "Other base URLs clients may use for this service (e.g. http://localhost:8080 beside "
       "http://127.0.0.1:8080); aud may be any of them + the path",
       &C::public_url_aliases},
      {"jwt_clock_skew_seconds", "--jwt-clock-skew",
       "Seconds of clock skew tolerated for exp, iat and nbf", &C::jwt_clock_skew_seconds, 0, 3600},
      {"jwt_max_lifetime_seconds", "--jwt-max-lifetime",
       "Largest exp - now accepted, in seconds (bounds the jti replay cache)",
       &C::jwt_max_lifetime_seconds, 1, 86400},
      {"jwt_replay_cache_max", "",
       "jti values remembered by an in-memory replay set (full: refused); serve keeps them in the "
       "store (jwt_replay), bounded by the token lifetime instead",
       &C::jwt_replay_cache_max, 1, 10000000},
      {"jwks_refresh_seconds", "", "Least interval between jku refetches for an unknown kid",
       &C::jwks_refresh_seconds, 0, 86400},
      {"jku_ca_file", "--jku-ca", "CA bundle for fetching jku over https (empty: system default)",
       &C::jku_ca_file},
      {"admin_host", "--admin-host",
       "Address of the admin listener (governance page); beyond loopback only with admin_token",
       &C::admin_host},
      {"admin_port", "--admin-port",
       "Port of the admin listener (0: port + 1, or a free one when port is 0; when that one is "
       "taken the page is not served and a warning is logged)",
       &C::admin_port, 0, 65535},
      {"admin_token", "",
       "Bearer token the admin listener requires (empty: none; at least 16 characters; file or "
       "environment only, never a flag)",
       &C::admin_token},
      {"log_level", "--log-level", "debug, info, warn, error or off", &C::log_level},
  };
  return kSettings;
}

const Setting* FindSetting(std::string_view key) {
  for (const auto& s : Settings())
    if (key == s.key) return &s;
  return nullptr;
}

std::string SettingsMarkdownTable() {
  auto code = [](const std::string& s) { return s.empty() ? std::string("—") : "`" + s + "`"; };
  std::string out =
      "| key | type | range | environment | flag | default | meaning |\n"
      "| --- | --- | --- | --- | --- | --- | --- |\n";
  for (const auto& s : Settings()) {
    out += "| " + code(s.key) + " | " + s.type() + " | " + (s.is_number() ? s.range() : "—") +
           " | " + code(s.env()) + " | " + code(s.flag) + " | " + code(s.default_value()) + " | " +
           s.help + " |\n";
  }
  return out;
}

namespace {

// One Problem per mistake (its message as today), as one invalid-argument Status.
base::Status Mistakes(std::vector<std::string> messages,
                      base::Status::Code code = base::Status::Code::kInvalidArgument) {
  std::vector<base::Status::Problem> problems;
  problems.reserve(messages.size());
  for (auto& m : messages) problems.push_back(base::Status::Problem{{}, std::move(m), {}});
  return base::Status::FromProblems(code, std::move(problems));
}

// Every mistake's message, each with `prefix` in front.
void AppendMessages(const base::Status& status, const std::string& prefix,
                    std::vector<std::string>& out) {
  for (auto& p : status.problems()) out.push_back(prefix + p.message);
}

std::vector<std::string> ConfigJsonMistakes(std::string_view text, ServerConfig& config) {
  if (text.find('\0') != std::string_view::npos)
    return {LineColumn(text, text.find('\0')) + ": not valid JSON: a NUL byte"};
  rapidjson::Document doc;
  if (base::Status error = base::ParseJson(text, kMaxConfigJsonDepth, doc); !error.ok()) {
    // "JSON syntax error at offset N: why": the offset as line:column.
    const std::string& m = error.message();
    const std::string marker = "at offset ";
    const auto at = m.find(marker);
    std::size_t offset = 0;
    if (at != std::string::npos) {
      const char* first = m.data() + at + marker.size();
      const auto [end, ec] = std::from_chars(first, m.data() + m.size(), offset);
      if (ec == std::errc() && std::string_view(end).rfind(": ", 0) == 0)
        return {LineColumn(text, offset) + ": not valid JSON: " + std::string(end + 2)};
    }
    return {"not valid JSON: " + m};
  }
  if (!doc.IsObject())
    return {std::string("the configuration must be a JSON object, got ") + TypeName(doc)};
  // A key given twice is ambiguous (the first or the last?): refused, as in a CDS Hooks envelope.
  if (auto twice = base::DuplicateKeyWithin(doc))
    return {"\"" + std::string(*twice) + "\": given more than once"};
  std::vector<std::string> problems;
  ServerConfig out = config;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    const std::string key(it->name.GetString(), it->name.GetStringLength());
    const Setting* s = FindSetting(key);
    if (s == nullptr) {
      problems.push_back("\"" + key + "\": unknown setting" + Suggest(key));
      continue;
    }
    if (auto e = SetFromJson(*s, it->value, out); !e.empty())
      problems.push_back("\"" + key + "\": " + e);
  }
  if (problems.empty()) config = std::move(out);
  return problems;
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

int AdminPort(const ServerConfig& c) {
  if (c.admin_port != 0) return c.admin_port;
  return c.port == 0 ? 0 : c.port + 1;
}

base::Status ApplyConfigJson(std::string_view text, ServerConfig& config) {
  return Mistakes(ConfigJsonMistakes(text, config));
}

base::Status ApplyConfigFile(const std::string& path, ServerConfig& config) {
  using Code = base::Status::Code;
  auto text = base::ReadFile(path, kMaxConfigFileBytes);
  if (!text.ok()) {
    const bool too_large = text.status().code() == Code::kResourceExhausted;
    return Mistakes(
        {too_large ? path + ": larger than " + std::to_string(kMaxConfigFileBytes) + " bytes"
                   : path + ": cannot read the file"},
        too_large ? Code::kResourceExhausted : Code::kIoError);
  }
  auto problems = ConfigJsonMistakes(*text, config);
  for (auto& p : problems) p = path + ": " + p;
  return Mistakes(std::move(problems));
}

base::Status ApplyEnvironment(ServerConfig& config,
                              const std::function<const char*(const char*)>& getenv_fn) {
  std::vector<std::string> problems;
  ServerConfig out = config;
  for (const auto& s : Settings()) {
    const std::string name = s.env();
    const char* value = getenv_fn(name.c_str());
    if (value == nullptr) continue;
    if (auto e = SetFromText(s, value, SplitCommas(value), out); !e.empty())
      problems.push_back(name + ": " + e);
  }
  if (problems.empty()) config = std::move(out);
  return Mistakes(std::move(problems));
}

base::Status ApplyFlags(const std::vector<FlagValues>& flags, ServerConfig& config) {
  std::vector<std::string> problems;
  ServerConfig out = config;
  for (const auto& f : flags) {
    if (f.values.empty()) continue;
    if (auto e = SetFromText(*f.setting, f.values.back(), f.values, out); !e.empty())
      problems.push_back(std::string(f.setting->flag) + ": " + e);
  }
  if (problems.empty()) config = std::move(out);
  return Mistakes(std::move(problems));
}

std::vector<std::string> ExposureWarnings(const ServerConfig& c) {
  std::vector<std::string> out;
  if (IsLoopbackHost(c.host)) return out;
  if (c.tls_cert_file.empty())
    out.push_back("listening on " + c.host +
                  " with plain HTTP: tokens and patient data cross the network unencrypted (set "
                  "tls_cert_file and tls_key_file)");
  if (c.trusted_issuers.empty() && c.trusted_jku.empty())
    out.push_back("listening on " + c.host +
                  " without authentication: anyone who reaches the port can call the services "
                  "and post feedback (set trusted_issuers)");
  return out;
}

base::Status CheckConfig(const ServerConfig& c) {
  std::vector<std::string> problems;
  base::LogLevel level;
  if (!base::ParseLogLevel(c.log_level, level))
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
  if ((!c.trusted_issuers.empty() || !c.trusted_jku.empty()) && c.public_url.empty())
    problems.push_back(
        "\"public_url\": required with \"trusted_issuers\" or \"trusted_jku\" (aud is checked "
        "against it)");
  for (const auto& origin : c.allowed_origins)
    if (origin.empty()) problems.push_back("\"allowed_origins\": an entry is empty");
  for (const auto& header : c.allowed_headers)
    if (header.empty() || header.find_first_of(" ,:\r\n\t") != std::string::npos)
      problems.push_back("\"allowed_headers\": \"" + header + "\" is not a header name");
  if (!c.admin_token.empty() && c.admin_token.size() < 16)
    problems.push_back("\"admin_token\": must be at least 16 characters");
  if (!IsLoopbackHost(c.admin_host) && c.admin_token.empty())
    problems.push_back("\"admin_host\": \"" + c.admin_host +
                       "\" is not a loopback address; the governance page is served beyond "
                       "loopback only with \"admin_token\" set (docs/security.md)");
  if (c.admin_port == 0 && c.port == 65535)
    problems.push_back("\"admin_port\": port + 1 is beyond 65535; set \"admin_port\"");
  if (c.admin_port > 0 && c.admin_port == c.port && c.admin_host == c.host)
    problems.push_back("\"admin_port\": must differ from \"port\"");
  if (base::Status url = store::CheckStoreUrl(c.store_url); !url.ok())
    problems.push_back("\"store_url\": " + url.message());
  return Mistakes(std::move(problems));
}

base::Status LoadConfig(const ConfigSources& sources, ServerConfig& config) {
  ServerConfig merged;
  std::vector<std::string> problems;
  if (!sources.file.empty()) AppendMessages(ApplyConfigFile(sources.file, merged), "", problems);
  AppendMessages(ApplyEnvironment(merged, sources.getenv_fn), "environment: ", problems);
  AppendMessages(ApplyFlags(sources.flags, merged), "", problems);
  if (!problems.empty()) return Mistakes(std::move(problems));
  base::Status checked = CheckConfig(merged);
  if (checked.ok()) config = std::move(merged);
  return checked;
}

}  // namespace config
