// anakinra-cds: the CDS Hooks service and its command-line tools.
//
// Exit codes: 0 success; 1 the service could not start or run (bad configuration or knowledge,
// port in use); 2 usage error; 3 `evaluate` answered with an error (the request was refused).
#include "app/config_check.h"
#include "app/evaluate.h"
#include "app/feedback_report.h"
#include "app/hooks_dir.h"
#include "app/serve.h"
#include "app/settings_flags.h"
#include "config/config_file.h"
#include "config/server_config.h"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  // A write past RLIMIT_FSIZE then fails with EFBIG, which the store reports (503, an error log
  // line), instead of SIGXFSZ killing the process without a word.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App cli{
      "anakinra-cds: a CDS Hooks 2.0 service that checks anakinra (Kineret) orders.\n"
      "Exit codes: 0 ok, 1 cannot start or run, 2 usage error, 3 request refused."};
  cli.require_subcommand(1);
  // Every setting's flag comes from the settings table (src/config/config_file.cc).
  app::SettingFlags global_flags, serve_flags;
  global_flags.Add(cli, config::SettingScope::kGlobal);

  auto* serve = cli.add_subcommand("serve", "Run the CDS Hooks service over HTTP(S)");
  serve_flags.Add(*serve, config::SettingScope::kServe);
  std::string config_file;
  serve->add_option("--config", config_file,
                    "JSON configuration file (default: $ANAKINRA_CONFIG); precedence: flags > "
                    "ANAKINRA_* environment > file > defaults (docs/operations.md)");

  std::string report_since, report_format = "text", report_bucket = "day";
  app::SettingFlags report_flags;
  auto* report = cli.add_subcommand(
      "feedback-report",
      "Per card code: cards issued, accepted, overridden, acceptance rate, top override reasons");
  report_flags.AddOne(*report, "data_dir", "The serve data dir (holds feedback.sqlite3)");
  report_flags.AddOne(*report, "store_url",
                      "The serve store URL (postgresql://…: the report of every replica; "
                      "default $ANAKINRA_STORE_URL, else SQLite in --data-dir)");
  report->add_option("--since", report_since, "Only cards issued from this date or dateTime on");
  report->add_option("--format", report_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  report->add_option("--bucket", report_bucket, "Trend bucket of the JSON report: day or week")
      ->check(CLI::IsMember({"day", "week"}))
      ->capture_default_str();

  std::string check_file;
  auto* config_cmd = cli.add_subcommand("config", "Configuration files");
  config_cmd->require_subcommand(1);
  auto* config_check = config_cmd->add_subcommand("check",
                                                  "Explain every mistake in a configuration file "
                                                  "(exit 0 valid, 1 mistakes)");
  config_check->add_option("FILE", check_file, "JSON configuration file")->required();
  auto* config_settings = config_cmd->add_subcommand(
      "settings",
      "Print the settings table (key, type, range, variable, flag, default) as Markdown");

  std::string hook, format = "json", file, now_text;
  auto* evaluate = cli.add_subcommand(
      "evaluate",
      "Evaluate a CDS Hooks request, or a FHIR Bundle from fhir-samples/, and print the cards");
  evaluate
      ->add_option("--hook", hook,
                   "order-sign, order-select or patient-view (default: the request's hook; "
                   "order-sign for a Bundle)")
      ->check(CLI::IsMember({"order-sign", "order-select", "patient-view"}));
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
  request->add_option("--hook", request_hook, "order-sign (default), order-select or patient-view")
      ->check(CLI::IsMember({"order-sign", "order-select", "patient-view"}));
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
  // hooks_dir: the flag, else ANAKINRA_HOOKS_DIR (and for serve the file), else next to the binary.
  const config::Setting& hooks_setting = *config::FindSetting("hooks_dir");
  const char* hooks_env = std::getenv(hooks_setting.env().c_str());
  std::string hooks_dir = global_flags.Value(hooks_setting.key, hooks_env ? hooks_env : "");
  if (hooks_dir.empty()) hooks_dir = app::DefaultHooksDir();
  if (*serve) {
    config::ConfigSources sources;
    sources.file = config_file;
    if (sources.file.empty())
      if (const char* env = std::getenv("ANAKINRA_CONFIG")) sources.file = env;
    sources.flags = global_flags.Given();
    for (auto& f : serve_flags.Given()) sources.flags.push_back(std::move(f));
    config::ServerConfig config;
    if (base::Status loaded = config::LoadConfig(sources, config); !loaded.ok()) {
      for (const auto& p : loaded.problems()) std::cerr << "anakinra-cds: " << p.message << "\n";
      return 2;
    }
    if (config.hooks_dir.empty()) config.hooks_dir = app::DefaultHooksDir();
    return app::RunServe(config);
  }
  if (*report) {
    config::ServerConfig report_config;
    if (base::Status applied = config::ApplyFlags(report_flags.Given(), report_config);
        !applied.ok()) {
      for (const auto& p : applied.problems()) std::cerr << "anakinra-cds: " << p.message << "\n";
      return 2;
    }
    if (report_config.store_url.empty())
      if (const char* env = std::getenv(config::FindSetting("store_url")->env().c_str()))
        report_config.store_url = env;
    return app::RunFeedbackReport(report_config.store_url, report_config.data_dir, report_since,
                                  report_format, report_bucket);
  }
  if (*config_settings) {
    std::cout << config::SettingsMarkdownTable();
    return 0;
  }
  if (*config_check) return app::RunConfigCheck(check_file);
  if (*request) return app::RunRequest(hooks_dir, request_hook, request_file, request_page_size);
  return app::RunEvaluate(hooks_dir, hook, format, file, now_text, page_size);
}
