// Configuration from a JSON file and from environment variables, onto server::ServerConfig.
//
// Every field of ServerConfig is a setting with one JSON key (the field name, e.g.
// "max_body_bytes") and one environment variable (ANAKINRA_ + the key in upper case, e.g.
// ANAKINRA_MAX_BODY_BYTES). Lists are JSON arrays of strings in the file and comma-separated in
// the environment. Precedence (applied by `main`): flags > environment > file > defaults.
//
// Adding a field to ServerConfig: add it to the table in config_file.cc (and docs/operations.md).
#pragma once

#include "server/config.h"

#include <cstddef>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace server {

struct Setting {
  const char* key;   // JSON key
  const char* flag;  // `serve` flag, "" when there is none
  const char* help;
  std::variant<std::string ServerConfig::*, int ServerConfig::*, std::size_t ServerConfig::*,
               std::vector<std::string> ServerConfig::*>
      member;
  int min = 0;  // for numbers
  int max = 0;  // for int numbers; 0: no upper bound

  std::string env() const;                          // ANAKINRA_<KEY>
  std::string Format(const ServerConfig& c) const;  // the value as JSON
};

const std::vector<Setting>& Settings();

// Applies a JSON object's settings. Returns one message per mistake, each naming the key
// (unknown keys, wrong types, out-of-range numbers); the config is only changed if none.
std::vector<std::string> ApplyConfigJson(std::string_view text, ServerConfig& config);
// The same for a file; messages start with the path.
std::vector<std::string> ApplyConfigFile(const std::string& path, ServerConfig& config);
// Applies the ANAKINRA_* variables that are set; messages name the variable.
std::vector<std::string> ApplyEnvironment(
    ServerConfig& config, const std::function<const char*(const char*)>& getenv_fn =
                              [](const char* n) { return std::getenv(n); });
// Checks the combination (log level, TLS pair, list entries). Messages name the key.
std::vector<std::string> CheckConfig(const ServerConfig& config);

}  // namespace server
