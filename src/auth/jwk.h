// JSON Web Keys (RFC 7517) to OpenSSL 3 EVP_PKEY public keys: EC P-256 / P-384 (x, y) and RSA
// (n, e). Private members are never read; a JWK Set may carry other key types, which are skipped.
//
// Thread safety: the functions keep no state; a parsed Jwk is a value whose EVP_PKEY is shared
// (shared_ptr) and only read (verification), so one Jwk may be used from several threads at once.
// Errors: kInvalidArgument for a malformed key or set, kResourceExhausted over the limits below,
// kInternal when OpenSSL cannot allocate.
#pragma once

#include "base/json.h"
#include "base/status.h"

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace auth {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using PublicKey = std::shared_ptr<EVP_PKEY>;

enum class KeyType { kEcP256, kEcP384, kRsa };

struct Jwk {
  std::string kid;
  std::string alg;  // optional in the JWK; when set, the token's alg must equal it
  KeyType type = KeyType::kRsa;
  PublicKey key;
};

// Limits on what a JWK Set may contain.
constexpr std::size_t kMaxJwksBytes = std::size_t{64} * 1024;
constexpr std::size_t kMaxJwksKeys = 32;
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;

// One JWK object; an error saying why a key cannot be used for signatures.
base::StatusOr<Jwk> ParseJwk(const base::Json& jwk);

// A JWK Set document {"keys": [...]}. Keys of unsupported types, with "use" other than "sig", or
// without a kid are skipped (`skipped` says why); an error for a malformed set (too large, not
// JSON, no keys array, too many keys). Duplicate kids make the whole set invalid (the spec: kid
// MUST be unique).
base::StatusOr<std::vector<Jwk>> ParseJwks(std::string_view text,
                                           std::vector<std::string>* skipped = nullptr);

// The public JWK (JSON object text) of an EC P-256/P-384 or RSA key, for tests and for publishing;
// empty for any other key type.
std::string PublicJwkJson(EVP_PKEY* key, const std::string& kid, const std::string& alg);

}  // namespace auth
