// Strict parsing of the absolute http(s) URLs the service is asked to contact (fhirServer, the
// `next` links of searchset Bundles), origin comparison, and the FHIR server allowlist.
//
// Parsing refuses what could make a URL mean one thing to a check and another to a client:
// userinfo ("https://allowed@evil"), backslashes, whitespace and control characters, bad ports,
// dot segments, and hosts that are not a DNS name, an IPv4 address or a bracketed IPv6 address.
// Scheme and host are lower-cased and the default port made explicit, so two URLs have the same
// origin exactly when scheme, host and port are equal.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net {

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

// Parses an absolute http or https URL; nullopt with `error` set otherwise. A fragment is refused.
std::optional<Url> ParseUrl(std::string_view text, std::string& error);

bool SameOrigin(const Url& a, const Url& b);

// localhost, 127.0.0.0/8 or ::1.
bool IsLoopback(const Url& url);

// True when `path` equals `prefix` or continues it with a new segment ("/fhir" allows "/fhir" and
// "/fhir/Patient", not "/fhirx"). A prefix of "/" allows every path.
bool PathHasSegmentPrefix(std::string_view path, std::string_view prefix);

// FHIR servers the service may contact, by URL prefix. The embedded default (no prefixes given)
// is loopback only: http and https on localhost, 127.0.0.0/8 and [::1], any port.
class UrlAllowlist {
 public:
  // Parses every prefix; nullopt with `error` naming the bad one.
  static std::optional<UrlAllowlist> Create(const std::vector<std::string>& prefixes,
                                            std::string& error);

  bool Allows(const Url& url) const;
  std::string Describe() const;  // for the startup log: the origins and paths allowed

 private:
  std::vector<Url> prefixes_;
};

}  // namespace net
