// anakinra-cds: the CDS Hooks service and its command-line tools.
//
// Exit codes: 0 success; 1 the service could not start or run (bad configuration or knowledge,
// port in use); 2 usage error; 3 `evaluate` answered with an error (the request was refused).
#include "app/evaluate.h"
#include "app/serve.h"
#include "server/config.h"

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
  CLI::App cli{"anakinra-cds: a CDS Hooks 2.0 service that checks anakinra (Kineret) orders.\n"
               "Exit codes: 0 ok, 1 cannot start or run, 2 usage error, 3 request refused."};
  cli.require_subcommand(1);
  std::string hooks_dir = DefaultHooksDir();
  cli.add_option("--hooks", hooks_dir, "Folder with services.json, cards.json and knowledge/")
      ->capture_default_str();

  server::ServerConfig config;
    std::vector<std::string> origins;
  auto* serve = cli.add_subcommand("serve", "Run the CDS Hooks service over HTTP(S)");
  serve->add_option("--host", config.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", config.port, "Port to listen on (0 picks a free one)")->capture_default_str();
  serve->add_option("--allow-origin", origins, "CORS origin allowed to call (repeatable; default any)");
  serve->add_option("--max-body-bytes", config.max_body_bytes, "Largest request body accepted (413 above)")
      ->capture_default_str();
  serve->add_option("--max-json-depth", config.max_json_depth, "Deepest JSON nesting accepted (400 above)")
      ->capture_default_str();
  serve->add_option("--threads", config.threads, "Worker threads (0: 4 per core)")->capture_default_str();
  serve->add_option("--tls-cert", config.tls_cert_file, "PEM certificate chain: serve HTTPS");
  serve->add_option("--tls-key", config.tls_key_file, "PEM private key for --tls-cert");
  serve->add_option("--log-level", config.log_level, "debug, info, warn, error or off")->capture_default_str();

  std::string hook, format = "json", file, now_text;
  auto* evaluate = cli.add_subcommand(
      "evaluate", "Evaluate a CDS Hooks request, or a FHIR Bundle from fhir-samples/, and print the cards");
  evaluate->add_option("--hook", hook, "order-sign or order-select (default: the request's hook; "
                                       "order-sign for a Bundle)")
      ->check(CLI::IsMember({"order-sign", "order-select"}));
  evaluate->add_option("--format", format, "json (the response body) or text (for a person)")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  evaluate->add_option("--now", now_text, "Reference time for orders without authoredOn (dateTime)");
  evaluate->add_option("FILE", file, "Request or Bundle JSON file, or - for standard input")->required();

  std::string request_hook, request_file;
  auto* request = cli.add_subcommand(
      "request", "Print the CDS Hooks request built from a fhir-samples Bundle (for curl or load tests)");
  request->add_option("--hook", request_hook, "order-sign (default) or order-select")
      ->check(CLI::IsMember({"order-sign", "order-select"}));
  request->add_option("FILE", request_file, "Bundle JSON file, or - for standard input")->required();

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*serve) {
    config.hooks_dir = hooks_dir;
    if (!origins.empty()) config.allowed_origins = origins;
    if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
      std::cerr << "anakinra-cds: --tls-cert and --tls-key go together\n";
      return 2;
    }
    return app::RunServe(config);
  }
  if (*request) return app::RunRequest(hooks_dir, request_hook, request_file);
  return app::RunEvaluate(hooks_dir, hook, format, file, now_text);
}
