#include "net/http_client.h"

#include <httplib.h>

#include <memory>

namespace net {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kTimeoutMargin = std::chrono::milliseconds(100);

base::Status DeadlinePassed() {
  return base::Status::DeadlineExceeded("no complete answer before the deadline");
}

}  // namespace

void Cancellation::Cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  for (auto& [id, stop] : active_) stop();  // httplib's stop() may be called from another thread
}

bool Cancellation::cancelled() const {
  std::lock_guard lock(mutex_);
  return cancelled_;
}

bool Cancellation::Enter(std::uint64_t& id, std::function<void()> stop) {
  std::lock_guard lock(mutex_);
  if (cancelled_) return false;
  id = next_id_++;
  active_.emplace_back(id, std::move(stop));
  return true;
}

void Cancellation::Leave(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  std::erase_if(active_, [id](const auto& entry) { return entry.first == id; });
}

base::StatusOr<HttpResponse> HttpClient::Get(const Url& url, const HttpHeaders& headers,
                                             Clock::time_point deadline,
                                             Cancellation* cancel) const {
  if (url.scheme != "https" && !(url.scheme == "http" && options_.allow_http))
    return base::Status::InvalidArgument(url.scheme == "http"
                                             ? "plain http is not allowed here (https only)"
                                             : "the scheme is not http or https");
  const auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero()) return DeadlinePassed();

  std::unique_ptr<httplib::ClientImpl> client;
  if (url.scheme == "https") {
    auto ssl = std::make_unique<httplib::SSLClient>(url.host, url.port);
    ssl->enable_server_certificate_verification(true);
    if (!options_.ca_file.empty()) ssl->set_ca_cert_path(options_.ca_file.c_str());
    client = std::move(ssl);
  } else {
    client = std::make_unique<httplib::ClientImpl>(url.host, url.port);
  }
  // The socket timeouts are the time left plus a margin, so that a timeout always fires after the
  // deadline (timers may wake a little early) and is reported as kDeadlineExceeded, not as a
  // broken connection; a body still arriving at the deadline is abandoned by the receiver below.
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(left + kTimeoutMargin).count();
  const auto sec = static_cast<time_t>(us / 1000000);
  const auto usec = static_cast<time_t>(us % 1000000);
  client->set_connection_timeout(sec, usec);
  client->set_read_timeout(sec, usec);
  client->set_write_timeout(sec, usec);
  client->set_keep_alive(false);
  client->set_follow_location(false);
  client->set_url_encode(false);  // ParseUrl has normalised and encoded the path and query

  httplib::Headers request_headers;
  for (const auto& [name, value] : headers) request_headers.emplace(name, value);

  std::uint64_t id = 0;
  if (cancel != nullptr && !cancel->Enter(id, [raw = client.get()] { raw->stop(); }))
    return DeadlinePassed();
  HttpResponse out;
  bool too_large = false;
  bool late = false;
  auto result = client->Get(
      url.PathAndQuery(), request_headers,
      [&](const httplib::Response& response) {
        out.status = response.status;
        out.content_type = response.get_header_value("Content-Type");
        return out.status >= 200 && out.status < 300;  // the body of anything else is not read
      },
      [&](const char* data, std::size_t length) {
        if (out.body.size() + length > options_.max_body_bytes) {
          too_large = true;
          return false;
        }
        if (Clock::now() > deadline) {
          late = true;
          return false;
        }
        out.body.append(data, length);
        return true;
      });
  if (cancel != nullptr) cancel->Leave(id);

  if (too_large)
    return base::Status::ResourceExhausted("the answer is larger than " +
                                           std::to_string(options_.max_body_bytes) + " bytes");
  if (out.status >= 300 && out.status < 400)
    return base::Status::FailedPrecondition("the server answered HTTP " +
                                            std::to_string(out.status) +
                                            " (a redirect; redirects are not followed)");
  if (out.status != 0 && (out.status < 200 || out.status >= 300)) {
    out.body.clear();
    return out;
  }
  if (late || Clock::now() >= deadline || (cancel != nullptr && cancel->cancelled()) ||
      result.error() == httplib::Error::ConnectionTimeout)
    return DeadlinePassed();
  if (!result) {
    const auto error = result.error();
    switch (error) {
      case httplib::Error::Connection:
        return base::Status::Unavailable(
            "the server could not be reached (unknown host, connection refused or failed)");
      case httplib::Error::SSLConnection:
      case httplib::Error::SSLServerVerification:
      case httplib::Error::SSLLoadingCerts:
        return base::Status::Unauthenticated("the TLS connection failed (" +
                                             httplib::to_string(error) + ")");
      case httplib::Error::Read:
      case httplib::Error::Write:
        return base::Status::Unavailable("the connection broke before a complete answer (" +
                                         httplib::to_string(error) + ")");
      default:
        return base::Status::Unavailable("the GET failed: " + httplib::to_string(error));
    }
  }
  return out;
}

}  // namespace net
