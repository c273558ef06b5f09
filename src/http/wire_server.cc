#include "http/wire_server.h"

#include "base/log.h"
#include "base/thread_pool.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace http::wire {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::uint64_t kListenerId = 0;
constexpr std::uint64_t kWakeId = 1;

// The descriptor kept in reserve for an EMFILE/ENFILE episode.
int OpenReserve() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

// The client's address as bytes (IPv4 or IPv6; the port is not part of it).
std::string AddressKey(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(a).sin6_addr;
    // An IPv4 client on a dual-stack socket (::ffff:a.b.c.d) is the same client as a.b.c.d.
    if (IN6_IS_ADDR_V4MAPPED(&in6)) return std::string(reinterpret_cast<const char*>(&in6) + 12, 4);
    return std::string(reinterpret_cast<const char*>(&in6), sizeof in6);
  }
  if (a.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(a).sin_addr;
    return std::string(reinterpret_cast<const char*>(&in), sizeof in);
  }
  return std::string();
}

// TLS 1.2 minimum (1.3 preferred by negotiation); for 1.2 only ECDHE key exchange with AEAD
// ciphers; no renegotiation, no compression. TLS 1.3 suites are OpenSSL's (all AEAD).
void HardenTls(SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(ctx,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

// `head`: the answer to a HEAD request, its Content-Length without the body.
std::string Serialize(const Response& r, bool close, bool head = false) {
  std::string out;
  out.reserve(r.body.size() + 256);
  out += "HTTP/1.1 ";
  out += std::to_string(r.status);
  out += ' ';
  out += ReasonPhrase(r.status);
  out += "\r\n";
  for (const auto& [name, value] : r.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (r.status != 204) {  // a 204 has no Content-Length (RFC 9110 8.6)
    out += "Content-Length: ";
    out += std::to_string(r.body.size());
    out += "\r\n";
  }
  out += close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
  if (!head) out += r.body;
  return out;
}

enum class Phase { kHandshake, kIdle, kReading, kBusy, kWriting };

struct Connection {
  explicit Connection(const Limits& limits) : parser(limits) {}
  std::uint64_t id = 0;
  int fd = -1;
  SSL* ssl = nullptr;
  Phase phase = Phase::kIdle;
  std::string in;
  std::string out;
  std::size_t out_done = 0;
  RequestParser parser;
  Clock::time_point started;   // the current request's first byte
  Clock::time_point deadline;  // of the current phase
  std::size_t served = 0;
  std::string client;  // AddressKey of the peer
  bool close_after_write = false;
  bool eof = false;
  bool tls_wants_read = false;
  bool tls_wants_write = false;
  // Plain TCP: epoll reported the socket readable since the last read that drained it (a short
  // read or EAGAIN). A connection that is not is not read: each request then costs one recv.
  bool readable = false;
  std::uint32_t events = 0;  // registered with epoll
};

}  // namespace

const char* ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
  }
}

// What the loops share. Thread safety: `open`, `queued`, `next_loop` and `stopping` are atomic,
// per_client is guarded by per_client_mutex; the rest is set before the loops run and only read
// while they do.
struct Server::Impl {
  explicit Impl(Server& s) : server(s) {}
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Server& server;
  SSL_CTX* ctx = nullptr;
  bool ctx_failed = false;
  int listen_fd = -1;
  std::atomic<bool> stopping{false};
  std::vector<std::unique_ptr<Loop>> loops;  // made with the server: Stop() may wake them
  std::atomic<std::size_t> next_loop{0};     // round-robin of new connections
  std::atomic<std::size_t> open{0};          // connections on every loop
  std::mutex per_client_mutex;
  std::unordered_map<std::string, std::size_t> per_client;  // open connections per address
  std::unique_ptr<base::ThreadPool> pool;
  std::atomic<std::size_t> queued{0};  // requests waiting for a worker
};

// One event loop: its own epoll set, connections and answers. Loop 0 also accepts, and deals
// the new connections round-robin to every loop (so that the loops share the connections of a
// client that opens them all at once); a connection stays on its loop until it closes.
struct Server::Loop {
  Loop(Server::Impl& s, std::size_t i)
      : shared(s),
        server(s.server),
        index(i),
        epoll_fd(::epoll_create1(EPOLL_CLOEXEC)),
        wake_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
        reserve_fd(i == 0 ? OpenReserve() : -1) {}
  ~Loop() {
    for (auto& [id, c] : conns) Free(*c);
    for (auto& [fd, client] : incoming) ::close(fd);
    if (reserve_fd >= 0) ::close(reserve_fd);
    if (epoll_fd >= 0) ::close(epoll_fd);
    if (wake_fd >= 0) ::close(wake_fd);
  }
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  Server::Impl& shared;
  Server& server;
  const std::size_t index;
  const ServerOptions& opt() const { return server.options_; }
  int epoll_fd;
  int wake_fd;
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> conns;
  // Loop 0, out of descriptors: the reserve, the episode (for one log line each way), the paused
  // listener.
  int reserve_fd = -1;
  bool short_of_fds = false;
  std::size_t fd_refused = 0;  // in this episode
  Clock::time_point last_shortage_log{};
  bool listener_paused = false;
  Clock::time_point resume_listener{};
  std::uint64_t next_id = 2;
  std::mutex incoming_mutex;
  std::vector<std::pair<int, std::string>> incoming;  // (fd, client) accepted by loop 0 for us
  std::mutex done_mutex;
  struct Done {
    std::uint64_t id;
    Response response;
    bool close;
    bool head;
  };
  std::vector<Done> done;  // answers from the workers

  // The head's deadline: header_timeout_ms, within the whole request's read_timeout_ms.
  int HeadMs() const { return std::min(opt().header_timeout_ms, opt().read_timeout_ms); }

  void Wake() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
  }

  // Hands an accepted connection to this loop (from loop 0's thread).
  void Give(int fd, std::string client) {
    {
      std::lock_guard<std::mutex> lock(incoming_mutex);
      incoming.emplace_back(fd, std::move(client));
    }
    Wake();
  }

  void TakeIncoming() {
    std::vector<std::pair<int, std::string>> given;
    {
      std::lock_guard<std::mutex> lock(incoming_mutex);
      given.swap(incoming);
    }
    for (auto& [fd, client] : given) Adopt(fd, std::move(client));
  }

  void Free(Connection& c) {
    if (c.ssl != nullptr) SSL_free(c.ssl);
    c.ssl = nullptr;
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
  }

  void Close(std::uint64_t id) {
    auto it = conns.find(id);
    if (it == conns.end()) return;
    Connection& c = *it->second;
    if (c.ssl != nullptr && c.phase != Phase::kHandshake) SSL_shutdown(c.ssl);
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
    Forget(c);
    conns.erase(it);
  }

  // Closes a connection's socket and gives back its place in shared.open and shared.per_client.
  void Forget(Connection& c) {
    Free(c);
    {
      std::lock_guard<std::mutex> lock(shared.per_client_mutex);
      if (auto p = shared.per_client.find(c.client);
          p != shared.per_client.end() && --p->second == 0)
        shared.per_client.erase(p);
    }
    --shared.open;
  }

  // A quick 503 (plain HTTP; a TLS connection is just closed) and close, before any request.
  // Counted first, so that a client that has read the 503 finds it in the metrics.
  void RefuseConnection(int fd, const char* reason) {
    if (opt().on_connection_refused) opt().on_connection_refused(reason);
    if (shared.ctx == nullptr) {
      static const std::string kBusy = Serialize(
          Response{503, {{"Retry-After", "1"}, {"Content-Type", "text/plain"}}, "busy\n"}, true);
      [[maybe_unused]] auto n = ::send(fd, kBusy.data(), kBusy.size(), MSG_NOSIGNAL);
    }
    ::close(fd);
  }

  enum class Shed { kOne, kNone, kCannot };
  // accept failed with EMFILE/ENFILE: frees the reserve descriptor to accept one waiting
  // connection, refuses it, and takes the reserve again.
  Shed ShedOne() {
    if (!short_of_fds) {
      short_of_fds = true;
      fd_refused = 0;
      const auto now = Clock::now();
      if (last_shortage_log == Clock::time_point{} ||
          now - last_shortage_log >= std::chrono::seconds(10)) {
        last_shortage_log = now;
        base::LogEvent(base::LogLevel::kError, "http",
                       std::string("out of file descriptors (") + std::strerror(errno) +
                           "): new connections get 503 and are closed until some close; raise "
                           "the open-files limit (ulimit -n) or lower max_connections");
      }
    }
    if (reserve_fd < 0) reserve_fd = OpenReserve();
    if (reserve_fd < 0) return Shed::kCannot;
    ::close(reserve_fd);
    const int fd = ::accept4(shared.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    const int accept_errno = errno;
    if (fd >= 0) {
      ++fd_refused;
      RefuseConnection(fd, "descriptors");
    }
    reserve_fd = OpenReserve();
    if (fd >= 0) return reserve_fd >= 0 ? Shed::kOne : Shed::kCannot;
    return accept_errno == EAGAIN || accept_errno == EWOULDBLOCK ? Shed::kNone : Shed::kCannot;
  }

  // The listener leaves epoll for 100 ms (a level-triggered listener whose backlog cannot be
  // taken would wake the loop at once, for ever).
  void PauseListener() {
    if (listener_paused || shared.stopping) return;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, shared.listen_fd, nullptr);
    listener_paused = true;
    resume_listener = Clock::now() + milliseconds(100);
  }

  void ResumeListener() {
    if (!listener_paused || shared.stopping || Clock::now() < resume_listener) return;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenerId;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, shared.listen_fd, &ev);
    listener_paused = false;
  }

  // Loop 0: accepts what is pending, refuses what is beyond the limits, and deals the rest to
  // the loops round-robin.
  void Accept() {
    for (;;) {
      sockaddr_storage addr{};
      socklen_t addr_len = sizeof addr;
      const int fd = ::accept4(shared.listen_fd, reinterpret_cast<sockaddr*>(&addr), &addr_len,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE) {
          const Shed shed = ShedOne();
          if (shed == Shed::kOne) continue;
          if (shed == Shed::kCannot) PauseListener();
        } else if (errno == ENOBUFS || errno == ENOMEM) {
          PauseListener();  // the kernel is short of memory: retried in 100 ms, not at once
        }
        return;  // EAGAIN: the backlog is empty
      }
      if (short_of_fds) {
        short_of_fds = false;
        base::LogEvent(base::LogLevel::kWarn, "http",
                       "file descriptors available again; " + std::to_string(fd_refused) +
                           " connections were refused meanwhile");
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (shared.open.load() >= opt().max_connections || shared.stopping) {
        RefuseConnection(fd, "capacity");
        continue;
      }
      std::string client = AddressKey(addr);
      {
        std::lock_guard<std::mutex> lock(shared.per_client_mutex);
        std::size_t& from_client = shared.per_client[client];
        if (from_client >= opt().max_connections_per_client) {
          RefuseConnection(fd, "per-client");
          continue;
        }
        ++from_client;  // given back by Close, or by Adopt when it fails
      }
      ++shared.open;
      Loop& to = *shared.loops[shared.next_loop++ % shared.loops.size()];
      if (&to == this)
        Adopt(fd, std::move(client));
      else
        to.Give(fd, std::move(client));
    }
  }

  // Takes an accepted connection (counted in shared.open and shared.per_client) into this loop.
  void Adopt(int fd, std::string client) {
    auto c = std::make_unique<Connection>(opt().limits);
    c->id = next_id++;
    c->fd = fd;
    c->client = std::move(client);
    c->started = Clock::now();
    c->deadline = c->started + milliseconds(HeadMs());
    if (shared.ctx != nullptr) {
      c->ssl = SSL_new(shared.ctx);
      if (c->ssl == nullptr) {
        Forget(*c);
        return;
      }
      SSL_set_fd(c->ssl, fd);
      SSL_set_accept_state(c->ssl);
      c->phase = Phase::kHandshake;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = c->id;
    c->events = EPOLLIN;
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      Forget(*c);
      return;
    }
    const std::uint64_t id = c->id;
    conns.emplace(id, std::move(c));
  }

  // Reads what is there (up to the buffer's cap). False when the connection must close.
  bool Read(Connection& c) {
    const std::size_t cap = opt().limits.max_header_bytes + opt().limits.max_body_bytes;
    char buf[16384];
    c.tls_wants_read = c.tls_wants_write = false;
    while (c.in.size() < cap && !c.eof) {
      const std::size_t want = std::min(sizeof buf, cap - c.in.size());
      ssize_t n;
      if (c.ssl != nullptr) {
        const int r = SSL_read(c.ssl, buf, static_cast<int>(want));
        if (r <= 0) {
          const int e = SSL_get_error(c.ssl, r);
          if (e == SSL_ERROR_WANT_READ) return (c.tls_wants_read = true);
          if (e == SSL_ERROR_WANT_WRITE) return (c.tls_wants_write = true);
          ERR_clear_error();
          c.eof = true;
          return e == SSL_ERROR_ZERO_RETURN;
        }
        n = r;
      } else {
        if (!c.readable) return true;  // drained: epoll says when more arrives
        n = ::recv(c.fd, buf, want, 0);
        if (n < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK) c.readable = false;
          return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        }
        if (n == 0) {
          c.eof = true;
          return true;
        }
        // A short read emptied the socket (epoll is level-triggered: anything that arrives
        // later is reported again), so no second recv just to hear EAGAIN.
        if (static_cast<std::size_t>(n) < want) c.readable = false;
      }
      c.in.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }

  // Writes what is pending. False when the connection must close.
  bool Write(Connection& c) {
    c.tls_wants_read = c.tls_wants_write = false;
    while (c.out_done < c.out.size()) {
      const std::size_t left = c.out.size() - c.out_done;
      if (c.ssl != nullptr) {
        const int r = SSL_write(c.ssl, c.out.data() + c.out_done,
                                static_cast<int>(std::min<std::size_t>(left, 1 << 20)));
        if (r <= 0) {
          const int e = SSL_get_error(c.ssl, r);
          if (e == SSL_ERROR_WANT_WRITE) return (c.tls_wants_write = true);
          if (e == SSL_ERROR_WANT_READ) return (c.tls_wants_read = true);
          ERR_clear_error();
          return false;
        }
        c.out_done += static_cast<std::size_t>(r);
      } else {
        const ssize_t n = ::send(c.fd, c.out.data() + c.out_done, left, MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        c.out_done += static_cast<std::size_t>(n);
      }
    }
    return true;
  }

  void Answer(Connection& c, const Response& r, bool close, bool head = false) {
    c.close_after_write = close || shared.stopping || c.served >= opt().max_requests;
    c.out += Serialize(r, c.close_after_write, head);
    c.phase = Phase::kWriting;
    c.deadline = Clock::now() + milliseconds(opt().write_timeout_ms);
  }

  void Refuse(Connection& c, int status, const std::string& message) {
    Response r = server.on_error_(c.parser.request(), status, message);
    Answer(c, r, true);
  }

  // Moves the connection on as far as it can go without waiting; false: close it.
  bool Drive(Connection& c) {
    for (;;) {
      switch (c.phase) {
        case Phase::kHandshake: {
          const int r = SSL_accept(c.ssl);
          if (r == 1) {
            c.phase = Phase::kIdle;
            continue;
          }
          const int e = SSL_get_error(c.ssl, r);
          c.tls_wants_read = e == SSL_ERROR_WANT_READ;
          c.tls_wants_write = e == SSL_ERROR_WANT_WRITE;
          ERR_clear_error();
          return c.tls_wants_read || c.tls_wants_write;
        }
        case Phase::kIdle:
        case Phase::kReading: {
          if (!Read(c)) return false;
          if (c.in.empty()) return !c.eof;
          const auto now = Clock::now();
          if (c.phase == Phase::kIdle) {
            c.phase = Phase::kReading;
            if (c.served > 0) c.started = now;  // the first request's clock started at accept
            c.deadline = c.started + milliseconds(HeadMs());
          }
          switch (c.parser.Parse(c.in)) {
            case RequestParser::Result::kNeedMore:
              if (c.eof) return false;  // cut short
              return true;
            case RequestParser::Result::kHead:
              c.deadline = c.started + milliseconds(opt().read_timeout_ms);
              if (c.parser.request().expect_continue) {
                c.out += "HTTP/1.1 100 Continue\r\n\r\n";
                if (!Write(c)) return false;
              }
              continue;  // the body may be there already
            case RequestParser::Result::kError:
              Refuse(c, c.parser.error().status, c.parser.error().message);
              continue;
            case RequestParser::Result::kComplete:
              break;
          }
          auto request = std::make_shared<Request>(std::move(c.parser.request()));
          c.in.erase(0, c.parser.consumed());
          c.parser.Reset();
          ++c.served;
          // What cannot block is answered here, on this loop, without a hand-off to a worker.
          if (server.inline_handler_) {
            if (std::optional<Response> r = server.inline_handler_(*request)) {
              Answer(c, *r, !request->keep_alive, request->method == "HEAD");
              continue;
            }
          }
          if (shared.queued.load() >= opt().max_queued) {
            Answer(c, server.on_error_(*request, 503, "The server is busy; try again."), true);
            continue;
          }
          c.phase = Phase::kBusy;
          ++shared.queued;
          const std::uint64_t id = c.id;
          shared.pool->Submit([this, id, request] {
            --shared.queued;
            Response r = server.handler_(*request);
            {
              std::lock_guard<std::mutex> lock(done_mutex);
              done.push_back(
                  Done{id, std::move(r), !request->keep_alive, request->method == "HEAD"});
            }
            Wake();
          });
          return true;
        }
        case Phase::kBusy:
          return true;
        case Phase::kWriting: {
          if (!Write(c)) return false;
          if (c.out_done < c.out.size()) return true;
          c.out.clear();
          c.out_done = 0;
          if (c.close_after_write || shared.stopping) {
            ::shutdown(c.fd, SHUT_WR);
            return false;
          }
          c.phase = Phase::kIdle;
          c.deadline = Clock::now() + milliseconds(opt().idle_timeout_ms);
          continue;  // a pipelined request may be waiting in c.in
        }
      }
    }
  }

  void Update(std::uint64_t id) {
    auto it = conns.find(id);
    if (it == conns.end()) return;
    Connection& c = *it->second;
    if (!Drive(c)) {
      Close(id);
      return;
    }
    const std::size_t cap = opt().limits.max_header_bytes + opt().limits.max_body_bytes;
    std::uint32_t events = 0;
    const bool reading =
        c.phase == Phase::kHandshake || c.phase == Phase::kIdle || c.phase == Phase::kReading;
    // While its request is with a worker a connection stays watched for input (no epoll_ctl per
    // request) until input arrives (a pipelined request, a half-close): then it is not watched
    // until the answer is written, so that level-triggered epoll does not report it again and
    // again.
    const bool busy_watch = c.phase == Phase::kBusy && !c.readable && c.ssl == nullptr;
    if ((reading && c.in.size() < cap) || c.tls_wants_read || busy_watch) events |= EPOLLIN;
    if (c.phase == Phase::kWriting || c.tls_wants_write) events |= EPOLLOUT;
    if (c.phase == Phase::kHandshake && c.tls_wants_write)
      events &= ~static_cast<std::uint32_t>(EPOLLIN);
    if (events != c.events) {
      epoll_event ev{};
      ev.events = events;
      ev.data.u64 = id;
      ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev);
      c.events = events;
    }
  }

  void TakeAnswers() {
    std::vector<Done> answers;
    {
      std::lock_guard<std::mutex> lock(done_mutex);
      answers.swap(done);
    }
    for (const Done& d : answers) {
      auto it = conns.find(d.id);
      if (it == conns.end()) continue;  // closed meanwhile
      Answer(*it->second, d.response, d.close, d.head);
      Update(d.id);
    }
  }

  // Deadlines; while stopping, idle connections go at once and the rest at `grace_end`.
  void Sweep(bool grace_over) {
    const auto now = Clock::now();
    std::vector<std::uint64_t> expired, late;
    for (auto& [id, c] : conns) {
      if (grace_over ||
          (shared.stopping && (c->phase == Phase::kIdle || c->phase == Phase::kHandshake))) {
        expired.push_back(id);
      } else if (c->phase != Phase::kBusy && now >= c->deadline) {
        (c->phase == Phase::kReading ? late : expired).push_back(id);
      }
    }
    for (auto id : expired) Close(id);
    for (auto id : late) {
      Connection& c = *conns.at(id);
      Refuse(c, 408, "The request was not received in time.");
      Update(id);
    }
  }

  bool Run() {
    if (epoll_fd < 0 || wake_fd < 0) return false;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeId;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &ev);
    if (index == 0) {
      ev.data.u64 = kListenerId;
      ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, shared.listen_fd, &ev);
    }
    epoll_event events[256];
    Clock::time_point grace_end{};
    bool was_stopping = false;
    auto last_sweep = Clock::now();
    for (;;) {
      if (shared.stopping && !was_stopping) {
        was_stopping = true;
        grace_end = Clock::now() + milliseconds(opt().shutdown_grace_ms);
        if (index == 0) {  // no new connections: refused by the kernel from now on
          if (!listener_paused) ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, shared.listen_fd, nullptr);
          listener_paused = false;
          ::shutdown(shared.listen_fd, SHUT_RDWR);
        }
        TakeIncoming();
        Sweep(false);
      }
      if (was_stopping && conns.empty()) return true;
      const int n = ::epoll_wait(epoll_fd, events, 256, 50);
      if (n < 0 && errno != EINTR) return false;
      for (int i = 0; i < n; ++i) {
        const std::uint64_t id = events[i].data.u64;
        if (id == kListenerId) {
          Accept();
        } else if (id == kWakeId) {
          std::uint64_t count = 0;
          [[maybe_unused]] auto r = ::read(wake_fd, &count, sizeof count);
          TakeIncoming();
        } else {
          // A hang-up is reported even when nothing is asked for: a connection whose request is
          // with a worker is closed (its answer is dropped) rather than polled again and again.
          auto it = conns.find(id);
          if (it == conns.end()) continue;
          if ((events[i].events & (EPOLLERR | EPOLLHUP)) != 0 &&
              it->second->phase == Phase::kBusy) {
            Close(id);
          } else {
            if ((events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) != 0)
              it->second->readable = true;
            Update(id);
          }
        }
      }
      TakeAnswers();
      const auto now = Clock::now();
      if (now - last_sweep >= milliseconds(50) || shared.stopping) {
        last_sweep = now;
        ResumeListener();
        Sweep(was_stopping && now >= grace_end);
      }
    }
  }
};

Server::Impl::~Impl() {
  loops.clear();
  if (listen_fd >= 0) ::close(listen_fd);
  if (ctx != nullptr) SSL_CTX_free(ctx);
}

Server::Server(ServerOptions options, Handler handler, ErrorResponder on_error,
               InlineHandler inline_handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      on_error_(std::move(on_error)),
      inline_handler_(std::move(inline_handler)),
      impl_(std::make_unique<Impl>(*this)) {
  const std::size_t loops = std::max<std::size_t>(1, options_.io_threads);
  for (std::size_t i = 0; i < loops; ++i) impl_->loops.push_back(std::make_unique<Loop>(*impl_, i));
  if (tls()) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (ctx != nullptr &&
        SSL_CTX_use_certificate_chain_file(ctx, options_.tls_cert_file.c_str()) == 1 &&
        SSL_CTX_use_PrivateKey_file(ctx, options_.tls_key_file.c_str(), SSL_FILETYPE_PEM) == 1 &&
        SSL_CTX_check_private_key(ctx) == 1) {
      HardenTls(ctx);
      impl_->ctx = ctx;
    } else {
      if (ctx != nullptr) SSL_CTX_free(ctx);
      impl_->ctx_failed = true;
    }
    ERR_clear_error();
  }
}

Server::~Server() = default;

bool Server::tls() const {
  return !options_.tls_cert_file.empty() && !options_.tls_key_file.empty();
}

base::Status Server::Bind() {
  if (impl_->ctx_failed)
    return base::Status::FailedPrecondition(
        "cannot start TLS: check --tls-cert and --tls-key (readable PEM files that match)");
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  const auto unavailable = [&] {
    return base::Status::Unavailable("cannot listen on " + where +
                                     " (address in use, or not a local address)");
  };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(options_.host.c_str(), std::to_string(options_.port).c_str(), &hints, &found) !=
      0)
    return unavailable();
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return unavailable();
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  impl_->listen_fd = fd;

  // Room for every connection allowed, plus files the process opens itself.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
    const rlim_t want = static_cast<rlim_t>(options_.max_connections) + 256;
    if (files.rlim_cur < want) {
      files.rlim_cur = std::min(want, files.rlim_max);
      ::setrlimit(RLIMIT_NOFILE, &files);
    }
  }
  return base::Status::Ok();
}

bool Server::Run() {
  Impl& m = *impl_;
  if (m.listen_fd < 0) return false;
  // A peer that closes while an answer is written must not kill the process (OpenSSL writes
  // with write(2), which raises SIGPIPE).
  std::signal(SIGPIPE, SIG_IGN);
  m.pool = std::make_unique<base::ThreadPool>(std::max<std::size_t>(1, options_.threads));
  std::atomic<bool> ok{true};
  std::vector<std::thread> others;
  for (std::size_t i = 1; i < m.loops.size(); ++i)
    others.emplace_back([&m, &ok, i] {
      if (!m.loops[i]->Run()) ok = false;
    });
  if (!m.loops[0]->Run()) {
    ok = false;
    Stop();  // the other loops end too
  }
  for (auto& t : others) t.join();
  m.pool.reset();  // runs what is queued (answers to closed connections are dropped), joins
  for (auto& loop : m.loops) {
    {
      std::lock_guard<std::mutex> lock(loop->done_mutex);
      loop->done.clear();
    }
    for (auto& [id, c] : loop->conns) loop->Free(*c);
    loop->conns.clear();
    std::lock_guard<std::mutex> lock(loop->incoming_mutex);  // dealt after that loop ended
    for (auto& [fd, client] : loop->incoming) ::close(fd);
    loop->incoming.clear();
  }
  {
    std::lock_guard<std::mutex> lock(m.per_client_mutex);
    m.per_client.clear();
  }
  return ok;
}

void Server::Stop() {
  impl_->stopping = true;
  for (auto& loop : impl_->loops) loop->Wake();
}

}  // namespace http::wire
