// The settings table: every field of config::ServerConfig declared once, with its JSON key, type,
// range, help text, environment variable and command-line flag; and the parsers made from it.
//
// - JSON key: the field name (e.g. "max_body_bytes"); environment variable: ANAKINRA_ + the key in
//   upper case (ANAKINRA_MAX_BODY_BYTES); flag: Setting::flag (e.g. --max-body-bytes), generated
//   by `main` for `serve` (or for every subcommand, SettingScope::kGlobal); default: the value in
//   ServerConfig{}.
// - Lists are JSON arrays of strings in the file, comma-separated in the environment, and one
//   entry per repetition of the flag.
// - Precedence (LoadConfig): flags > environment > file > defaults; then CheckConfig.
// - docs/operations.md holds SettingsMarkdownTable() (tests/config/config_test.cc compares them;
//   `anakinra-cds config settings` prints it).
//
// Adding a field to ServerConfig: add one row to the table in config_file.cc, then paste the
// output of `anakinra-cds config settings` into docs/operations.md.
//
// Thread safety: Settings() is a constant table, safe from any thread; the other functions touch
// only their arguments. Errors: every function returns a Status, OK when there is no mistake,
// else (made with Status::FromProblems) one Problem per mistake whose message names the key (or
// the variable, or the flag, where the value came from); callers print each problem's message.
// The config is only changed when there is no mistake. Codes: kInvalidArgument, except a file
// that cannot be read (kIoError) or is too large (kResourceExhausted).
#pragma once

#include "base/status.h"
#include "config/server_config.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace config {

enum class SettingScope {
  kServe,   // a flag of `serve`
  kGlobal,  // a flag of the program, given before the subcommand (hooks_dir: every subcommand)
};

struct Setting {
  const char* key;   // JSON key
  const char* flag;  // command-line flag, "" when there is none
  const char* help;
  std::variant<std::string ServerConfig::*, int ServerConfig::*, std::size_t ServerConfig::*,
               std::vector<std::string> ServerConfig::*>
      member;
  std::int64_t min = 0;  // numbers: the accepted range, both ends included
  std::int64_t max = 0;
  SettingScope scope = SettingScope::kServe;

  bool is_number() const;
  bool is_list() const;
  std::string env() const;                          // ANAKINRA_<KEY>
  std::string type() const;                         // "string", "integer" or "list of strings"
  std::string range() const;                        // "0 to 65535"; "" for strings and lists
  std::string Format(const ServerConfig& c) const;  // the value as JSON
  std::string default_value() const { return Format(ServerConfig{}); }
};

// The table, in the order of docs/operations.md.
const std::vector<Setting>& Settings();
// The setting with this key, or nullptr.
const Setting* FindSetting(std::string_view key);

// The Markdown table of docs/operations.md: key, type, range, environment, flag, default, meaning.
std::string SettingsMarkdownTable();

// Largest configuration file read (bytes), and deepest JSON nesting accepted in it.
inline constexpr std::size_t kMaxConfigFileBytes = std::size_t{1} << 20;
inline constexpr std::size_t kMaxConfigJsonDepth = 4;

// Applies a JSON object's settings (the bounded parser; trailing data after the object, duplicate
// keys, unknown keys, wrong types and out-of-range numbers are mistakes).
base::Status ApplyConfigJson(std::string_view text, ServerConfig& config);
// The same for a file; messages start with the path.
base::Status ApplyConfigFile(const std::string& path, ServerConfig& config);
// Applies the ANAKINRA_* variables that are set; messages name the variable.
base::Status ApplyEnvironment(
    ServerConfig& config, const std::function<const char*(const char*)>& getenv_fn =
                              [](const char* n) { return std::getenv(n); });

// Values given on the command line for one setting's flag (one per repetition).
struct FlagValues {
  const Setting* setting;
  std::vector<std::string> values;
};
// Applies flag values (a scalar takes its last value, a list takes every value); messages name
// the flag.
base::Status ApplyFlags(const std::vector<FlagValues>& flags, ServerConfig& config);

// Checks the combination (log level, TLS pair, ISS=VALUE entries, public_url with authentication,
// admin_host beyond loopback only with admin_token,
// non-empty entries). The only place these are checked. Messages name the keys.
base::Status CheckConfig(const ServerConfig& config);

// 127.0.0.0/8, ::1 and localhost.
bool IsLoopbackHost(std::string_view host);

// What a valid configuration still exposes, one sentence each (serve logs them as warnings at
// startup; config check prints them): listening beyond loopback without TLS, or without
// authentication.
std::vector<std::string> ExposureWarnings(const ServerConfig& config);
// The admin listener's port: admin_port, or for 0 port + 1 (0, a free one, when port is 0).
int AdminPort(const ServerConfig& config);

// Where a `serve` configuration comes from.
struct ConfigSources {
  std::string file;  // JSON file, "" for none
  std::function<const char*(const char*)> getenv_fn = [](const char* n) { return std::getenv(n); };
  std::vector<FlagValues> flags;
};
// defaults < file < environment < flags, then CheckConfig (only when the sources had no mistake).
// Messages from the file start with its path and those from the environment with "environment: ".
base::Status LoadConfig(const ConfigSources& sources, ServerConfig& config);

}  // namespace config
