// Strict parsing of the absolute http(s) URLs the service is asked to contact (fhirServer, the
// `next` links of searchset Bundles), origin comparison, and the FHIR server allowlist.
//
// Parsing refuses what could make a URL mean one thing to a check and another to a client:
// userinfo ("https://allowed@evil"), backslashes, whitespace and control characters, bad ports,
// dot segments, path segments that decode to something else than they look (an encoded slash,
// backslash, dot segment, NUL or control character, or percent sign: "/fhir/..%2Fadmin" is
// "/fhir/../admin" to many servers), and hosts that are not a DNS name, an IPv4 address or a
// bracketed IPv6 address. So a path accepted under an allowlisted prefix stays under it once the
// server decodes it.
// Scheme and host are lower-cased and the default port made explicit, so two URLs have the same
// origin exactly when scheme, host and port are equal.
#pragma once

#include "base/status.h"

#include <string>
#include <string_view>
#include <vector>

namespace net {

// A parsed URL: a value (copy freely; distinct objects may be used from different threads).
struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower case; IPv6 without brackets
  int port = 0;        // explicit, also when the URL used the default
  std::string path;    // starts with '/'; "/" when the URL had none
  std::string query;   // without '?'; empty when none
  bool ipv6 = false;

  std::string Origin() const;       // "https://host:443", "http://[::1]:8080"
  std::string HostForHttp() const;  // the Host header / httplib host: "[::1]" for IPv6
  std::string PathAndQuery() const;
  std::string ToString() const;  // the normalised URL
};

// Parses an absolute http or https URL. kInvalidArgument saying what is wrong otherwise (a fragment
// is refused too). Thread-safe (no shared state).
base::StatusOr<Url> ParseUrl(std::string_view text);

bool SameOrigin(const Url& a, const Url& b);

// localhost, 127.0.0.0/8 or ::1.
bool IsLoopback(const Url& url);

// True when `path` equals `prefix` or continues it with a new segment ("/fhir" allows "/fhir" and
// "/fhir/Patient", not "/fhirx"). A prefix of "/" allows every path.
bool PathHasSegmentPrefix(std::string_view path, std::string_view prefix);

// FHIR servers the service may contact, by URL prefix. The embedded default (no prefixes given)
// is loopback only: http and https on localhost, 127.0.0.0/8 and [::1], any port.
// Thread safety: immutable after Create(); const members may be called from many threads at once.
class UrlAllowlist {
 public:
  // Parses every prefix; kInvalidArgument naming the bad one ("--allow-fhir-server <prefix>: ...").
  static base::StatusOr<UrlAllowlist> Create(const std::vector<std::string>& prefixes);

  bool Allows(const Url& url) const;
  std::string Describe() const;  // for the startup log: the origins and paths allowed

 private:
  std::vector<Url> prefixes_;
};

}  // namespace net
