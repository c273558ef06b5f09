#include "config/options.h"

#include "config/config_file.h"

namespace config {

auth::AuthOptions AuthOptionsFromConfig(const ServerConfig& config) {
  auth::AuthOptions o;
  o.trusted_issuers = config.trusted_issuers;
  o.trusted_jku = config.trusted_jku;
  o.allowed_tenants = config.allowed_tenants;
  o.public_url = config.public_url;
  o.public_url_aliases = config.public_url_aliases;
  o.clock_skew_seconds = config.jwt_clock_skew_seconds;
  o.max_lifetime_seconds = config.jwt_max_lifetime_seconds;
  o.replay_cache_max = config.jwt_replay_cache_max;
  o.jwks_refresh_seconds = config.jwks_refresh_seconds;
  o.jku_ca_file = config.jku_ca_file;
  return o;
}

fetch::FetchOptions FetchOptionsFromConfig(const ServerConfig& config) {
  fetch::FetchOptions o;
  o.allowed_fhir_servers = config.allowed_fhir_servers;
  o.ca_file = config.fhir_ca_file;
  o.deadline_ms = config.fetch_deadline_ms;
  o.max_pages = config.fetch_max_pages;
  o.max_json_depth = config.max_json_depth;
  return o;
}

http::HttpOptions HttpOptionsFromConfig(const ServerConfig& config) {
  http::HttpOptions o;
  o.host = config.host;
  o.port = config.port;
  o.max_body_bytes = config.max_body_bytes;
  o.max_json_depth = config.max_json_depth;
  o.max_header_bytes = config.max_header_bytes;
  o.max_headers = config.max_headers;
  o.header_timeout_ms = config.header_timeout_ms;
  o.read_timeout_seconds = config.read_timeout_seconds;
  o.write_timeout_seconds = config.write_timeout_seconds;
  o.keep_alive_timeout_seconds = config.keep_alive_timeout_seconds;
  o.keep_alive_max_requests = config.keep_alive_max_requests;
  o.io_threads = config.io_threads;
  o.threads = config.threads;
  o.max_connections = config.max_connections;
  o.max_connections_per_client = config.max_connections_per_client;
  o.max_pending_connections = config.max_pending_connections;
  o.shutdown_grace_ms = config.shutdown_grace_ms;
  o.allowed_origins = config.allowed_origins;
  o.allowed_headers = config.allowed_headers;
  o.tls_cert_file = config.tls_cert_file;
  o.tls_key_file = config.tls_key_file;
  return o;
}

http::AdminOptions AdminOptionsFromConfig(const ServerConfig& config) {
  http::AdminOptions o;
  o.host = config.admin_host;
  o.port = AdminPort(config);
  o.token = config.admin_token;
  o.tls_cert_file = config.tls_cert_file;
  o.tls_key_file = config.tls_key_file;
  o.timeout_seconds = config.read_timeout_seconds;
  return o;
}

}  // namespace config
