#include "auth/jwk.h"

#include "auth/base64url.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include <optional>
#include <set>

namespace auth {
namespace {

struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

std::optional<std::string> B64Member(const base::Json& jwk, std::string_view name) {
  auto s = base::StringMember(jwk, name);
  if (!s || s->empty() || s->size() > 2048) return std::nullopt;
  return Base64UrlDecode(*s);
}

PublicKey FromData(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  if (!params) return nullptr;
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0) return nullptr;
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) return nullptr;
  return PublicKey(key, EvpPkeyFree{});
}

base::StatusOr<PublicKey> EcKey(const base::Json& jwk, KeyType type) {
  auto bad = [](const char* why) { return base::Status::InvalidArgument(why); };
  const std::size_t size = type == KeyType::kEcP256 ? 32 : 48;
  auto x = B64Member(jwk, "x");
  auto y = B64Member(jwk, "y");
  if (!x || !y || x->size() != size || y->size() != size) {
    return bad("EC key: x and y must be base64url coordinates of the curve's size");
  }
  std::string point = "\x04" + *x + *y;  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                       type == KeyType::kEcP256 ? "P-256" : "P-384", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size())) {
    return base::Status::Internal("EC key: out of memory");
  }
  auto key = FromData("EC", bld.get());
  if (!key) {
    return bad("EC key: the point is not on the curve");
  }
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return bad("EC key: public key check failed");
  }
  return key;
}

base::StatusOr<PublicKey> RsaKey(const base::Json& jwk) {
  auto bad = [](std::string why) { return base::Status::InvalidArgument(std::move(why)); };
  auto n = B64Member(jwk, "n");
  auto e = B64Member(jwk, "e");
  if (!n || !e || e->size() > 8) {
    return bad("RSA key: n and e must be base64url integers");
  }
  Bn bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()),
                    nullptr));
  Bn bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()),
                    nullptr));
  if (!bn_n || !bn_e) {
    return base::Status::Internal("RSA key: out of memory");
  }
  const int bits = BN_num_bits(bn_n.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return bad("RSA key: modulus of " + std::to_string(bits) + " bits (2048 to 8192 accepted)");
  }
  if (!BN_is_odd(bn_e.get()) || BN_is_one(bn_e.get())) {
    return bad("RSA key: bad public exponent");
  }
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return base::Status::Internal("RSA key: out of memory");
  }
  auto key = FromData("RSA", bld.get());
  if (!key) return bad("RSA key: rejected by OpenSSL");
  return key;
}

std::string BnToB64(const BIGNUM* bn) {
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  return Base64UrlEncode(bytes);
}

}  // namespace

base::StatusOr<Jwk> ParseJwk(const base::Json& v) {
  auto bad = [](std::string why) { return base::Status::InvalidArgument(std::move(why)); };
  if (!v.IsObject()) return bad("a JWK must be an object");
  Jwk out;
  if (auto kid = base::StringMember(v, "kid")) out.kid = std::string(*kid);
  if (auto alg = base::StringMember(v, "alg")) out.alg = std::string(*alg);
  const std::string name = "JWK \"" + out.kid + "\"";
  if (auto use = base::StringMember(v, "use"); use && *use != "sig")
    return bad(name + ": use is not sig");
  const auto kty = base::StringMember(v, "kty");
  if (!kty) return bad(name + ": no kty");
  base::StatusOr<PublicKey> key = base::Status::Internal("no key");
  if (*kty == "EC") {
    const auto crv = base::StringMember(v, "crv");
    if (crv && *crv == "P-256") {
      out.type = KeyType::kEcP256;
    } else if (crv && *crv == "P-384") {
      out.type = KeyType::kEcP384;
    } else {
      return bad(name + ": EC curve must be P-256 or P-384");
    }
    key = EcKey(v, out.type);
  } else if (*kty == "RSA") {
    out.type = KeyType::kRsa;
    key = RsaKey(v);
  } else {
    return bad(name + ": kty " + std::string(*kty) + " is not supported (EC, RSA)");
  }
  if (!key.ok()) return key.status().Annotate(name);
  out.key = std::move(*key);
  return out;
}

base::StatusOr<std::vector<Jwk>> ParseJwks(std::string_view text,
                                           std::vector<std::string>* skipped) {
  if (text.size() > kMaxJwksBytes)
    return base::Status::ResourceExhausted("JWK Set larger than " + std::to_string(kMaxJwksBytes) +
                                           " bytes");
  rapidjson::Document doc;
  if (base::Status e = base::ParseJson(text, 8, doc); !e.ok())
    return base::Status::InvalidArgument("JWK Set: " + e.message());
  const base::Json* list = base::Member(doc, "keys");
  if (list == nullptr || !list->IsArray())
    return base::Status::InvalidArgument("JWK Set: no keys array");
  if (list->Size() > kMaxJwksKeys)
    return base::Status::ResourceExhausted("JWK Set: more than " + std::to_string(kMaxJwksKeys) +
                                           " keys");
  std::vector<Jwk> keys;
  std::set<std::string> kids;
  for (const auto& v : list->GetArray()) {
    auto jwk = ParseJwk(v);
    if (jwk.ok() && jwk->kid.empty()) jwk = base::Status::InvalidArgument("JWK without kid");
    if (!jwk.ok()) {
      if (skipped != nullptr) skipped->push_back(jwk.status().message());
      continue;
    }
    if (!kids.insert(jwk->kid).second)
      return base::Status::InvalidArgument("JWK Set: kid \"" + jwk->kid + "\" appears twice");
    keys.push_back(std::move(*jwk));
  }
  return keys;
}

std::string PublicJwkJson(EVP_PKEY* key, const std::string& kid, const std::string& alg) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  auto add = [&](const char* name, const std::string& value) {
    doc.AddMember(rapidjson::Value(name, a), rapidjson::Value(value.c_str(), a), a);
  };
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[32] = {};
    std::size_t len = 0;
    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len);
    const std::string g(group, len);
    const bool p256 = g == "prime256v1" || g == "P-256";
    const std::size_t size = p256 ? 32 : 48;
    unsigned char point[1 + 2 * 66];
    std::size_t point_len = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                        &point_len) != 1 ||
        point_len != 1 + 2 * size)
      return "";
    add("kty", "EC");
    add("crv", p256 ? "P-256" : "P-384");
    add("x", Base64UrlEncode(std::string_view(reinterpret_cast<char*>(point + 1), size)));
    add("y", Base64UrlEncode(std::string_view(reinterpret_cast<char*>(point + 1 + size), size)));
  } else if (EVP_PKEY_is_a(key, "RSA")) {
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
    Bn hold_n(n), hold_e(e);
    if (!n || !e) return "";
    add("kty", "RSA");
    add("n", BnToB64(n));
    add("e", BnToB64(e));
  } else {
    return "";
  }
  add("use", "sig");
  add("kid", kid);
  if (!alg.empty()) add("alg", alg);
  return base::ToString(doc);
}

}  // namespace auth
