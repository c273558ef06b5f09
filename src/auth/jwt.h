// Compact JWS (RFC 7515) JSON Web Tokens as CDS Hooks clients send them: parsing with strict
// limits, and signature verification with OpenSSL 3 EVP for ES256, ES384, RS256, RS384 and PS384.
// `none` and every symmetric (HS*) algorithm are refused by design: they are never "supported".
//
// Thread safety: the functions keep no state; a Jwt is a value. Errors: ParseJwt answers
// kInvalidArgument, VerifyJwt kUnauthenticated (kInternal when OpenSSL cannot set up the check);
// messages never contain the token.
#pragma once

#include "auth/jwk.h"
#include "base/status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auth {

// Bearer tokens longer than this are refused (CDS Hooks tokens are well under 2 KiB; httplib
// refuses any header line over 8192 bytes before we see it).
constexpr std::size_t kMaxJwtBytes = std::size_t{6} * 1024;

enum class JwsAlg { kES256, kES384, kRS256, kRS384, kPS384 };

// nullopt for every other name, including "none" and "HS256"/"HS384"/"HS512".
std::optional<JwsAlg> ParseJwsAlg(std::string_view name);

struct JwtHeader {
  std::string alg;
  std::string kid;
  std::string typ;
  std::string jku;
};

struct JwtClaims {
  std::string iss;
  std::vector<std::string> aud;  // a string aud becomes one element
  std::optional<std::int64_t> exp;
  std::optional<std::int64_t> iat;
  std::optional<std::int64_t> nbf;
  std::string jti;
  std::string tenant;
};

struct Jwt {
  JwtHeader header;
  JwtClaims claims;
  JwsAlg alg = JwsAlg::kES384;
  std::string signing_input;  // base64url(header) "." base64url(payload)
  std::string signature;      // decoded bytes
};

// Parses a compact JWS; kInvalidArgument with a reason (never containing the token) otherwise.
// Checks: size, exactly three base64url parts, JSON objects without duplicate members, alg one of
// the supported asymmetric algorithms, kid present, typ absent or "JWT", no crit, claim types
// (iss, jti strings; aud string or array of strings; exp, iat, nbf numbers).
base::StatusOr<Jwt> ParseJwt(std::string_view compact);

// Verifies the signature with `key`: OK, or kUnauthenticated with the reason. The algorithm must
// match the key type (ES256: P-256, ES384: P-384, RS*/PS*: RSA) and the JWK's alg when it has one.
base::Status VerifyJwt(const Jwt& jwt, const Jwk& key);

}  // namespace auth
