#include "auth/authenticator.h"

#include "base/ascii.h"

#include "base/file.h"
#include "base/log.h"
#include "net/url.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace auth {
namespace {

// A JWK Set file larger than this is not a JWK Set.
constexpr std::size_t kMaxJwksFileBytes = std::size_t{1} << 20;

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

// How long one jku JWK Set fetch may take in all (connect, TLS, request, answer).
constexpr auto kJwksFetchDeadline = std::chrono::seconds(5);

// GETs an https JWK Set (net::HttpClient: certificate verification, no redirects, size cap).
base::StatusOr<std::vector<Jwk>> FetchJwks(const net::HttpClient& client, const std::string& jku) {
  auto url = net::ParseUrl(jku);
  if (!url.ok()) return url.status().Annotate("not a usable URL");
  auto response = client.Get(*url, {{"Accept", "application/jwk-set+json, application/json"}},
                             std::chrono::steady_clock::now() + kJwksFetchDeadline);
  if (!response.ok()) return response.status().Annotate("fetch failed");
  if (response->status != 200)
    return base::Status::Unavailable("fetch answered " + std::to_string(response->status));
  return ParseJwks(response->body);
}

}  // namespace

bool JkuAllowed(std::string_view url, std::string_view prefix) {
  if (url.rfind("https://", 0) != 0 || url.size() > 2048) return false;
  for (char c : url)
    if (c <= 0x20 || c >= 0x7f || c == '@' || c == '#' || c == '\\') return false;
  if (url.substr(0, prefix.size()) != prefix) return false;
  const bool boundary = url.size() == prefix.size() || (!prefix.empty() && prefix.back() == '/') ||
                        url[prefix.size()] == '/' || url[prefix.size()] == '?';
  // Past the prefix, the path must not climb out of it once decoded ("/keys/..%2F..%2Fother").
  return boundary && net::ParseUrl(url).ok();
}

base::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Create(
    const AuthOptions& config, std::shared_ptr<ReplayGuard> replay) {
  auto bad = [](std::string why) { return base::Status::InvalidArgument(std::move(why)); };
  std::unique_ptr<Authenticator> a(new Authenticator(config.jku_ca_file));
  if (config.public_url.rfind("https://", 0) != 0 && config.public_url.rfind("http://", 0) != 0)
    return bad("the public URL must be the service's absolute http(s) base URL (used for aud)");
  a->public_urls_.push_back(StripSlash(config.public_url));
  for (const auto& alias : config.public_url_aliases) {
    if (alias.rfind("https://", 0) != 0 && alias.rfind("http://", 0) != 0)
      return bad("a public URL alias must be an absolute http(s) base URL, got \"" + alias + "\"");
    a->public_urls_.push_back(StripSlash(alias));
  }
  a->tenants_ = config.allowed_tenants;
  a->skew_ = std::max(0, config.clock_skew_seconds);
  a->max_lifetime_ = std::max(1, config.max_lifetime_seconds);
  a->replay_ =
      replay ? std::move(replay) : std::make_shared<MemoryReplayGuard>(config.replay_cache_max);
  a->refresh_seconds_ = std::max(0, config.jwks_refresh_seconds);  // 0..86400, as configured
  for (const auto& entry : config.trusted_issuers) {
    std::string iss, file;
    if (!SplitPair(entry, iss, file))
      return bad("a trusted issuer wants ISS=JWKS_FILE, got \"" + entry + "\"");
    auto text = base::ReadFile(file, kMaxJwksFileBytes);
    if (!text.ok())
      return base::Status::IoError("cannot read the JWK Set of " + iss + ": " + file, file);
    std::vector<std::string> skipped;
    auto keys = ParseJwks(*text, &skipped);
    if (!keys.ok()) return keys.status().Annotate(file);
    for (const auto& s : skipped)
      base::LogEvent(base::LogLevel::kWarn, "auth", file + ": skipped " + s);
    auto& issuer = a->issuers_[iss];
    issuer.iss = iss;
    for (auto& k : *keys) issuer.file_keys.push_back(std::move(k));
  }
  for (const auto& entry : config.trusted_jku) {
    std::string iss, prefix;
    if (!SplitPair(entry, iss, prefix) || prefix.rfind("https://", 0) != 0)
      return bad("a trusted jku wants ISS=https://URL_PREFIX, got \"" + entry + "\"");
    auto it = a->issuers_.find(iss);
    if (it == a->issuers_.end()) {
      // A jku-only issuer: its keys come from the allowed jku alone.
      it = a->issuers_.emplace(iss, Issuer{}).first;
      it->second.iss = iss;
    }
    it->second.jku_prefixes.push_back(prefix);
  }
  if (a->issuers_.empty()) return bad("no trusted issuer configured");
  for (const auto& [iss, issuer] : a->issuers_)
    if (issuer.file_keys.empty() && issuer.jku_prefixes.empty())
      base::LogEvent(
          base::LogLevel::kWarn, "auth",
          "issuer " + Safe(iss) +
              " has no keys in its JWK Set file and no trusted jku: its tokens cannot verify");
  return a;
}

base::Status Authenticator::Check(std::string_view, std::string_view path,
                                  std::string_view authorization) {
  return CheckAt(path, authorization, std::chrono::system_clock::now());
}

std::shared_ptr<const Authenticator::JkuCache> Authenticator::CachedJku(const std::string& key) {
  std::lock_guard<std::mutex> lock(jku_mutex_);
  auto it = jku_cache_.find(key);
  if (it == jku_cache_.end()) return nullptr;
  it->second.last_used = std::chrono::steady_clock::now();
  return it->second.cache;
}

void Authenticator::StoreJku(const std::string& key, std::shared_ptr<const JkuCache> cache) {
  std::lock_guard<std::mutex> lock(jku_mutex_);
  if (jku_cache_.size() >= kMaxJkuEntries && jku_cache_.find(key) == jku_cache_.end()) {
    auto lru = std::min_element(
        jku_cache_.begin(), jku_cache_.end(),
        [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; });
    jku_cache_.erase(lru);  // requests holding its keys keep them alive (shared_ptr)
  }
  jku_cache_[key] = JkuEntry{std::move(cache), std::chrono::steady_clock::now()};
}

base::StatusOr<const Jwk*> Authenticator::FindKey(Issuer& issuer, const Jwt& jwt, bool use_jku,
                                                  std::shared_ptr<const JkuCache>& hold) {
  const std::string& kid = jwt.header.kid;
  for (const auto& k : issuer.file_keys)
    if (k.kid == kid) return &k;
  const std::string& jku = jwt.header.jku;
  if (jku.empty()) return base::Status::Unauthenticated("unknown kid \"" + Safe(kid) + "\"");
  if (!use_jku)
    return base::Status::Unauthenticated("unknown kid \"" + Safe(kid) + "\" and jku " + Safe(jku) +
                                         " not on the issuer's allowlist");
  const std::string key = issuer.iss + '\0' + jku;
  auto find_in = [&](const std::shared_ptr<const JkuCache>& c) -> const Jwk* {
    if (!c) return nullptr;
    for (const auto& k : c->keys)
      if (k.kid == kid) return &k;
    return nullptr;
  };
  auto cache = CachedJku(key);
  if (const Jwk* k = find_in(cache)) {
    hold = cache;  // keeps the key alive while the caller uses it
    return k;
  }
  {
    std::lock_guard<std::mutex> fetch_lock(*issuer.fetch_mutex);
    cache = CachedJku(key);  // another request of this issuer may have fetched meanwhile
    if (const Jwk* k = find_in(cache)) {
      hold = cache;
      return k;
    }
    const auto now = std::chrono::steady_clock::now();
    const auto interval = std::chrono::seconds(refresh_seconds_);
    if (cache && now - cache->fetched < interval)
      return base::Status::Unauthenticated("unknown kid \"" + Safe(kid) +
                                           "\" (jku fetched recently)");
    auto& recent = issuer.recent_fetches;
    recent.erase(std::remove_if(recent.begin(), recent.end(),
                                [&](SteadyTime t) { return now - t >= interval; }),
                 recent.end());
    if (recent.size() >= kMaxJkuFetchesPerInterval)
      return base::Status::Unauthenticated("unknown kid \"" + Safe(kid) +
                                           "\" (jku fetch budget of the issuer spent)");
    recent.push_back(now);
    auto fresh = std::make_shared<JkuCache>();
    auto fetched = FetchJwks(jwks_client_, jku);
    fresh->fetched = now;
    if (fetched.ok()) {
      fresh->keys = std::move(*fetched);
    } else {
      base::LogEvent(base::LogLevel::kWarn, "auth",
                     "jku " + Safe(jku) + ": " + fetched.status().message());
      if (cache) fresh->keys = cache->keys;  // keep the last good keys
    }
    StoreJku(key, fresh);
    cache = fresh;
  }
  if (const Jwk* k = find_in(cache)) {
    hold = cache;
    return k;
  }
  return base::Status::Unauthenticated("unknown kid \"" + Safe(kid) + "\" (not in jku)");
}

base::Status Authenticator::CheckAt(std::string_view path, std::string_view authorization,
                                    std::chrono::system_clock::time_point now_tp) {
  auto refuse = [](std::string reason) { return base::Status::Unauthenticated(std::move(reason)); };
  if (authorization.empty()) return refuse("no Authorization header");
  const auto space = authorization.find(' ');
  if (space == std::string_view::npos ||
      !base::EqualsIgnoreCase(authorization.substr(0, space), "Bearer"))
    return refuse("Authorization is not a Bearer token");
  std::string_view token = authorization.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);

  auto parsed = ParseJwt(token);
  if (!parsed.ok()) return refuse("malformed token: " + parsed.status().message());
  const Jwt& jwt = *parsed;
  const auto& c = jwt.claims;
  const std::string who = " (iss=" + Safe(c.iss) + ", jti=" + Safe(c.jti) + ")";
  auto it = issuers_.find(c.iss);
  if (it == issuers_.end()) return refuse("untrusted iss" + who);
  Issuer& issuer = it->second;
  // A jku outside the allowlist is never fetched: with pinned keys it is ignored (FindKey looks
  // in the file only), without them the token cannot verify.
  const bool jku_allowed =
      !jwt.header.jku.empty() &&
      std::any_of(issuer.jku_prefixes.begin(), issuer.jku_prefixes.end(),
                  [&](const std::string& p) { return JkuAllowed(jwt.header.jku, p); });
  if (!jwt.header.jku.empty() && !jku_allowed && issuer.file_keys.empty())
    return refuse("jku " + Safe(jwt.header.jku) + " not on the issuer's allowlist" + who);
  std::shared_ptr<const JkuCache> hold;
  auto key = FindKey(issuer, jwt, jku_allowed, hold);
  if (!key.ok()) return refuse(key.status().message() + who);
  if (auto e = VerifyJwt(jwt, **key); !e.ok())
    return refuse(e.message() + " (kid=" + Safe(jwt.header.kid) + ")" + who);

  if (c.aud.empty()) return refuse("no aud" + who);
  const bool aud_ok = std::any_of(public_urls_.begin(), public_urls_.end(), [&](const auto& base) {
    const std::string expected = StripSlash(base + std::string(path));
    return std::any_of(c.aud.begin(), c.aud.end(),
                       [&](const std::string& a) { return StripSlash(a) == expected; });
  });
  if (!aud_ok)
    return refuse("aud is not " + Safe(public_urls_.front() + std::string(path)) +
                  (public_urls_.size() > 1 ? " (nor an alias)" : "") + who);

  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(now_tp.time_since_epoch()).count();
  if (!c.exp) return refuse("no exp" + who);
  if (!c.iat) return refuse("no iat" + who);
  if (*c.exp + skew_ < now) return refuse("expired" + who);
  if (*c.exp > now + max_lifetime_ + skew_) return refuse("exp too far ahead" + who);
  if (*c.iat > now + skew_) return refuse("iat in the future" + who);
  if (c.nbf && *c.nbf > now + skew_) return refuse("not yet valid (nbf)" + who);
  if (!tenants_.empty() && std::find(tenants_.begin(), tenants_.end(), c.tenant) == tenants_.end())
    return refuse("tenant " + Safe(c.tenant) + " not allowed" + who);
  if (c.jti.empty()) return refuse("no jti" + who);
  if (auto e = replay_->Remember(c.iss, c.jti, *c.exp + skew_, now); !e.ok()) {
    if (e.code() == base::Status::Code::kUnavailable)
      return refuse("replay check unavailable: " + e.message() + who);  // fail closed
    return refuse(e.message() + who);
  }
  return base::Status::Ok();
}

}  // namespace auth
