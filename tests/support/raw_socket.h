// Raw TCP sockets to a server on loopback, for the tests that must send what no HTTP client would
// (a partial head, a dripped body, pipelined requests) or hold connections open without a request.
//
// Thread safety: free functions on the caller's file descriptors. Ownership: the caller closes
// every descriptor ConnectLoopback returns. Errors: ConnectLoopback returns -1 (errno set) when the
// socket cannot be made or the connection is refused; SendAll returns false once the peer takes no
// more; ReadUntil returns what arrived before the peer closed, the needle came or time ran out.
#pragma once

#include <string>
#include <string_view>

namespace testing_support {

// A TCP connection to 127.0.0.1:port (close-on-exec, TCP_NODELAY): its descriptor, or -1.
int ConnectLoopback(int port);

// Sends all of `data` (no SIGPIPE); false once the peer refuses more (closed or reset).
bool SendAll(int fd, std::string_view data);

// Reads until the peer closes, `needle` (when not empty) has arrived, or `seconds` have passed;
// returns what it read.
std::string ReadUntil(int fd, double seconds, std::string_view needle = {});

}  // namespace testing_support
