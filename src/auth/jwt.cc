#include "auth/jwt.h"

#include "auth/base64url.h"

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <cmath>
#include <memory>
#include <utility>

namespace auth {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

bool IsB64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

base::Status Malformed(std::string why) { return base::Status::InvalidArgument(std::move(why)); }

// Parses one base64url JSON object part.
base::Status ParseObject(std::string_view part, rapidjson::Document& doc, const char* what) {
  auto bytes = Base64UrlDecode(part);
  if (!bytes) return Malformed(std::string(what) + " is not base64url");
  if (!base::ParseJson(*bytes, 4, doc).ok()) return Malformed(std::string(what) + " is not JSON");
  if (!doc.IsObject()) return Malformed(std::string(what) + " is not a JSON object");
  if (base::DuplicateKey(doc)) return Malformed(std::string(what) + " has duplicate members");
  return base::Status::Ok();
}

// A NumericDate: a JSON number in a sane range, truncated to whole seconds.
base::Status ReadTime(const base::Json& claims, const char* name,
                      std::optional<std::int64_t>& out) {
  const base::Json* v = base::Member(claims, name);
  if (v == nullptr) return base::Status::Ok();
  if (!v->IsNumber()) return Malformed(std::string(name) + " is not a number");
  const double d = v->GetDouble();
  if (!std::isfinite(d) || d < 0 || d > 1e11)
    return Malformed(std::string(name) + " is out of range");
  out = static_cast<std::int64_t>(d);
  return base::Status::Ok();
}

base::Status ReadString(const base::Json& obj, const char* name, std::string& out,
                        std::size_t max = 1024) {
  const base::Json* v = base::Member(obj, name);
  if (v == nullptr) return base::Status::Ok();
  if (!v->IsString()) return Malformed(std::string(name) + " is not a string");
  if (v->GetStringLength() > max) return Malformed(std::string(name) + " is too long");
  out.assign(v->GetString(), v->GetStringLength());
  return base::Status::Ok();
}

const EVP_MD* Digest(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kES256:
    case JwsAlg::kRS256:
      return EVP_sha256();
    case JwsAlg::kES384:
    case JwsAlg::kRS384:
    case JwsAlg::kPS384:
      return EVP_sha384();
  }
  return nullptr;
}

// JWS ECDSA signatures are raw r||s, each the curve's size; OpenSSL wants DER.
std::optional<std::string> RawToDer(const std::string& raw, std::size_t half) {
  if (raw.size() != 2 * half) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(p, static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(p + half, static_cast<int>(half), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace

std::optional<JwsAlg> ParseJwsAlg(std::string_view name) {
  if (name == "ES256") return JwsAlg::kES256;
  if (name == "ES384") return JwsAlg::kES384;
  if (name == "RS256") return JwsAlg::kRS256;
  if (name == "RS384") return JwsAlg::kRS384;
  if (name == "PS384") return JwsAlg::kPS384;
  return std::nullopt;
}

base::StatusOr<Jwt> ParseJwt(std::string_view compact) {
  if (compact.empty()) return Malformed("empty token");
  if (compact.size() > kMaxJwtBytes)
    return Malformed("token larger than " + std::to_string(kMaxJwtBytes) + " bytes");
  const auto dot1 = compact.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : compact.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || compact.find('.', dot2 + 1) != std::string_view::npos)
    return Malformed("not a compact JWS (three parts)");
  for (char c : compact)
    if (c != '.' && !IsB64UrlChar(c)) return Malformed("token has characters outside base64url");
  const auto header_part = compact.substr(0, dot1);
  const auto payload_part = compact.substr(dot1 + 1, dot2 - dot1 - 1);
  const auto sig_part = compact.substr(dot2 + 1);
  if (header_part.empty() || payload_part.empty() || sig_part.empty())
    return Malformed("empty JWS part");

  Jwt out;
  rapidjson::Document header;
  if (auto e = ParseObject(header_part, header, "header"); !e.ok()) return e;
  for (const auto& e : {ReadString(header, "alg", out.header.alg, 32),
                        ReadString(header, "kid", out.header.kid, 256),
                        ReadString(header, "typ", out.header.typ, 32),
                        ReadString(header, "jku", out.header.jku, 2048)})
    if (!e.ok()) return Malformed("header " + e.message());
  if (base::Member(header, "crit") != nullptr)
    return Malformed("header has crit (no extension is understood)");
  if (base::Member(header, "alg") == nullptr) return Malformed("header has no alg");
  const auto alg = ParseJwsAlg(out.header.alg);
  if (!alg) return Malformed("alg \"" + out.header.alg.substr(0, 16) + "\" is not accepted");
  out.alg = *alg;
  if (out.header.kid.empty()) return Malformed("header has no kid");
  if (!out.header.typ.empty() && out.header.typ != "JWT" && out.header.typ != "jwt")
    return Malformed("typ is not JWT");

  rapidjson::Document claims;
  if (auto e = ParseObject(payload_part, claims, "payload"); !e.ok()) return e;
  auto& c = out.claims;
  for (const auto& e : {ReadString(claims, "iss", c.iss), ReadString(claims, "jti", c.jti, 256),
                        ReadString(claims, "tenant", c.tenant), ReadTime(claims, "exp", c.exp),
                        ReadTime(claims, "iat", c.iat), ReadTime(claims, "nbf", c.nbf)})
    if (!e.ok()) return Malformed("claim " + e.message());
  if (const base::Json* aud = base::Member(claims, "aud")) {
    if (aud->IsString()) {
      c.aud.emplace_back(aud->GetString(), aud->GetStringLength());
    } else if (aud->IsArray() && aud->Size() <= 16) {
      for (const auto& a : aud->GetArray()) {
        if (!a.IsString()) return Malformed("claim aud has a non-string element");
        c.aud.emplace_back(a.GetString(), a.GetStringLength());
      }
    } else {
      return Malformed("claim aud is not a string or a short array of strings");
    }
  }

  auto sig = Base64UrlDecode(sig_part);
  if (!sig) return Malformed("signature is not base64url");
  out.signature = std::move(*sig);
  out.signing_input.assign(compact.data(), dot2);
  return out;
}

base::Status VerifyJwt(const Jwt& jwt, const Jwk& key) {
  auto refuse = [](const char* why) { return base::Status::Unauthenticated(why); };
  if (!key.key) return refuse("no key");
  if (!key.alg.empty() && key.alg != jwt.header.alg)
    return refuse("alg does not match the key's alg");
  bool ec = false;
  std::size_t half = 0;
  switch (jwt.alg) {
    case JwsAlg::kES256:
      if (key.type != KeyType::kEcP256) return refuse("ES256 needs a P-256 key");
      ec = true;
      half = 32;
      break;
    case JwsAlg::kES384:
      if (key.type != KeyType::kEcP384) return refuse("ES384 needs a P-384 key");
      ec = true;
      half = 48;
      break;
    case JwsAlg::kRS256:
    case JwsAlg::kRS384:
    case JwsAlg::kPS384:
      if (key.type != KeyType::kRsa) return refuse("RS*/PS* need an RSA key");
      break;
  }
  std::string der;
  const std::string* signature = &jwt.signature;
  if (ec) {
    auto d = RawToDer(jwt.signature, half);
    if (!d) return refuse("ECDSA signature has the wrong length");
    der = std::move(*d);
    signature = &der;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, Digest(jwt.alg), nullptr, key.key.get()) != 1)
    return base::Status::Internal("cannot initialise verification");
  if (jwt.alg == JwsAlg::kPS384) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) != 1)
      return base::Status::Internal("cannot set PSS parameters");
  } else if (!ec) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
      return base::Status::Internal("cannot set PKCS#1 padding");
  }
  const int ok = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
      reinterpret_cast<const unsigned char*>(jwt.signing_input.data()), jwt.signing_input.size());
  ERR_clear_error();
  return ok == 1 ? base::Status::Ok() : refuse("bad signature");
}

}  // namespace auth
