// The server's own HTTP/1.1 front: io_threads epoll event loops (loop 0 accepts and deals the
// connections round-robin) do TLS (OpenSSL, non-blocking) and read each request with the strict
// parser (wire_parser.h) under TOTAL deadlines. A complete request is answered on its loop when
// the InlineHandler can do so without blocking (no disk, no network, bounded CPU); anything else
// goes to a bounded worker pool and its answer back to the loop, which writes it. Answers are
// written in order per connection. No thread is held by an idle, slow or silent connection, and
// no loop waits on a disk or a network peer.
//
// Per connection: one request at a time (pipelined requests wait in the kernel and are answered
// in order); the head within header_timeout_ms of its first byte (of the accept, for the first
// request), the whole request within read_timeout_ms (408 and close after either); an idle
// keep-alive connection closed after idle_timeout_ms; at most max_requests answers, the last with
// "Connection: close". Beyond max_connections, or beyond max_connections_per_client from one
// client address, a new connection gets a quick 503 and is closed (plain HTTP; a TLS one is
// closed). Beyond max_queued requests waiting for a worker: 503. Out of file descriptors
// (accept fails with EMFILE/ENFILE): a reserve descriptor is freed to accept and 503 the waiting
// connection, then taken again (else the listener pauses for 100 ms): the I/O thread neither spins
// nor stops; the shortage is logged once per episode (and its end, with the count refused).
// Stop(): stop accepting, close idle connections, let requests in progress finish for up to
// shutdown_grace_ms (their answers say "Connection: close"), then close the rest.
//
// Thread safety: Bind, then Run on one thread (it runs loop 0 and starts the others); Stop from
// any thread, also before Run. The handler runs on the worker threads, the inline handler and
// the error responder on the loops, concurrently: all three must be thread-safe, the last two
// cheap. Ownership: owns its sockets, TLS context, loops and workers. Errors: Bind returns a
// Status (kFailedPrecondition: TLS files; kUnavailable: the address); a connection's errors
// close that connection only.
#pragma once

#include "base/status.h"
#include "http/wire_parser.h"

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace http::wire {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  Limits limits;
  int header_timeout_ms = 5000;
  int read_timeout_ms = 5000;
  int write_timeout_ms = 5000;
  int idle_timeout_ms = 5000;
  std::size_t max_requests = 10000;  // per connection
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_client = 256;  // open connections from one client address
  std::size_t io_threads = 1;    // event loops (each one thread); loop 0 accepts and deals
  std::size_t threads = 4;       // workers, for what may block
  std::size_t max_queued = 256;  // requests waiting for a worker
  int shutdown_grace_ms = 5000;
  std::string tls_cert_file;  // both set: TLS
  std::string tls_key_file;
  // Told (on the I/O thread; must be cheap) of each connection answered 503 and closed before a
  // request was read: reason "capacity" (max_connections or stopping), "per-client"
  // (max_connections_per_client) or "descriptors" (the process is out of file descriptors).
  std::function<void(const char* reason)> on_connection_refused;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // no Content-Length, no Connection
  std::string body;
};

// Runs a complete request (on a worker).
using Handler = std::function<Response(const Request&)>;
// Answers a complete request on the event loop that read it when that cannot block (no disk,
// no network, bounded CPU); nullopt sends it to a worker (Handler). Must be thread-safe: the
// loops call it concurrently.
using InlineHandler = std::function<std::optional<Response>(const Request&)>;
// Answers a refused request: `request` holds what was parsed (maybe nothing), `status` and
// `message` the refusal (on the I/O thread).
using ErrorResponder =
    std::function<Response(const Request& request, int status, const std::string& message)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler, ErrorResponder on_error,
         InlineHandler inline_handler = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  base::Status Bind();
  int port() const { return port_; }
  bool tls() const;
  // Serves until Stop(); false when the server could not run (not bound, epoll failed).
  bool Run();
  void Stop();

 private:
  struct Impl;
  struct Loop;
  ServerOptions options_;
  Handler handler_;
  ErrorResponder on_error_;
  InlineHandler inline_handler_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

// "HTTP/1.1 <status> <reason>" reason phrases.
const char* ReasonPhrase(int status);

}  // namespace http::wire
