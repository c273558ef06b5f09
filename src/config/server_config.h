// Settings of the HTTP service, with their defaults (the embedded defaults of `serve`). Each field
// is one row of the settings table (config::Settings() in config_file.cc: key, range, help, flag,
// variable); a plain value type, copied freely.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace config {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string hooks_dir;  // service definitions and knowledge (hooks/)
  std::string data_dir = "data";
  // Issued cards, feedback and (PostgreSQL) the JWT replay set: "" for SQLite in data_dir, or a
  // postgresql:// URL shared by every replica. May hold a password: logged redacted only.
  std::string store_url;
  // 1: keep the text of a feedback userComment (free text: may hold patient data,
  // docs/security.md); 0: only whether one was sent.
  int store_user_comments = 0;

  // Limits against hostile or broken clients.
  std::size_t max_body_bytes = std::size_t{2} * 1024 * 1024;
  std::size_t max_json_depth = 64;
  std::size_t max_header_bytes = 8192;  // request line + header fields
  std::size_t max_headers = 64;
  int header_timeout_ms = 5000;  // total for a request's head
  int read_timeout_seconds = 5;  // total for a whole request
  int write_timeout_seconds = 5;
  int keep_alive_timeout_seconds = 5;
  std::size_t keep_alive_max_requests = 10000;
  std::size_t max_connections = 1024;
  std::size_t io_threads = 0;  // event loops; 0: one per core (at most 8)
  // From one client address.
  std::size_t max_connections_per_client = 256;
  std::size_t threads = 0;                    // 0: derived from the number of cores
  std::size_t max_pending_connections = 256;  // complete requests waiting for a worker; then 503
  int shutdown_grace_ms = 5000;

  // CORS: "*" allows any origin (the embedded default, for the CDS Hooks sandbox).
  std::vector<std::string> allowed_origins = {"*"};
  std::vector<std::string> allowed_headers = {"Authorization",   "Content-Type",  "Accept",
                                              "Accept-Language", "Cache-Control", "Prefer",
                                              "X-Requested-With"};

  // TLS: both set → HTTPS.
  std::string tls_cert_file;
  std::string tls_key_file;

  // Fetching missing prefetch from the client's fhirServer.
  std::vector<std::string> allowed_fhir_servers;  // URL prefixes; empty: loopback http(s) only
  std::string fhir_ca_file;                       // CA bundle for https; empty: system default
  int fetch_deadline_ms = 450;                    // one deadline for all fetches of a request
  std::size_t fetch_max_pages = 5;                // searchset pages followed per key

  // JWT authentication of CDS clients; empty trusted_issuers: authentication off.
  std::vector<std::string> trusted_issuers;     // "ISS=JWKS_FILE"
  std::vector<std::string> trusted_jku;         // "ISS=JKU_URL_PREFIX": jku URLs allowed per issuer
  std::vector<std::string> allowed_tenants;     // empty: any tenant
  std::string public_url;                       // externally visible base URL, for `aud`
  std::vector<std::string> public_url_aliases;  // other base URLs clients reach us by, for `aud`
  int jwt_clock_skew_seconds = 60;
  int jwt_max_lifetime_seconds = 3600;        // exp further than this (plus skew) ahead: refused
  std::size_t jwt_replay_cache_max = 100000;  // jti remembered until exp; full cache: refused
  int jwks_refresh_seconds = 60;  // a jku is refetched for an unknown kid at most this often
  std::string jku_ca_file;        // CA bundle for fetching jku over https; empty: system default

  // The admin listener (governance page), docs/security.md "Admin listener".
  std::string admin_host = "127.0.0.1";  // beyond loopback only with admin_token
  int admin_port = 0;                    // 0: port + 1 (a free one when port is 0)
  std::string admin_token;               // "": none asked; else Authorization: Bearer TOKEN

  std::string log_level = "info";
};

}  // namespace config
