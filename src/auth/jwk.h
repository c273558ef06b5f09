// JSON Web Keys (RFC 7517) to OpenSSL 3 EVP_PKEY public keys: EC P-256 / P-384 (x, y) and RSA
// (n, e). Private members are never read; a JWK Set may carry other key types, which are skipped.
#pragma once

#include "base/json.h"

#include <openssl/evp.h>

#include <memory>
#include <optional>
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

// One JWK object. nullopt with `error` set for a key that cannot be used for signatures.
std::optional<Jwk> ParseJwk(const base::Json& jwk, std::string& error);

// A JWK Set document {"keys": [...]}. Keys of unsupported types, with "use" other than "sig", or
// without a kid are skipped (`skipped` says why); an empty result with `error` set on a malformed
// set. Duplicate kids make the whole set invalid (the spec: kid MUST be unique).
std::vector<Jwk> ParseJwks(std::string_view text, std::string& error,
                           std::vector<std::string>* skipped = nullptr);

// The public JWK (JSON object text) of an EC P-256/P-384 or RSA key, for tests and for publishing.
std::string PublicJwkJson(EVP_PKEY* key, const std::string& kid, const std::string& alg);

}  // namespace auth
