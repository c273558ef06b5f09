// Signed JWTs for the authentication tests: OpenSSL keys generated at test time, JOSE signatures,
// and a token description whose defaults the test server (public_url kPublicUrl) accepts.
#pragma once

#include <openssl/evp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace testing_support {

inline constexpr const char* kIss = "https://ehr.example.org/";
inline constexpr const char* kPublicUrl = "https://cds.example.org";

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

// "RSA" (2048 bits) or an EC curve name ("P-256", "P-384"). Throws on failure.
Key Generate(const std::string& kind);

// A JWS signature over `input` in JOSE form (ECDSA as raw r||s) for ES256/384, RS*, PS*.
std::string Sign(EVP_PKEY* key, const std::string& alg, const std::string& input);

std::int64_t Now();
std::string NewJti();  // unique per call
std::string PublicPem(EVP_PKEY* key);

// Header and claims of a token that the server accepts for `path`, to be varied per test.
struct TokenSpec {
  std::string alg = "ES384";
  std::string kid = "es384";
  std::string typ = "JWT";
  std::string jku;
  std::string iss = kIss;
  std::string aud_json;  // raw JSON for aud; default: the exact URL
  std::string path = "/cds-services";
  std::int64_t iat = Now();
  std::int64_t exp = Now() + 300;
  std::optional<std::int64_t> nbf;
  std::string jti = NewJti();
  std::string tenant = "tenant-a";  // empty: no tenant claim (Epic sends none)
  std::string sub;                  // empty: no sub claim

  std::string HeaderJson() const;
  std::string ClaimsJson() const;
};

std::string SignedToken(EVP_PKEY* key, const TokenSpec& t);

}  // namespace testing_support
