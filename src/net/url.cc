#include "net/url.h"

#include "base/ascii.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

namespace net {
namespace {

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}
bool IsSubDelim(unsigned char c) { return c != 0 && std::strchr("!$&'()*+,;=", c) != nullptr; }
bool IsHex(unsigned char c) { return std::isxdigit(c) != 0; }

using base::Lower;

// Checks percent escapes and characters of a path (pchar and '/'). Returns false on anything else.
bool ValidPath(std::string_view p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c == '%') {
      if (i + 2 >= p.size() || !IsHex(static_cast<unsigned char>(p[i + 1])) ||
          !IsHex(static_cast<unsigned char>(p[i + 2])))
        return false;
      i += 2;
      continue;
    }
    if (!(IsUnreserved(c) || IsSubDelim(c) || c == ':' || c == '@' || c == '/')) return false;
  }
  return true;
}

int HexValue(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return (std::tolower(c) - 'a') + 10;
}

// Why a path segment (percent escapes already checked by ValidPath) could mean something else to
// the server than to the allowlist, or nullptr. A server decodes escapes: once decoded, a segment
// must not be a dot segment ("..", "%2E%2E", ".%2e"), hold a separator ("%2F", "%5C": "a%2F..%2Fb"
// may be served as "a/../b", outside the allowed prefix), a NUL or another control character
// (truncation), or a '%' (decoded twice, "%252F" becomes "/").
const char* AmbiguousSegment(std::string_view seg) {
  std::string decoded;
  for (std::size_t i = 0; i < seg.size(); ++i) {
    if (seg[i] == '%') {
      decoded += static_cast<char>(HexValue(static_cast<unsigned char>(seg[i + 1])) * 16 +
                                   HexValue(static_cast<unsigned char>(seg[i + 2])));
      i += 2;
    } else {
      decoded += seg[i];
    }
  }
  if (decoded == "." || decoded == "..") return "the path has a dot segment";
  for (unsigned char c : decoded) {
    if (c == '/' || c == '\\')
      return "the path has an encoded slash or backslash (%2F, %5C), which servers may decode";
    if (c < 0x20 || c == 0x7f) return "the path has an encoded NUL or control character";
    if (c == '%') return "the path has an encoded percent sign (%25), which may be decoded twice";
  }
  return nullptr;
}

// Query: pchar, '/', '?', plus a few characters servers leave unencoded ('|', '[', ']', '{', '}',
// '^'), which are percent-encoded in the normalised form. Whitespace, controls, '\\', '"', '<',
// '>' and '`' are refused.
std::optional<std::string> NormaliseQuery(std::string_view q) {
  std::string out;
  static const char kHex[] = "0123456789ABCDEF";
  for (std::size_t i = 0; i < q.size(); ++i) {
    const auto c = static_cast<unsigned char>(q[i]);
    if (c == '%') {
      if (i + 2 >= q.size() || !IsHex(static_cast<unsigned char>(q[i + 1])) ||
          !IsHex(static_cast<unsigned char>(q[i + 2])))
        return std::nullopt;
      out.append(q.substr(i, 3));
      i += 2;
    } else if (IsUnreserved(c) || IsSubDelim(c) || c == ':' || c == '@' || c == '/' || c == '?') {
      out += static_cast<char>(c);
    } else if (c == '|' || c == '[' || c == ']' || c == '{' || c == '}' || c == '^') {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      return std::nullopt;
    }
  }
  return out;
}

bool ParseIpv4(std::string_view host) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= host.size()) {
    const auto dot = host.find('.', i);
    const std::string_view part =
        host.substr(i, dot == std::string_view::npos ? std::string_view::npos : dot - i);
    if (part.empty() || part.size() > 3) return false;
    if (part.size() > 1 && part[0] == '0') return false;  // no octal look-alikes
    int v = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    if (v > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    i = dot + 1;
  }
  return parts == 4;
}

bool ValidDnsName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t i = 0;
  std::string_view last;
  while (true) {
    const auto dot = host.find('.', i);
    const std::string_view label =
        host.substr(i, dot == std::string_view::npos ? std::string_view::npos : dot - i);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (unsigned char c : label)
      if (!(std::isalnum(c) != 0 || c == '-' || c == '_')) return false;
    last = label;
    if (dot == std::string_view::npos) break;
    i = dot + 1;
  }
  // A name whose last label starts with a digit would be read as a (possibly hex or octal) IPv4
  // address by the resolver: only a plain dotted quad is accepted for that.
  return !(std::isdigit(static_cast<unsigned char>(last.front())) != 0);
}

}  // namespace

std::string Url::HostForHttp() const { return ipv6 ? "[" + host + "]" : host; }

std::string Url::Origin() const {
  return scheme + "://" + HostForHttp() + ":" + std::to_string(port);
}

std::string Url::PathAndQuery() const { return query.empty() ? path : path + "?" + query; }

std::string Url::ToString() const { return Origin() + PathAndQuery(); }

base::StatusOr<Url> ParseUrl(std::string_view text) {
  auto bad = [](const char* why) { return base::Status::InvalidArgument(why); };
  Url url;
  const auto colon = text.find("://");
  if (colon == std::string_view::npos) {
    return bad("not an absolute URL");
  }
  url.scheme = Lower(text.substr(0, colon));
  if (url.scheme != "http" && url.scheme != "https") {
    return bad("the scheme is not http or https");
  }
  for (unsigned char c : text) {
    if (c <= 0x20 || c >= 0x7f || c == '\\') {
      return bad("the URL contains whitespace, a control character, a backslash or non-ASCII");
    }
  }
  std::string_view rest = text.substr(colon + 3);
  if (rest.find('#') != std::string_view::npos) {
    return bad("the URL has a fragment");
  }
  const auto authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return bad("the URL has userinfo (user@host), which is not accepted");
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return bad("the IPv6 address has no closing bracket");
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return bad("unexpected text after the IPv6 address");
      }
      port = after.substr(1);
      if (port.empty()) {
        return bad("the port is empty");
      }
    }
    in6_addr addr{};
    const std::string h(host);
    if (inet_pton(AF_INET6, h.c_str(), &addr) != 1) {
      return bad("the host is not a valid IPv6 address");
    }
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, &addr, buf, sizeof buf);
    url.host = buf;
    url.ipv6 = true;
  } else {
    const auto pc = authority.find(':');
    if (pc != std::string_view::npos) {
      host = authority.substr(0, pc);
      port = authority.substr(pc + 1);
      if (port.empty()) {
        return bad("the port is empty");
      }
    }
    url.host = Lower(host);
    if (url.host.empty()) {
      return bad("the URL has no host");
    }
    if (!ParseIpv4(url.host) && !ValidDnsName(url.host)) {
      return bad("the host is not a DNS name, a dotted IPv4 address or a bracketed IPv6 address");
    }
  }
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(),
                                        [](unsigned char c) { return std::isdigit(c) != 0; })) {
      return bad("the port is not a number");
    }
    url.port = std::stoi(std::string(port));
    if (url.port < 1 || url.port > 65535) {
      return bad("the port is out of range");
    }
  } else {
    url.port = url.scheme == "https" ? 443 : 80;
  }
  const auto q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  if (path.empty()) path = "/";
  if (!ValidPath(path)) {
    return bad("the path has characters that must be percent-encoded");
  }
  for (std::size_t i = 1; i <= path.size();) {
    const auto slash = path.find('/', i);
    const std::string_view seg =
        path.substr(i, slash == std::string_view::npos ? std::string_view::npos : slash - i);
    if (const char* why = AmbiguousSegment(seg)) {
      return bad(why);
    }
    if (slash == std::string_view::npos) break;
    i = slash + 1;
  }
  url.path = std::string(path);
  if (q != std::string_view::npos) {
    auto query = NormaliseQuery(rest.substr(q + 1));
    if (!query) {
      return bad("the query has characters that must be percent-encoded");
    }
    url.query = std::move(*query);
  }
  return url;
}

bool SameOrigin(const Url& a, const Url& b) {
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port;
}

bool IsLoopback(const Url& url) {
  if (url.ipv6) return url.host == "::1";
  if (url.host == "localhost") return true;
  return ParseIpv4(url.host) && url.host.rfind("127.", 0) == 0;
}

bool PathHasSegmentPrefix(std::string_view path, std::string_view prefix) {
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  if (prefix.empty()) return true;
  if (path.substr(0, prefix.size()) != prefix) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

base::StatusOr<UrlAllowlist> UrlAllowlist::Create(const std::vector<std::string>& prefixes) {
  UrlAllowlist list;
  for (const auto& p : prefixes) {
    auto url = ParseUrl(p);
    if (!url.ok()) return url.status().Annotate("allowed FHIR server prefix " + p);
    if (!url->query.empty())
      return base::Status::InvalidArgument("allowed FHIR server prefix " + p +
                                           ": a prefix has no query");
    list.prefixes_.push_back(std::move(*url));
  }
  return list;
}

bool UrlAllowlist::Allows(const Url& url) const {
  if (prefixes_.empty()) return IsLoopback(url);
  for (const auto& p : prefixes_)
    if (SameOrigin(p, url) && PathHasSegmentPrefix(url.path, p.path)) return true;
  return false;
}

std::string UrlAllowlist::Describe() const {
  if (prefixes_.empty()) return "loopback only (http and https on localhost, 127.0.0.0/8, [::1])";
  std::string out;
  for (const auto& p : prefixes_) {
    if (!out.empty()) out += ", ";
    out += p.Origin() + p.path;
  }
  return out;
}

}  // namespace net
