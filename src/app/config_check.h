// `anakinra-cds config check FILE`: explains every mistake in a configuration file (unknown
// keys with the nearest known one, wrong types, out-of-range numbers, invalid combinations).
#pragma once

#include <string>

namespace app {

// Exit code: 0 valid, 1 mistakes found (each printed on stderr).
int RunConfigCheck(const std::string& path);

}  // namespace app
