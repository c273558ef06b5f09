#include "support/jwt_support.h"

#include "auth/base64url.h"

#include <openssl/ecdsa.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

namespace testing_support {

Key Generate(const std::string& kind) {
  EVP_PKEY* k = kind == "RSA" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048})
                              : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", kind.c_str());
  if (k == nullptr) throw std::runtime_error("keygen failed");
  return Key(k);
}

std::string Sign(EVP_PKEY* key, const std::string& alg, const std::string& input) {
  const EVP_MD* md = alg.substr(2) == "256" ? EVP_sha256() : EVP_sha384();
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key) != 1)
    throw std::runtime_error("sign init");
  if (alg[0] == 'P') {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  std::size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size());
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     input.size()) != 1)
    throw std::runtime_error("sign");
  sig.resize(len);
  if (alg[0] != 'E') return sig;
  const std::size_t half = alg == "ES256" ? 32 : 48;
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  std::string raw(2 * half, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()),
               static_cast<int>(half));
  BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + half,
               static_cast<int>(half));
  ECDSA_SIG_free(es);
  return raw;
}

std::int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewJti() {
  static std::atomic<int> n{0};
  return "jti-" + std::to_string(Now()) + "-" + std::to_string(n++) + "-" +
         std::to_string(std::rand());
}

std::string PublicPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string TokenSpec::HeaderJson() const {
  std::string h = R"({"alg":")" + alg + R"(","typ":")" + typ + R"(","kid":")" + kid + "\"";
  if (!jku.empty()) h += R"(,"jku":")" + jku + "\"";
  return h + "}";
}

std::string TokenSpec::ClaimsJson() const {
  std::string aud = aud_json.empty() ? "\"" + std::string(kPublicUrl) + path + "\"" : aud_json;
  std::string c = R"({"iss":")" + iss + R"(","aud":)" + aud + R"(,"exp":)" + std::to_string(exp) +
                  R"(,"iat":)" + std::to_string(iat) + R"(,"jti":")" + jti + "\"";
  if (!tenant.empty()) c += R"(,"tenant":")" + tenant + "\"";
  if (!sub.empty()) c += R"(,"sub":")" + sub + "\"";
  if (nbf) c += R"(,"nbf":)" + std::to_string(*nbf);
  return c + "}";
}

std::string SignedToken(EVP_PKEY* key, const TokenSpec& t) {
  const std::string input =
      auth::Base64UrlEncode(t.HeaderJson()) + "." + auth::Base64UrlEncode(t.ClaimsJson());
  return input + "." + auth::Base64UrlEncode(Sign(key, t.alg, input));
}

}  // namespace testing_support
