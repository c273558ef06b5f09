// libFuzzer: the JWT layer. The input is tried as a compact JWS (ParseJwt, then VerifyJwt with
// the spec's example P-384 key), as a JWK Set (ParseJwks), as base64url, and as a whole
// Authorization header through Authenticator::CheckAt (issuer = the spec's example issuer).
#include "auth/authenticator.h"
#include "auth/base64url.h"
#include "auth/jwk.h"
#include "auth/jwt.h"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <utility>

namespace {

constexpr const char* kSpecJwks =
    R"({"keys":[{"kty":"EC","use":"sig","crv":"P-384","kid":"example-kid",)"
    R"("x":"46SDH7Znh821wblCBglA61sNE9ZrHYKKt3qRtRTmSXyOI_FIGBLWrWa0GPUkDCEk",)"
    R"("y":"XMcRuuoGW7CXjQdy-F5i3FeBE0x9hPLdeFdSoDd3ELmx404tLX0VRRcqzAsPhXcI","alg":"ES384"}]})";

struct Fixture {
  auth::Jwk key;
  std::unique_ptr<auth::Authenticator> auth;
  Fixture() {
    auto keys = auth::ParseJwks(kSpecJwks);
    if (!keys.ok() || keys->size() != 1) std::abort();
    key = (*keys)[0];
    const std::string path = "/tmp/anakinra-fuzz-jwks-" + std::to_string(::getpid()) + ".json";
    std::ofstream(path) << kSpecJwks;
    auth::AuthOptions c;
    c.public_url = "https://cds.example.org";
    c.trusted_issuers = {"https://fhir-ehr.example.com/=" + path};
    // No trusted jku: a fuzzed token can never make the fuzzer fetch anything.
    c.max_lifetime_seconds = 200000000;
    auto created = auth::Authenticator::Create(c);
    std::remove(path.c_str());
    if (!created.ok()) std::abort();
    auth = std::move(*created);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture f;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto jwt = auth::ParseJwt(text); jwt.ok()) (void)auth::VerifyJwt(*jwt, f.key);
  (void)auth::ParseJwks(text);
  if (auto bytes = auth::Base64UrlDecode(text)) {
    if (auth::Base64UrlEncode(*bytes) != text) std::abort();  // canonical round trip
  }
  const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1422568000));
  (void)f.auth->CheckAt("/cds-services/some-service", "Bearer " + std::string(text), when);
  return 0;
}
