// libFuzzer: the HTTP/1.1 request parser of the server's front (http/wire_parser.h), as the I/O
// thread drives it: the input is a connection's byte stream (requests pipelined back to back),
// fed whole and again in pieces whose sizes come from the first byte. Both feeds must reach the
// same verdicts, and every request must respect the limits.
#include "http/wire_parser.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Verdict {
  int status;  // 200: complete, else the refusal
  std::string method, target, body;
  std::size_t headers;
  bool keep_alive;
  bool operator==(const Verdict&) const = default;
};

constexpr http::wire::Limits kLimits{1024, 16, 4096};

void Check(bool ok) {
  if (!ok) std::abort();
}

// Feeds `stream` `step` bytes at a time (0: all at once); the verdicts in order.
std::vector<Verdict> Run(std::string_view stream, std::size_t step) {
  std::vector<Verdict> out;
  http::wire::RequestParser parser(kLimits);
  std::size_t start = 0;  // where the current request begins
  std::size_t have = step == 0 ? stream.size() : std::min(step, stream.size());
  for (;;) {
    const std::string_view buffer = stream.substr(start, have - start);
    const auto r = parser.Parse(buffer);
    if (r == http::wire::RequestParser::Result::kHead) {
      Check(parser.head_done());
      continue;
    }
    if (r == http::wire::RequestParser::Result::kError) {
      Check(parser.error().status >= 400 && parser.error().status < 600);
      Check(!parser.error().message.empty());
      out.push_back(Verdict{parser.error().status, "", "", "", 0, false});
      return out;
    }
    if (r == http::wire::RequestParser::Result::kComplete) {
      const auto& q = parser.request();
      Check(parser.consumed() <= buffer.size());
      Check(q.headers.size() <= kLimits.max_headers);
      Check(q.body.size() <= kLimits.max_body_bytes);
      Check(parser.consumed() - q.body.size() <= kLimits.max_header_bytes);
      Check(http::wire::IsValidUtf8(q.body));
      out.push_back(Verdict{200, q.method, q.target, q.body, q.headers.size(), q.keep_alive});
      start += parser.consumed();
      parser.Reset();
      if (!q.keep_alive) return out;
      continue;
    }
    if (have == stream.size()) return out;  // kNeedMore at the end of the stream
    have = step == 0 ? stream.size() : std::min(have + step, stream.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] % 64;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  Check(Run(stream, 0) == Run(stream, step));
  return 0;
}
