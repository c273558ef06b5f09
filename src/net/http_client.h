// The one outbound HTTP client: a GET of a parsed net::Url under one deadline, for the FHIR
// fetcher (fetch/fhir_fetcher.h) and the JWK Set fetch of a jku (auth/authenticator.h).
//
// - https verifies the server's certificate chain (the CA file given, else the system's store)
//   and its host name (a DNS name or IP address in the certificate's subjectAltName).
// - http is refused unless the client was made with allow_http; any other scheme is refused.
// - One deadline per GET: connection, read and write timeouts come from the time left (plus a
//   100 ms margin, so a GET that times out ends at most that long after the deadline and is
//   reported as kDeadlineExceeded), and a body still arriving at the deadline is abandoned.
// - The body is capped at max_body_bytes; it is read only from a 2xx answer.
// - Redirects are never followed: a 3xx answer is an error (see the codes below).
// - The request headers are the caller's (Accept, Authorization: Bearer ...); nothing is logged
//   here, so a token in a header never reaches the log from this file.
// - A Cancellation lets another thread stop GETs in flight: it shuts their sockets.
//
// Errors (the Status of Get), so a caller can label the failure without parsing messages:
//   kInvalidArgument     the URL is not one this client may GET (scheme, http not allowed)
//   kUnavailable         the host could not be resolved or reached, or the connection broke
//   kUnauthenticated     TLS failed: handshake, certificate or host name did not verify, or the
//                        CA file could not be loaded
//   kDeadlineExceeded    the deadline passed (or the Cancellation was cancelled) before a complete
//                        answer
//   kResourceExhausted   the body is larger than max_body_bytes
//   kFailedPrecondition  the server answered a redirect (3xx); the message names the status
// Any other status (1xx, 2xx, 4xx, 5xx) is an OK result carrying that status: the caller decides.
#pragma once

#include "base/status.h"
#include "net/url.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace net {

// Stops the GETs that use it, from another thread (the FHIR fetcher's deadline).
// Thread safety: every member may be called from any thread. Lifetime: must outlive every GET
// given it. Cancel() is one-way: once cancelled, every later GET with it fails at once with
// kDeadlineExceeded.
class Cancellation {
 public:
  Cancellation() = default;
  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;
  ~Cancellation() = default;

  // Shuts the sockets of the GETs in flight (they end with kDeadlineExceeded) and refuses later
  // ones. Idempotent.
  void Cancel();
  bool cancelled() const;

 private:
  friend class HttpClient;
  // Registers `stop`, to be called by Cancel(), under `id`; false when already cancelled.
  bool Enter(std::uint64_t& id, std::function<void()> stop);
  void Leave(std::uint64_t id);

  mutable std::mutex mutex_;
  bool cancelled_ = false;
  std::uint64_t next_id_ = 0;
  std::vector<std::pair<std::uint64_t, std::function<void()>>> active_;
};

struct HttpClientOptions {
  std::string ca_file;                                        // empty: the system's CA store
  bool allow_http = false;                                    // plain http URLs may be fetched
  std::size_t max_body_bytes = std::size_t{8} * 1024 * 1024;  // per answer
};

struct HttpResponse {
  int status = 0;            // never 3xx (a redirect is an error)
  std::string content_type;  // the Content-Type header, as sent; empty when none
  std::string body;          // only for a 2xx answer; empty otherwise
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Thread safety: immutable after construction; Get may be called from many threads at once (each
// GET uses its own connection; no keep-alive, no connection reuse).
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options) : options_(std::move(options)) {}

  // GETs `url` with `headers` (name, value) before `deadline`. `cancel`, when given, may stop it
  // from another thread. Errors: see the table at the top of this file.
  base::StatusOr<HttpResponse> Get(const Url& url, const HttpHeaders& headers,
                                   std::chrono::steady_clock::time_point deadline,
                                   Cancellation* cancel = nullptr) const;

  const HttpClientOptions& options() const { return options_; }

 private:
  HttpClientOptions options_;
};

}  // namespace net
