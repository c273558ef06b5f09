// anakinra-cds: the CDS Hooks service and its command-line tools.
//
// Exit codes: 0 success; 1 the service could not start or run (bad configuration or knowledge,
// port in use); 2 usage error; 3 `evaluate` answered with an error (the request was refused).
#include "anakinra/engine.h"
#include "anakinra/knowledge.h"
#include "app/card_text.h"
#include "cdshooks/bundle_request.h"
#include "cdshooks/request.h"
#include "cdshooks/service.h"
#include "fhir/date.h"
#include "server/http_server.h"
#include "server/request_log.h"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>

#ifndef ANAKINRA_HOOKS_DIR
#define ANAKINRA_HOOKS_DIR "hooks"
#endif

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitRefused = 3;

std::string DefaultHooksDir() {
  if (const char* env = std::getenv("ANAKINRA_HOOKS_DIR")) return env;
  return ANAKINRA_HOOKS_DIR;
}

bool ReadAll(const std::string& path, std::string& out) {
  if (path == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), {});
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// Loads knowledge and services; checks that discovery's observation codes match the knowledge.
std::shared_ptr<server::HookHandler> LoadHandler(const std::string& hooks_dir, std::size_t max_depth,
                                                 std::string& error) {
  auto knowledge = anakinra::LoadKnowledge(hooks_dir, error);
  if (!knowledge) return nullptr;
  std::string services_json;
  if (!ReadAll(hooks_dir + "/services.json", services_json)) {
    error = "cannot read " + hooks_dir + "/services.json";
    return nullptr;
  }
  auto catalog = cdshooks::ServiceCatalog::Load(services_json, error);
  if (!catalog) return nullptr;
  const auto loincs = knowledge->ObservationLoincCodes();
  for (const auto& s : catalog->services()) {
    auto it = s.prefetch.find("observations");
    if (it == s.prefetch.end()) continue;
    for (const auto& code : loincs)
      if (it->second.find("http://loinc.org|" + code + ",") == std::string::npos &&
          it->second.find("http://loinc.org|" + code + "&") == std::string::npos) {
        error = "services.json: " + s.id + " prefetch.observations lacks LOINC " + code +
                ", which the rules read";
        return nullptr;
      }
  }
  auto engine = std::make_shared<anakinra::Engine>(std::move(knowledge));
  return std::make_shared<server::HookHandler>(std::move(engine), std::move(*catalog),
                                               cdshooks::ParseLimits{max_depth});
}

server::HttpServer* g_server = nullptr;

void OnSignal(int) {
  if (g_server != nullptr) g_server->Stop();
}

int Serve(server::ServerConfig config, const std::string& log_level) {
  server::LogLevel level;
  if (!server::ParseLogLevel(log_level, level)) {
    std::cerr << "unknown log level \"" << log_level << "\" (debug, info, warn, error, off)\n";
    return 2;
  }
  server::SetLogLevel(level);
  std::string error;
  auto handler = LoadHandler(config.hooks_dir, config.max_json_depth, error);
  if (!handler) {
    server::LogEvent(server::LogLevel::kError, "startup", error);
    std::cerr << "anakinra-cds: " << error << "\n";
    return kExitFailure;
  }
  server::HttpServer http(config, handler);
  if (!http.Bind(error)) {
    server::LogEvent(server::LogLevel::kError, "startup", error);
    std::cerr << "anakinra-cds: " << error << "\n";
    return kExitFailure;
  }
  g_server = &http;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  const std::string scheme = http.tls() ? "https" : "http";
  server::LogEvent(server::LogLevel::kInfo, "startup",
                   "serving " + scheme + "://" + config.host + ":" + std::to_string(http.port()) +
                       "/cds-services (" + std::to_string(handler->catalog().services().size()) +
                       " services; authentication off: every caller is trusted)");
  const bool ok = http.Run();
  g_server = nullptr;
  server::LogEvent(server::LogLevel::kInfo, "shutdown", "stopped");
  return ok ? 0 : kExitFailure;
}

int Evaluate(const std::string& hooks_dir, const std::string& hook, const std::string& format,
             const std::string& file, const std::string& now_text) {
  std::string error;
  auto handler = LoadHandler(hooks_dir, 256, error);
  if (!handler) {
    std::cerr << "anakinra-cds: " << error << "\n";
    return kExitFailure;
  }
  std::string body;
  if (!ReadAll(file, body)) {
    std::cerr << "anakinra-cds: cannot read " << file << "\n";
    return kExitFailure;
  }
  auto now = std::chrono::system_clock::now();
  if (!now_text.empty()) {
    auto t = fhir::ParseDateTime(now_text);
    if (!t) {
      std::cerr << "anakinra-cds: --now must be a FHIR dateTime, e.g. 2026-11-20T09:00:00Z\n";
      return 2;
    }
    now = std::chrono::system_clock::time_point(std::chrono::seconds(*t));
  }
  auto doc = std::make_shared<rapidjson::Document>();
  server::HookResult result;
  if (auto e = fhir::ParseJson(body, 256, *doc)) {
    result = server::ErrorResult(cdshooks::MakeError(400, "structure", e->message));
  } else {
    std::string service_id = "anakinra-" + hook;
    if (cdshooks::LooksLikeHookRequest(*doc)) {
      if (auto h = fhir::StringMember(*doc, "hook"); h && hook.empty()) service_id = "anakinra-" + std::string(*h);
    } else if (hook.empty()) {
      service_id = "anakinra-order-sign";
    }
    const auto* service = handler->catalog().Find(service_id);
    if (service == nullptr) {
      std::cerr << "anakinra-cds: no service for hook \"" << hook << "\"\n";
      return 2;
    }
    if (!cdshooks::LooksLikeHookRequest(*doc)) {
      doc = cdshooks::RequestFromBundle(*doc, *service, error);
      if (!doc) {
        std::cerr << "anakinra-cds: " << file << ": " << error << "\n";
        return kExitRefused;
      }
    }
    cdshooks::Request request;
    if (auto invalid = cdshooks::ReadRequest(doc, *service, request)) {
      result = server::ErrorResult(*invalid);
    } else {
      result = handler->Evaluate(*service, request, now);
    }
  }
  if (format == "text") {
    std::cout << app::ResponseAsText(result.body);
  } else {
    std::cout << result.body << "\n";
  }
  return result.status == 200 ? 0 : kExitRefused;
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
  std::string log_level = "info";
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
  serve->add_option("--log-level", log_level, "debug, info, warn, error or off")->capture_default_str();

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
    return Serve(config, log_level);
  }
  return Evaluate(hooks_dir, hook, format, file, now_text);
}
