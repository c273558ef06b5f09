// `anakinra-cds config check FILE`: explains every mistake in a configuration file (data after the
// JSON object, keys given twice, unknown keys with the nearest known one, wrong types,
// out-of-range numbers, invalid combinations), with the parser and checks `serve` uses
// (config::ApplyConfigFile, config::CheckConfig). Thread safety: none needed (runs alone).
#pragma once

#include <string>

namespace app {

// Exit code: 0 valid, 1 mistakes found (each printed on stderr).
int RunConfigCheck(const std::string& path);

}  // namespace app
