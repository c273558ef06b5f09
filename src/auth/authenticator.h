// JWT authentication of CDS clients (CDS Hooks 2.0 "Trusting CDS Clients" and its best
// practices). Every call carries `Authorization: Bearer <JWT>`; a call is let in when:
//   - the token parses within the limits of ParseJwt (asymmetric alg only: never none or HS*);
//   - iss is a trusted issuer (--trusted-issuer ISS=JWKS_FILE);
//   - the kid names a key of the issuer: from its pinned JWKS file first; else, when the token
//     has a jku that starts with one of that issuer's allowed prefixes (--trusted-jku), from
//     that JWK Set, fetched over verified https and cached. A jku outside the allowlist is
//     ignored when the kid is pinned (Epic and the sandbox always send one; the keys come from
//     the file and the jku is never fetched) and refused otherwise;
//   - jku fetches are bounded: one per (issuer, jku) per jwks_refresh_seconds whatever kids are
//     asked for, at most kMaxJkuFetchesPerInterval distinct fetches per issuer per interval, a
//     cache of at most kMaxJkuEntries JWK Sets (least recently used evicted), and a fetch holds
//     only that issuer's fetch lock: tokens of other issuers, and tokens whose key is cached or
//     pinned, never wait for it;
//   - the signature verifies with that key, whose type matches alg;
//   - aud (a string, or an array with one matching element) equals public_url + the request path,
//     or one of public_url_aliases + the path (the other names clients use for us). One trailing
//     slash difference is tolerated on either side ("…/cds-services/" equals
//     "…/cds-services"); scheme, host, port and path otherwise compare byte for byte;
//   - exp, iat present; exp not past, iat and nbf not in the future (each with clock skew); exp
//     not more than jwt_max_lifetime_seconds ahead;
//   - tenant on the allowlist when one is configured;
//   - jti not seen before for this issuer (remembered until exp + skew by the ReplayGuard: in
//     memory and bounded by default, shared by every replica with PostgreSQL; when the guard
//     cannot be consulted the token is refused, reason "replay check unavailable").
// Reasons name iss/jti/kid but never contain the token.
#pragma once

#include "auth/jwk.h"
#include "auth/jwt.h"
#include "auth/replay_guard.h"
#include "base/status.h"
#include "net/http_client.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace auth {

// What the authenticator trusts and how strictly it checks (made from the settings by
// config::AuthOptionsFromConfig).
struct AuthOptions {
  std::vector<std::string> trusted_issuers;     // "ISS=JWKS_FILE"
  std::vector<std::string> trusted_jku;         // "ISS=JKU_URL_PREFIX"
  std::vector<std::string> allowed_tenants;     // empty: any tenant
  std::string public_url;                       // externally visible base URL, for `aud`
  std::vector<std::string> public_url_aliases;  // other base URLs clients may use for us
  int clock_skew_seconds = 60;
  int max_lifetime_seconds = 3600;
  std::size_t replay_cache_max = 100000;
  int jwks_refresh_seconds = 60;
  std::string jku_ca_file;  // empty: the system's CA store
};

// Thread safety: Check() and CheckAt() may be called from many threads at once (the jku key cache
// and the replay cache are guarded by their own mutexes; one jku fetch per issuer runs at a time,
// under that issuer's fetch mutex, so concurrent checks of that issuer needing a new key wait for
// it, at most the JWK Set fetch deadline of 5 s; nobody else waits). Ownership: the caller owns the
// authenticator (Create returns a unique_ptr) and keeps it alive while requests are checked. jku
// JWK Sets are fetched with net::HttpClient (https only, verified against jku_ca_file or the
// system's store, no redirects, 64 KiB cap); a failed fetch is logged and keeps the last good keys.
class Authenticator {
 public:
  // Loads every issuer's JWK Set file. kInvalidArgument for bad configuration, kIoError for a
  // JWK Set file that cannot be read (the message names it). `replay`: the jti set (null: a
  // MemoryReplayGuard of options.replay_cache_max entries).
  static base::StatusOr<std::unique_ptr<Authenticator>> Create(
      const AuthOptions& options, std::shared_ptr<ReplayGuard> replay = nullptr);

  // OK to let the request in; else kUnauthenticated whose message is the reason for the log
  // (never the token). `method` is not used (every method is checked the same way).
  base::Status Check(std::string_view method, std::string_view path,
                     std::string_view authorization);
  base::Status CheckAt(std::string_view path, std::string_view authorization,
                       std::chrono::system_clock::time_point now);

  std::size_t issuer_count() const { return issuers_.size(); }

  // JWK Sets kept from jku fetches (all issuers), and jku fetches one issuer may start per
  // jwks_refresh_seconds (a flood of tokens naming fresh jku URLs under an allowed prefix causes
  // at most this many outbound requests per interval).
  static constexpr std::size_t kMaxJkuEntries = 64;
  static constexpr std::size_t kMaxJkuFetchesPerInterval = 4;

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Issuer {
    std::string iss;
    std::vector<Jwk> file_keys;
    std::vector<std::string> jku_prefixes;
    // Guards the fetch budget below and serialises this issuer's jku fetches.
    std::unique_ptr<std::mutex> fetch_mutex = std::make_unique<std::mutex>();
    std::vector<SteadyTime> recent_fetches;  // within the last refresh interval
  };
  struct JkuCache {
    std::vector<Jwk> keys;
    SteadyTime fetched{};
  };
  struct JkuEntry {
    std::shared_ptr<const JkuCache> cache;
    SteadyTime last_used{};
  };

  explicit Authenticator(const std::string& jku_ca_file)
      : jwks_client_(net::HttpClientOptions{jku_ca_file, /*allow_http=*/false, kMaxJwksBytes}) {}
  // The key of `jwt`'s kid (from the file, else, when `use_jku`, from the jku cache or a fresh
  // jku fetch), kept alive by `hold`; kUnauthenticated with the reason when there is none.
  base::StatusOr<const Jwk*> FindKey(Issuer& issuer, const Jwt& jwt, bool use_jku,
                                     std::shared_ptr<const JkuCache>& hold);
  std::shared_ptr<const JkuCache> CachedJku(const std::string& key);
  void StoreJku(const std::string& key, std::shared_ptr<const JkuCache> cache);

  std::map<std::string, Issuer, std::less<>> issuers_;
  std::vector<std::string> public_urls_;  // without a trailing slash; public_url first
  std::vector<std::string> tenants_;
  int skew_ = 60;
  int max_lifetime_ = 3600;
  int refresh_seconds_ = 60;
  net::HttpClient jwks_client_;

  std::mutex jku_mutex_;  // guards jku_cache_ (a fetch runs under its issuer's fetch_mutex)
  std::map<std::string, JkuEntry> jku_cache_;  // iss \0 jku → keys

  std::shared_ptr<ReplayGuard> replay_;
};

// True when `url` is `prefix` itself or continues it at a path boundary, and is a plain https URL
// (no userinfo, fragment, whitespace or backslash) that net::ParseUrl accepts (no dot segment,
// no encoded slash, backslash, NUL or percent sign in the path). Exposed for tests.
bool JkuAllowed(std::string_view url, std::string_view prefix);

}  // namespace auth
