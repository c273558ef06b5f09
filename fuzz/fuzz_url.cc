// libFuzzer: the URL parser and the allowlists a URL the service contacts must pass (fhirServer
// and searchset `next` links: net::ParseUrl + net::UrlAllowlist; a JWT's jku: auth::JkuAllowed).
// The input is a URL; with a newline in it, the text before the first newline is also tried as an
// allowlist prefix (for fhirServer and for jku) and the text after it is the URL.
//
// Invariants beyond "no crash":
// - a parsed URL re-serialises (ToString) to one that parses to the same scheme, host, port, path
//   and query, and ToString is then stable;
// - a URL allowed by a fixed list has one of its origins, and its path, once percent-decoded the
//   way a server decodes it, has no dot segment, separator escape or NUL and still starts, at a
//   segment boundary, with the allowed prefix; the default list allows loopback hosts only;
// - a prefix accepted by UrlAllowlist::Create allows itself;
// - a jku allowed under a prefix is a valid https URL on the prefix's host whose decoded path
//   stays under the prefix's path.
#include "auth/authenticator.h"
#include "net/url.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The path as a server that decodes percent escapes once sees it; "" when an escape is broken.
std::string Decoded(std::string_view path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      out += path[i];
      continue;
    }
    if (i + 2 >= path.size() || Hex(path[i + 1]) < 0 || Hex(path[i + 2]) < 0) return "";
    out += static_cast<char>(Hex(path[i + 1]) * 16 + Hex(path[i + 2]));
    i += 2;
  }
  return out;
}

// The decoded path has no dot segment, backslash, NUL or '%' and starts with `prefix` (itself
// plain) at a segment boundary.
bool StaysUnder(std::string_view path, std::string prefix) {
  const std::string decoded = Decoded(path);
  if (decoded.empty() || decoded.front() != '/') return false;
  for (char c : decoded)
    if (c == '\\' || c == '\0' || c == '%') return false;
  for (std::size_t i = 1; i <= decoded.size();) {
    const auto slash = decoded.find('/', i);
    const std::string seg = decoded.substr(i, slash == std::string::npos ? slash : slash - i);
    if (seg == "." || seg == "..") return false;
    if (slash == std::string::npos) break;
    i = slash + 1;
  }
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (decoded.compare(0, prefix.size(), prefix) != 0) return false;
  return decoded.size() == prefix.size() || decoded[prefix.size()] == '/';
}

struct Fixture {
  net::UrlAllowlist fixed, loopback;
  Fixture()
      : fixed(
            *net::UrlAllowlist::Create({"https://ehr.example/fhir/", "http://127.0.0.1:8080/r4"})),
        loopback(*net::UrlAllowlist::Create({})) {}
};

void CheckUrl(std::string_view text, const Fixture& f) {
  auto url = net::ParseUrl(text);
  if (!url.ok()) return;
  Check(url->scheme == "http" || url->scheme == "https");
  Check(url->port >= 1 && url->port <= 65535);
  Check(!url->path.empty() && url->path.front() == '/');
  const std::string text1 = url->ToString();
  auto again = net::ParseUrl(text1);
  Check(again.ok());
  Check(again->scheme == url->scheme && again->host == url->host && again->port == url->port &&
        again->path == url->path && again->query == url->query && again->ipv6 == url->ipv6);
  Check(again->ToString() == text1);
  Check(net::SameOrigin(*url, *again));

  if (f.fixed.Allows(*url)) {
    const bool ehr = url->scheme == "https" && url->host == "ehr.example" && url->port == 443;
    const bool local = url->scheme == "http" && url->host == "127.0.0.1" && url->port == 8080;
    Check(ehr || local);
    Check(StaysUnder(url->path, ehr ? "/fhir" : "/r4"));
    Check(f.fixed.Allows(*again));
  }
  if (f.loopback.Allows(*url)) {
    Check(net::IsLoopback(*url));
    Check(url->host == "localhost" || url->host == "::1" || url->host.rfind("127.", 0) == 0);
    Check(StaysUnder(url->path, "/"));
  }
}

void CheckPrefix(std::string_view prefix, std::string_view text) {
  auto list = net::UrlAllowlist::Create({std::string(prefix)});
  if (list.ok()) {
    auto self = net::ParseUrl(prefix);
    Check(self.ok() && list->Allows(*self));
    auto url = net::ParseUrl(text);
    if (url.ok() && list->Allows(*url)) {
      Check(net::SameOrigin(*url, *self));
      Check(StaysUnder(url->path, Decoded(self->path)));
    }
  }
  if (auth::JkuAllowed(text, prefix)) {
    auto url = net::ParseUrl(text);
    Check(url.ok() && url->scheme == "https");
    // The prefix names the host: the jku is on it, and under the prefix's path.
    if (auto base = net::ParseUrl(prefix); base.ok()) {
      Check(net::SameOrigin(*url, *base));
      Check(StaysUnder(url->path, Decoded(base->path)));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixture f;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  if (newline == std::string_view::npos) {
    CheckUrl(input, f);
    CheckPrefix(input, input);
    return 0;
  }
  const std::string_view prefix = input.substr(0, newline);
  const std::string_view url = input.substr(newline + 1);
  CheckUrl(url, f);
  CheckPrefix(prefix, url);
  return 0;
}
