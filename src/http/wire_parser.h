// The strict HTTP/1.1 request parser of the server's own front (wire_server.h): the request line,
// the header fields and the body's framing, checked before any body byte is read or any handler
// runs. A pure unit: no I/O, no clock; fed the bytes a connection has received so far.
//
// What it accepts (docs/security.md, "HTTP framing"): origin-form targets; HTTP/1.0 and 1.1;
// CRLF line ends only (no bare CR or LF, no NUL, no control characters, no obs-fold); field
// names that are tokens followed at once by ':'; at most Limits::max_headers fields and
// Limits::max_header_bytes bytes of request line + fields (431 above); exactly one Host (1.1) and
// at most one Authorization; a body only with one Content-Length of digits (Transfer-Encoding is
// refused: chunked with 411, the rest 501; both together 400); no Content-Encoding other than
// identity (415); on POST a Content-Length (411) and a JSON Content-Type (415); a body no larger
// than Limits::max_body_bytes (413) that is valid UTF-8 (400).
//
// Thread safety: a RequestParser is used by one thread at a time. Ownership: it copies what it
// keeps (the parsed Request); it never holds the caller's buffer. Errors: a refusal is a
// ParseError with the HTTP status to answer; after one, the connection must be closed (the
// parser does not know where the refused request ends).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace http::wire {

struct Limits {
  std::size_t max_header_bytes = 8192;  // request line + header fields + the blank line
  std::size_t max_headers = 64;
  std::size_t max_body_bytes = std::size_t{2} * 1024 * 1024;
};

struct Request {
  std::string method;
  std::string target;  // as sent: path and query
  std::string path;    // target up to '?'
  int minor_version = 1;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, values trimmed
  std::string body;
  bool keep_alive = true;        // HTTP/1.1 without "Connection: close", or 1.0 with keep-alive
  bool expect_continue = false;  // "Expect: 100-continue"

  // The value of the (single) field `lower_name`, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
};

struct ParseError {
  int status = 400;     // the HTTP status to answer (400, 411, 413, 415, 417, 431, 501, 505)
  std::string message;  // sent in the OperationOutcome: says what was refused, never echoes data
};

class RequestParser {
 public:
  enum class Result { kNeedMore, kHead, kComplete, kError };

  explicit RequestParser(Limits limits) : limits_(limits) {}

  // `buffer` holds every byte received since the previous request ended (each call's buffer
  // begins with the previous call's). kNeedMore: wait for more bytes; kHead (once per request):
  // the head is valid and the body is still to come (request() has the head, e.g. to answer
  // 100-continue); kComplete: request() and consumed() are ready; kError: error() says why.
  Result Parse(std::string_view buffer);

  // True once the head of the current request was parsed (the body phase).
  bool head_done() const { return head_len_ != 0; }
  const Request& request() const { return request_; }
  Request& request() { return request_; }
  // Bytes of `buffer` the complete request took (head + body).
  std::size_t consumed() const { return head_len_ + body_len_; }
  const ParseError& error() const { return error_; }

  // Forgets the request, ready for the next one on the connection.
  void Reset();

 private:
  Result Fail(int status, std::string message);
  Result ParseHead(std::string_view head);
  Result CheckFields();

  Limits limits_;
  std::size_t scanned_ = 0;   // bytes of the buffer already searched for the head's end
  std::size_t head_len_ = 0;  // 0 until the head is parsed
  std::size_t body_len_ = 0;
  bool reported_head_ = false;
  Request request_;
  ParseError error_;
};

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace http::wire
