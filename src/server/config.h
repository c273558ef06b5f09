// Settings of the HTTP service, with their defaults (the embedded defaults of `serve`).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace server {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string hooks_dir;  // service definitions and knowledge (hooks/)
  std::string data_dir = "data";

  // Limits against hostile or broken clients.
  std::size_t max_body_bytes = 2 * 1024 * 1024;
  std::size_t max_json_depth = 64;
  int read_timeout_seconds = 5;
  int write_timeout_seconds = 5;
  int keep_alive_timeout_seconds = 5;
  std::size_t keep_alive_max_requests = 10000;
  std::size_t threads = 0;  // 0: derived from the number of cores

  // CORS: "*" allows any origin (the embedded default, for the CDS Hooks sandbox).
  std::vector<std::string> allowed_origins = {"*"};

  // TLS: both set → HTTPS.
  std::string tls_cert_file;
  std::string tls_key_file;
};

}  // namespace server
