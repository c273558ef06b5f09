#include "auth/authenticator.h"

#include "base/log.h"

#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace auth {
namespace {

// For log lines: printable ASCII only, bounded.
std::string Safe(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 128)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (s.size() > 128) out += "...";
  return out;
}

std::string StripSlash(std::string_view s) {
  if (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return std::string(s);
}

bool SplitPair(const std::string& text, std::string& left, std::string& right) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) return false;
  left = text.substr(0, eq);
  right = text.substr(eq + 1);
  return true;
}

bool ReadWholeFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// GET an https JWK Set with certificate verification, short timeouts, no redirects.
std::vector<Jwk> FetchJwks(const std::string& url, const std::string& ca_file, std::string& error) {
  constexpr std::string_view kScheme = "https://";
  const auto rest = std::string_view(url).substr(kScheme.size());
  const auto slash = rest.find('/');
  const std::string authority(rest.substr(0, slash));
  const std::string path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string host = authority;
  int port = 443;
  if (const auto colon = authority.rfind(':');
      colon != std::string::npos && authority.find(']') == std::string::npos) {
    host = authority.substr(0, colon);
    try {
      port = std::stoi(authority.substr(colon + 1));
    } catch (...) {
      error = "bad port";
      return {};
    }
  }
  httplib::SSLClient client(host, port);
  client.enable_server_certificate_verification(true);
  if (!ca_file.empty()) client.set_ca_cert_path(ca_file.c_str());
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(2, 0);
  client.set_write_timeout(2, 0);
  client.set_follow_location(false);
  std::string body;
  bool too_large = false;
  auto res = client.Get(path.c_str(), [&](const char* data, std::size_t len) {
    if (body.size() + len > kMaxJwksBytes) {
      too_large = true;
      return false;
    }
    body.append(data, len);
    return true;
  });
  if (too_large) {
    error = "JWK Set too large";
    return {};
  }
  if (!res) {
    error = "fetch failed: " + httplib::to_string(res.error());
    return {};
  }
  if (res->status != 200) {
    error = "fetch answered " + std::to_string(res->status);
    return {};
  }
  return ParseJwks(body, error);
}

}  // namespace

bool JkuAllowed(std::string_view url, std::string_view prefix) {
  if (url.rfind("https://", 0) != 0 || url.size() > 2048) return false;
  for (char c : url)
    if (c <= 0x20 || c >= 0x7f || c == '@' || c == '#' || c == '\\') return false;
  if (url.substr(0, prefix.size()) != prefix) return false;
  if (url.size() == prefix.size()) return true;
  if (!prefix.empty() && prefix.back() == '/') return true;
  const char next = url[prefix.size()];
  return next == '/' || next == '?';
}

std::unique_ptr<Authenticator> Authenticator::Create(const AuthOptions& config,
                                                     std::string& error) {
  std::unique_ptr<Authenticator> a(new Authenticator());
  if (config.public_url.rfind("https://", 0) != 0 && config.public_url.rfind("http://", 0) != 0) {
    error = "the public URL must be the service's absolute http(s) base URL (used for aud)";
    return nullptr;
  }
  a->public_url_ = StripSlash(config.public_url);
  a->tenants_ = config.allowed_tenants;
  a->skew_ = std::max(0, config.clock_skew_seconds);
  a->max_lifetime_ = std::max(1, config.max_lifetime_seconds);
  a->replay_max_ = std::max<std::size_t>(1, config.replay_cache_max);
  a->refresh_seconds_ = std::max(0, config.jwks_refresh_seconds);  // 0..86400, as configured
  a->jku_ca_file_ = config.jku_ca_file;
  for (const auto& entry : config.trusted_issuers) {
    std::string iss, file, text;
    if (!SplitPair(entry, iss, file)) {
      error = "a trusted issuer wants ISS=JWKS_FILE, got \"" + entry + "\"";
      return nullptr;
    }
    if (!ReadWholeFile(file, text)) {
      error = "cannot read the JWK Set of " + iss + ": " + file;
      return nullptr;
    }
    std::string why;
    std::vector<std::string> skipped;
    auto keys = ParseJwks(text, why, &skipped);
    if (!why.empty()) {
      error = file + ": " + why;
      return nullptr;
    }
    for (const auto& s : skipped)
      base::LogEvent(base::LogLevel::kWarn, "auth", file + ": skipped " + s);
    auto& issuer = a->issuers_[iss];
    issuer.iss = iss;
    for (auto& k : keys) issuer.file_keys.push_back(std::move(k));
  }
  for (const auto& entry : config.trusted_jku) {
    std::string iss, prefix;
    if (!SplitPair(entry, iss, prefix) || prefix.rfind("https://", 0) != 0) {
      error = "a trusted jku wants ISS=https://URL_PREFIX, got \"" + entry + "\"";
      return nullptr;
    }
    auto it = a->issuers_.find(iss);
    if (it == a->issuers_.end()) {
      // A jku-only issuer: its keys come from the allowed jku alone.
      it = a->issuers_.emplace(iss, Issuer{iss, {}, {}}).first;
    }
    it->second.jku_prefixes.push_back(prefix);
  }
  if (a->issuers_.empty()) {
    error = "no trusted issuer configured";
    return nullptr;
  }
  for (const auto& [iss, issuer] : a->issuers_)
    if (issuer.file_keys.empty() && issuer.jku_prefixes.empty())
      base::LogEvent(
          base::LogLevel::kWarn, "auth",
          "issuer " + Safe(iss) +
              " has no keys in its JWK Set file and no trusted jku: its tokens cannot verify");
  return a;
}

std::string Authenticator::Check(std::string_view, std::string_view path,
                                 std::string_view authorization) {
  return CheckAt(path, authorization, std::chrono::system_clock::now());
}

const Jwk* Authenticator::FindKey(const Issuer& issuer, const Jwt& jwt,
                                  std::shared_ptr<const JkuCache>& hold, std::string& reason) {
  const std::string& kid = jwt.header.kid;
  for (const auto& k : issuer.file_keys)
    if (k.kid == kid) return &k;
  const std::string& jku = jwt.header.jku;
  if (jku.empty()) {
    reason = "unknown kid \"" + Safe(kid) + "\"";
    return nullptr;
  }
  auto lookup = [&]() -> std::shared_ptr<const JkuCache> {
    std::lock_guard<std::mutex> lock(jku_mutex_);
    auto it = jku_cache_.find(jku);
    return it == jku_cache_.end() ? nullptr : it->second;
  };
  auto find_in = [&](const std::shared_ptr<const JkuCache>& c) -> const Jwk* {
    if (!c) return nullptr;
    for (const auto& k : c->keys)
      if (k.kid == kid) return &k;
    return nullptr;
  };
  auto cache = lookup();
  if (const Jwk* k = find_in(cache)) {
    hold = cache;  // keeps the key alive while the caller uses it
    return k;
  }
  {
    std::lock_guard<std::mutex> fetch_lock(jku_fetch_mutex_);
    cache = lookup();  // another thread may have fetched meanwhile
    if (const Jwk* k = find_in(cache)) {
      hold = cache;
      return k;
    }
    const auto now = std::chrono::steady_clock::now();
    if (cache && now - cache->fetched < std::chrono::seconds(refresh_seconds_)) {
      reason = "unknown kid \"" + Safe(kid) + "\" (jku fetched recently)";
      return nullptr;
    }
    std::string error;
    auto fresh = std::make_shared<JkuCache>();
    fresh->keys = FetchJwks(jku, jku_ca_file_, error);
    fresh->fetched = now;
    if (!error.empty()) {
      base::LogEvent(base::LogLevel::kWarn, "auth", "jku " + Safe(jku) + ": " + error);
      if (cache) fresh->keys = cache->keys;  // keep the last good keys
    }
    {
      std::lock_guard<std::mutex> lock(jku_mutex_);
      jku_cache_[jku] = fresh;
    }
    cache = fresh;
  }
  if (const Jwk* k = find_in(cache)) {
    hold = cache;
    return k;
  }
  reason = "unknown kid \"" + Safe(kid) + "\" (not in jku)";
  return nullptr;
}

bool Authenticator::Remember(const std::string& iss, const std::string& jti, std::int64_t exp,
                             std::int64_t now, std::string& reason) {
  std::lock_guard<std::mutex> lock(replay_mutex_);
  if (seen_.size() >= replay_max_ || ++inserts_since_sweep_ >= 4096) {
    inserts_since_sweep_ = 0;
    for (auto it = seen_.begin(); it != seen_.end();)
      it = it->second + skew_ < now ? seen_.erase(it) : std::next(it);
  }
  if (seen_.size() >= replay_max_) {
    reason = "replay cache full";
    return false;
  }
  std::string key = iss;
  key.push_back('\0');
  key += jti;
  if (!seen_.emplace(std::move(key), exp).second) {
    reason = "replayed jti";
    return false;
  }
  return true;
}

std::string Authenticator::CheckAt(std::string_view path, std::string_view authorization,
                                   std::chrono::system_clock::time_point now_tp) {
  if (authorization.empty()) return "no Authorization header";
  const auto space = authorization.find(' ');
  if (space == std::string_view::npos || !IEquals(authorization.substr(0, space), "Bearer"))
    return "Authorization is not a Bearer token";
  std::string_view token = authorization.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);

  Jwt jwt;
  if (auto e = ParseJwt(token, jwt); !e.empty()) return "malformed token: " + e;
  const auto& c = jwt.claims;
  const std::string who = " (iss=" + Safe(c.iss) + ", jti=" + Safe(c.jti) + ")";
  auto it = issuers_.find(c.iss);
  if (it == issuers_.end()) return "untrusted iss" + who;
  const Issuer& issuer = it->second;
  if (!jwt.header.jku.empty()) {
    const bool ok =
        std::any_of(issuer.jku_prefixes.begin(), issuer.jku_prefixes.end(),
                    [&](const std::string& p) { return JkuAllowed(jwt.header.jku, p); });
    if (!ok) return "jku " + Safe(jwt.header.jku) + " not on the issuer's allowlist" + who;
  }
  std::string reason;
  std::shared_ptr<const JkuCache> hold;
  const Jwk* key = FindKey(issuer, jwt, hold, reason);
  if (key == nullptr) return reason + who;
  if (auto e = VerifyJwt(jwt, *key); !e.empty())
    return e + " (kid=" + Safe(jwt.header.kid) + ")" + who;

  const std::string expected = public_url_ + std::string(path);
  const std::string expected_bare = StripSlash(expected);
  if (c.aud.empty()) return "no aud" + who;
  if (std::none_of(c.aud.begin(), c.aud.end(),
                   [&](const std::string& a) { return StripSlash(a) == expected_bare; }))
    return "aud is not " + Safe(expected) + who;

  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(now_tp.time_since_epoch()).count();
  if (!c.exp) return "no exp" + who;
  if (!c.iat) return "no iat" + who;
  if (*c.exp + skew_ < now) return "expired" + who;
  if (*c.exp > now + max_lifetime_ + skew_) return "exp too far ahead" + who;
  if (*c.iat > now + skew_) return "iat in the future" + who;
  if (c.nbf && *c.nbf > now + skew_) return "not yet valid (nbf)" + who;
  if (!tenants_.empty() && std::find(tenants_.begin(), tenants_.end(), c.tenant) == tenants_.end())
    return "tenant " + Safe(c.tenant) + " not allowed" + who;
  if (c.jti.empty()) return "no jti" + who;
  if (!Remember(c.iss, c.jti, *c.exp, now, reason)) return reason + who;
  return "";
}

}  // namespace auth
