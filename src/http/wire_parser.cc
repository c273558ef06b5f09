#include "http/wire_parser.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "base/ascii.h"

namespace http::wire {
namespace {

// RFC 9110 tchar.
constexpr std::array<bool, 256> MakeTchar() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kTchar = MakeTchar();

bool IsTchar(char c) { return kTchar[static_cast<unsigned char>(c)]; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A field value's bytes: HTAB, SP, VCHAR, obs-text.
bool IsFieldValueChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7F);
}

// "application/json" or "application/fhir+json", with at most a charset=utf-8 parameter.
bool IsJsonMediaType(std::string_view value) {
  const std::size_t semi = value.find(';');
  const std::string type = base::Lower(Trim(value.substr(0, semi)));
  if (type != "application/json" && type != "application/fhir+json") return false;
  std::string_view rest = semi == std::string_view::npos ? "" : value.substr(semi + 1);
  while (!rest.empty()) {
    const std::size_t next = rest.find(';');
    const std::string param = base::Lower(Trim(rest.substr(0, next)));
    if (!param.empty() && param != "charset=utf-8" && param != "charset=\"utf-8\"") return false;
    if (next == std::string_view::npos) break;
    rest.remove_prefix(next + 1);
  }
  return true;
}

}  // namespace

std::string_view Request::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return value;
  return {};
}

void RequestParser::Reset() {
  scanned_ = 0;
  head_len_ = 0;
  body_len_ = 0;
  reported_head_ = false;
  request_ = Request{};
  error_ = ParseError{};
}

RequestParser::Result RequestParser::Fail(int status, std::string message) {
  error_ = ParseError{status, std::move(message)};
  head_len_ = 0;
  return Result::kError;
}

RequestParser::Result RequestParser::Parse(std::string_view buffer) {
  if (error_.message.size() > 0) return Result::kError;
  if (head_len_ == 0) {
    if (!buffer.empty() && !IsTchar(buffer.front()))
      return Fail(400, "The request line does not start with a method.");
    // Search only what is new, and never past the head limit.
    const std::size_t limit = std::min(buffer.size(), limits_.max_header_bytes);
    const std::size_t from = scanned_ >= 3 ? scanned_ - 3 : 0;
    const std::size_t end = buffer.substr(0, limit).find("\r\n\r\n", from);
    if (end == std::string_view::npos) {
      scanned_ = limit;
      if (buffer.size() >= limits_.max_header_bytes)
        return Fail(431,
                    "The request line and header fields are larger than this server accepts (" +
                        std::to_string(limits_.max_header_bytes) + " bytes).");
      return Result::kNeedMore;
    }
    if (Result r = ParseHead(buffer.substr(0, end + 2)); r == Result::kError) return r;
    if (Result r = CheckFields(); r == Result::kError) return r;
    head_len_ = end + 4;
  }
  if (buffer.size() < head_len_ + body_len_) {
    if (reported_head_) return Result::kNeedMore;
    reported_head_ = true;
    return Result::kHead;
  }
  request_.body.assign(buffer.substr(head_len_, body_len_));
  if (!IsValidUtf8(request_.body)) return Fail(400, "The request body is not valid UTF-8.");
  return Result::kComplete;
}

// `head`: the request line and the fields, each ending in CRLF (the blank line excluded).
RequestParser::Result RequestParser::ParseHead(std::string_view head) {
  // Line ends: CRLF only; no NUL anywhere (the per-line checks below refuse other controls).
  for (std::size_t i = 0; i < head.size(); ++i) {
    const char c = head[i];
    if (c == '\0') return Fail(400, "The request head contains a NUL byte.");
    if (c == '\r' && (i + 1 >= head.size() || head[i + 1] != '\n'))
      return Fail(400, "The request head contains a bare CR.");
    if (c == '\n' && (i == 0 || head[i - 1] != '\r'))
      return Fail(400, "The request head contains a bare LF.");
  }
  std::size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  head.remove_prefix(eol + 2);

  // Request line: method SP request-target SP HTTP-version.
  const std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0 || sp1 > 20)
    return Fail(400, "The request line is malformed.");
  const std::string_view method = line.substr(0, sp1);
  if (!std::all_of(method.begin(), method.end(), IsTchar))
    return Fail(400, "The request method is malformed.");
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return Fail(400, "The request line is malformed.");
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (target.empty() || !(target.front() == '/' || target == "*") ||
      !std::all_of(target.begin(), target.end(),
                   [](char c) { return static_cast<unsigned char>(c) > 0x20 && c != 0x7F; }))
    return Fail(400, "The request target is malformed.");
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9')
    return Fail(400, "The HTTP version is malformed.");
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1'))
    return Fail(505, "Only HTTP/1.0 and HTTP/1.1 are served.");
  request_.method.assign(method);
  request_.target.assign(target);
  request_.path.assign(target.substr(0, target.find('?')));
  request_.minor_version = version[7] - '0';

  while (!head.empty()) {
    eol = head.find("\r\n");
    line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    if (request_.headers.size() >= limits_.max_headers)
      return Fail(431, "The request has more header fields than this server accepts (" +
                           std::to_string(limits_.max_headers) + ").");
    if (line.empty() || line.front() == ' ' || line.front() == '\t')
      return Fail(400, "A header field is folded or empty.");
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Fail(400, "A header line has no colon.");
    const std::string_view name = line.substr(0, colon);
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTchar))
      return Fail(400, "A header field name is malformed (no whitespace before the colon).");
    const std::string_view value = Trim(line.substr(colon + 1));
    if (!std::all_of(value.begin(), value.end(), IsFieldValueChar))
      return Fail(400, "A header field value contains a control character.");
    request_.headers.emplace_back(base::Lower(name), std::string(value));
  }
  return Result::kHead;
}

RequestParser::Result RequestParser::CheckFields() {
  std::size_t hosts = 0, authorizations = 0, lengths = 0, types = 0;
  std::string_view length, transfer, type;
  bool encoded = false;
  request_.keep_alive = request_.minor_version == 1;
  for (const auto& [name, value] : request_.headers) {
    if (name == "host") {
      ++hosts;
    } else if (name == "authorization") {
      ++authorizations;
    } else if (name == "content-length") {
      ++lengths;
      length = value;
    } else if (name == "transfer-encoding") {
      transfer = value;
      if (value.empty()) transfer = " ";
    } else if (name == "content-encoding") {
      if (base::Lower(value) != "identity") encoded = true;
    } else if (name == "content-type") {
      ++types;
      type = value;
    } else if (name == "expect") {
      if (base::Lower(value) != "100-continue")
        return Fail(417, "Only \"Expect: 100-continue\" is understood.");
      request_.expect_continue = true;
    } else if (name == "connection") {
      std::string_view rest = value;
      while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        const std::string token = base::Lower(Trim(rest.substr(0, comma)));
        if (token == "close") request_.keep_alive = false;
        if (token == "keep-alive" && request_.minor_version == 0) request_.keep_alive = true;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
  }
  // A Connection: close anywhere wins over keep-alive elsewhere.
  for (const auto& [name, value] : request_.headers)
    if (name == "connection" && base::Lower(value).find("close") != std::string::npos)
      request_.keep_alive = false;

  if (request_.minor_version == 1 ? hosts != 1 : hosts > 1)
    return Fail(400, "The request must have exactly one Host header field.");
  if (authorizations > 1) return Fail(400, "The request has more than one Authorization field.");
  if (!transfer.empty()) {
    if (lengths > 0) return Fail(400, "The request has both Content-Length and Transfer-Encoding.");
    if (base::Lower(Trim(transfer)) == "chunked")
      return Fail(411, "Chunked request bodies are not accepted: send a Content-Length.");
    return Fail(501, "Transfer-Encoding is not supported: send a Content-Length.");
  }
  if (lengths > 1) return Fail(400, "The request has more than one Content-Length field.");
  if (lengths == 1) {
    if (length.empty() || length.size() > 18 ||
        !std::all_of(length.begin(), length.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return Fail(400, "Content-Length must be one decimal number.");
    std::size_t n = 0;
    for (char c : length) n = n * 10 + static_cast<std::size_t>(c - '0');
    if (n > limits_.max_body_bytes)
      return Fail(413, "The request body is larger than this server accepts (" +
                           std::to_string(limits_.max_body_bytes) + " bytes).");
    body_len_ = n;
  }
  if (encoded)
    return Fail(415, "Content-Encoding other than identity is not accepted: send the body as is.");
  if (request_.method == "POST") {
    if (lengths == 0) return Fail(411, "A POST needs a Content-Length.");
    if (types != 1 || !IsJsonMediaType(type))
      return Fail(415,
                  "The body must be JSON: Content-Type application/json or application/fhir+json "
                  "(charset utf-8).");
  }
  return Result::kHead;
}

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    // JSON bodies are nearly all ASCII: eight bytes at a time while no high bit is set.
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, sizeof word);
      if ((word & 0x8080808080808080ULL) != 0) break;
      p += 8;
    }
    if (p == end) break;
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n = 0;
    unsigned cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    p += n + 1;
  }
  return true;
}

}  // namespace http::wire
