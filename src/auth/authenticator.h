// JWT authentication of CDS clients (CDS Hooks 2.0 "Trusting CDS Clients" and its best
// practices). Every call carries `Authorization: Bearer <JWT>`; a call is let in when:
//   - the token parses within the limits of ParseJwt (asymmetric alg only: never none or HS*);
//   - iss is a trusted issuer (--trusted-issuer ISS=JWKS_FILE);
//   - a jku header, if any, starts with one of that issuer's allowed prefixes (--trusted-jku);
//   - the kid names a key of the issuer: from its JWKS file, else from its (allowed) jku, fetched
//     over verified https, cached, and refetched for an unknown kid at most every
//     jwks_refresh_seconds;
//   - the signature verifies with that key, whose type matches alg;
//   - aud (a string, or an array with one matching element) equals public_url + the request path.
//     One trailing slash difference is tolerated on either side ("…/cds-services/" equals
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
  std::vector<std::string> trusted_issuers;  // "ISS=JWKS_FILE"
  std::vector<std::string> trusted_jku;      // "ISS=JKU_URL_PREFIX"
  std::vector<std::string> allowed_tenants;  // empty: any tenant
  std::string public_url;                    // externally visible base URL, for `aud`
  int clock_skew_seconds = 60;
  int max_lifetime_seconds = 3600;
  std::size_t replay_cache_max = 100000;
  int jwks_refresh_seconds = 60;
  std::string jku_ca_file;  // empty: the system's CA store
};

// Thread safety: Check() and CheckAt() may be called from many threads at once (the jku key cache
// and the replay cache are guarded by their own mutexes; one jku fetch runs at a time, under
// jku_fetch_mutex_, so concurrent checks needing a new key wait for it, at most the JWK Set fetch
// deadline of 5 s). Ownership: the caller owns the authenticator (Create returns a unique_ptr) and
// keeps it alive while requests are checked. jku JWK Sets are fetched with net::HttpClient
// (https only, verified against jku_ca_file or the system's store, no redirects, 64 KiB cap); a
// failed fetch is logged and keeps the last good keys.
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

 private:
  struct Issuer {
    std::string iss;
    std::vector<Jwk> file_keys;
    std::vector<std::string> jku_prefixes;
  };
  struct JkuCache {
    std::vector<Jwk> keys;
    std::chrono::steady_clock::time_point fetched{};
  };

  explicit Authenticator(const std::string& jku_ca_file)
      : jwks_client_(net::HttpClientOptions{jku_ca_file, /*allow_http=*/false, kMaxJwksBytes}) {}
  // The key of `jwt`'s kid (from the file, else from the jku cache or a fresh jku fetch), kept
  // alive by `hold`; kUnauthenticated with the reason when there is none.
  base::StatusOr<const Jwk*> FindKey(const Issuer& issuer, const Jwt& jwt,
                                     std::shared_ptr<const JkuCache>& hold);
  std::map<std::string, Issuer, std::less<>> issuers_;
  std::string public_url_;  // without a trailing slash
  std::vector<std::string> tenants_;
  int skew_ = 60;
  int max_lifetime_ = 3600;
  int refresh_seconds_ = 60;
  net::HttpClient jwks_client_;

  std::mutex jku_mutex_;  // guards jku_cache_ (the fetch itself runs under jku_fetch_mutex_)
  std::mutex jku_fetch_mutex_;
  std::map<std::string, std::shared_ptr<const JkuCache>> jku_cache_;

  std::shared_ptr<ReplayGuard> replay_;
};

// True when `url` is `prefix` itself or continues it at a path boundary, and is a plain https URL
// (no userinfo, fragment, whitespace or backslash). Exposed for tests.
bool JkuAllowed(std::string_view url, std::string_view prefix);

}  // namespace auth
