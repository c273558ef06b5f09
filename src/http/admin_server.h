// The admin listener: the governance page (GET /governance, GET /governance/report.json) on its
// own socket, apart from the CDS Hooks port (docs/security.md "Admin listener").
//
// Protection: it binds `host` (loopback by default; config::CheckConfig refuses any other address
// unless a token is set) and, when `token` is set, answers 401 to every request without
// `Authorization: Bearer <token>` (compared in constant time, over SHA-256 digests so the length
// does not leak either). Every answer carries Content-Security-Policy kGovernanceCsp,
// X-Content-Type-Options: nosniff, X-Frame-Options: DENY, Referrer-Policy: no-referrer and
// Cache-Control: no-store. With a TLS certificate and key it serves HTTPS.
//
// Query: since=YYYY-MM-DD (or any FHIR date/dateTime; empty: all time), bucket=day|week; anything
// else is a 400. The JSON is store::ReportJson of store->Report(...), byte for byte what
// `feedback-report --since S --bucket B --format json` prints.
//
// Thread safety: Bind, then Start, on one thread; Stop from any thread, idempotent (the
// destructor calls it). Requests run on cpp-httplib's small thread pool; each takes the store's
// connection mutex for the duration of one report (a read transaction). Ownership: shares the
// store. Errors: Bind returns kFailedPrecondition (TLS files) or kUnavailable (cannot bind);
// a failing report is a 503 with a plain-text message, also logged.
#pragma once

#include "base/status.h"
#include "store/store.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace http {

struct AdminOptions {
  std::string host = "127.0.0.1";
  int port = 0;                             // 0: a free port
  std::string token;                        // "": no credential asked (loopback only)
  std::string tls_cert_file, tls_key_file;  // both: HTTPS
  std::string knowledge_version;            // shown on the page
  int timeout_seconds = 5;                  // read and write
};

class AdminServer {
 public:
  AdminServer(AdminOptions options, std::shared_ptr<store::Store> store);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  base::Status Bind();
  int port() const { return port_; }
  bool tls() const;
  // Serves on a thread of its own until Stop().
  void Start();
  void Stop();

 private:
  void Routes();
  bool Authorized(const std::string& authorization) const;

  AdminOptions options_;
  std::shared_ptr<store::Store> store_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> finished_{false};
  int port_ = -1;
};

}  // namespace http
