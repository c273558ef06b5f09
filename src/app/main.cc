// anakinra-cds: the CDS Hooks service and its command-line tools.
//
// Exit codes: 0 success; 1 the service could not start or run (bad configuration or knowledge,
// port in use); 2 usage error; 3 `evaluate` answered with an error (the request was refused).
#include "app/config_check.h"
#include "app/evaluate.h"
#include "app/feedback_report.h"
#include "app/serve.h"
#include "server/config.h"
#include "server/config_file.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

#ifndef ANAKINRA_HOOKS_DIR
#define ANAKINRA_HOOKS_DIR "hooks"
#endif

namespace {

std::string DefaultHooksDir() {
  if (const char* env = std::getenv("ANAKINRA_HOOKS_DIR")) return env;
  return ANAKINRA_HOOKS_DIR;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "anakinra-cds: a CDS Hooks 2.0 service that checks anakinra (Kineret) orders.\n"
      "Exit codes: 0 ok, 1 cannot start or run, 2 usage error, 3 request refused."};
  cli.require_subcommand(1);
  std::string hooks_dir = DefaultHooksDir();
  cli.add_option("--hooks", hooks_dir, "Folder with services.json, cards.json and knowledge/")
      ->capture_default_str();

  server::ServerConfig config;
  std::vector<std::string> origins;
  auto* serve = cli.add_subcommand("serve", "Run the CDS Hooks service over HTTP(S)");
  serve->add_option("--host", config.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", config.port, "Port to listen on (0 picks a free one)")
      ->capture_default_str();
  serve->add_option("--allow-origin", origins,
                    "CORS origin allowed to call (repeatable; default any)");
  serve
      ->add_option("--max-body-bytes", config.max_body_bytes,
                   "Largest request body accepted (413 above)")
      ->capture_default_str();
  serve
      ->add_option("--max-json-depth", config.max_json_depth,
                   "Deepest JSON nesting accepted (400 above)")
      ->capture_default_str();
  serve->add_option("--threads", config.threads, "Worker threads (0: 4 per core)")
      ->capture_default_str();
  serve->add_option("--tls-cert", config.tls_cert_file, "PEM certificate chain: serve HTTPS");
  serve->add_option("--tls-key", config.tls_key_file, "PEM private key for --tls-cert");
  serve->add_option("--log-level", config.log_level, "debug, info, warn, error or off")
      ->capture_default_str();
  std::string config_file;
  serve->add_option("--config", config_file,
                    "JSON configuration file (default: $ANAKINRA_CONFIG); precedence: flags > "
                    "ANAKINRA_* environment > file > defaults (docs/operations.md)");
  serve
      ->add_option("--data-dir", config.data_dir,
                   "Folder of the feedback store (created if missing)")
      ->capture_default_str();
  serve->add_option(
      "--trusted-issuer", config.trusted_issuers,
      "ISS=JWKS_FILE: trust JWTs from issuer ISS signed with a key of the JWK Set file "
      "(repeatable; turns authentication on)");
  serve->add_option("--trusted-jku", config.trusted_jku,
                    "ISS=https://URL_PREFIX: jku URLs allowed for issuer ISS (repeatable)");
  serve->add_option("--jku-ca", config.jku_ca_file,
                    "CA bundle for fetching jku JWK Sets (default: system)");
  serve->add_option(
      "--public-url", config.public_url,
      "Externally visible base URL (e.g. https://cds.example.org); aud must be it + the "
      "path (required with --trusted-issuer)");
  serve->add_option("--allow-tenant", config.allowed_tenants,
                    "Tenant allowed in the JWT tenant claim (repeatable; default any)");
  serve
      ->add_option("--jwt-clock-skew", config.jwt_clock_skew_seconds,
                   "Seconds of clock skew tolerated for exp, iat and nbf")
      ->capture_default_str();
  serve
      ->add_option("--jwt-max-lifetime", config.jwt_max_lifetime_seconds,
                   "Largest exp - now accepted, in seconds (bounds the jti replay cache)")
      ->capture_default_str();
  serve
      ->add_option("--read-timeout", config.read_timeout_seconds,
                   "Seconds a client may stay silent while sending a request")
      ->capture_default_str();
  serve
      ->add_option("--write-timeout", config.write_timeout_seconds,
                   "Seconds a client may stall reading the response")
      ->capture_default_str();
  serve
      ->add_option("--max-pending-connections", config.max_pending_connections,
                   "Accepted connections waiting for a worker before accepting pauses")
      ->capture_default_str();
  serve->add_option("--allow-fhir-server", config.allowed_fhir_servers,
                    "URL_PREFIX of a FHIR server the service may fetch missing prefetch from "
                    "(repeatable; scheme, host and port exact, path by segment; default: "
                    "loopback http(s) only)");
  serve->add_option("--fhir-ca-file", config.fhir_ca_file,
                    "CA bundle for https fhirServer certificates (default: system)");
  serve
      ->add_option("--fetch-deadline-ms", config.fetch_deadline_ms,
                   "One deadline for all FHIR fetches of a request, in milliseconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 60000));
  serve
      ->add_option("--fetch-max-pages", config.fetch_max_pages,
                   "searchset pages followed per prefetch key (more: 412)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));

  std::string report_dir = "data", report_since, report_format = "text";
  auto* report = cli.add_subcommand(
      "feedback-report",
      "Per card code: cards issued, accepted, overridden, acceptance rate, top override reasons");
  report->add_option("--data-dir", report_dir, "The serve data dir (holds feedback.sqlite3)")
      ->capture_default_str();
  report->add_option("--since", report_since, "Only cards issued from this date or dateTime on");
  report->add_option("--format", report_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  std::string check_file;
  auto* config_cmd = cli.add_subcommand("config", "Configuration files");
  config_cmd->require_subcommand(1);
  auto* config_check = config_cmd->add_subcommand("check",
                                                  "Explain every mistake in a configuration file "
                                                  "(exit 0 valid, 1 mistakes)");
  config_check->add_option("FILE", check_file, "JSON configuration file")->required();

  std::string hook, format = "json", file, now_text;
  auto* evaluate = cli.add_subcommand(
      "evaluate",
      "Evaluate a CDS Hooks request, or a FHIR Bundle from fhir-samples/, and print the cards");
  evaluate
      ->add_option("--hook", hook,
                   "order-sign or order-select (default: the request's hook; "
                   "order-sign for a Bundle)")
      ->check(CLI::IsMember({"order-sign", "order-select"}));
  evaluate->add_option("--format", format, "json (the response body) or text (for a person)")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  evaluate->add_option("--now", now_text,
                       "Reference time for orders without authoredOn (dateTime)");
  std::size_t page_size = 0;
  evaluate
      ->add_option("--page-size", page_size,
                   "For a Bundle: send each searchset prefetch one page of N entries with a "
                   "next link no server answers (0: off)")
      ->check(CLI::Range(0, 100000));
  evaluate->add_option("FILE", file, "Request or Bundle JSON file, or - for standard input")
      ->required();

  std::string request_hook, request_file;
  auto* request = cli.add_subcommand(
      "request",
      "Print the CDS Hooks request built from a fhir-samples Bundle (for curl or load tests)");
  request->add_option("--hook", request_hook, "order-sign (default) or order-select")
      ->check(CLI::IsMember({"order-sign", "order-select"}));
  std::size_t request_page_size = 0;
  request
      ->add_option("--page-size", request_page_size,
                   "Send each searchset prefetch one page of N entries with a next link no "
                   "server answers (0: off)")
      ->check(CLI::Range(0, 100000));
  request->add_option("FILE", request_file, "Bundle JSON file, or - for standard input")
      ->required();

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*serve) {
    // Precedence flags > environment > file > defaults: rebuild the configuration from the
    // defaults, the file and the environment, then parse again. CLI11 assigns only the flags
    // that were given, so they land on top.
    server::ServerConfig merged;
    if (config_file.empty())
      if (const char* env = std::getenv("ANAKINRA_CONFIG")) config_file = env;
    std::vector<std::string> problems;
    if (!config_file.empty()) problems = server::ApplyConfigFile(config_file, merged);
    for (auto& p : server::ApplyEnvironment(merged)) problems.push_back("environment: " + p);
    if (!problems.empty()) {
      for (const auto& p : problems) std::cerr << "anakinra-cds: " << p << "\n";
      return 2;
    }
    const std::string merged_hooks = merged.hooks_dir;
    config = merged;
    const std::string given_config_file = config_file;
    cli.parse(argc, argv);  // parsed once already: cannot fail
    config_file = given_config_file;
    if (cli.get_option("--hooks")->count() == 0)
      hooks_dir = merged_hooks.empty() ? ANAKINRA_HOOKS_DIR : merged_hooks;
    config.hooks_dir = hooks_dir;
    if (!origins.empty()) config.allowed_origins = origins;
    if ((!config.trusted_issuers.empty() || !config.trusted_jku.empty()) &&
        config.public_url.empty()) {
      std::cerr << "anakinra-cds: --public-url is required with --trusted-issuer/--trusted-jku "
                   "(aud is checked against it)\n";
      return 2;
    }
    if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
      std::cerr << "anakinra-cds: --tls-cert and --tls-key go together\n";
      return 2;
    }
    for (const auto& p : server::CheckConfig(config)) problems.push_back(p);
    if (!problems.empty()) {
      for (const auto& p : problems) std::cerr << "anakinra-cds: " << p << "\n";
      return 2;
    }
    return app::RunServe(config);
  }
  if (*report) return app::RunFeedbackReport(report_dir, report_since, report_format);
  if (*config_check) return app::RunConfigCheck(check_file);
  if (*request) return app::RunRequest(hooks_dir, request_hook, request_file, request_page_size);
  return app::RunEvaluate(hooks_dir, hook, format, file, now_text, page_size);
}
