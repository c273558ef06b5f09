#include "app/config_check.h"

#include "config/config_file.h"

#include <iostream>

namespace app {

int RunConfigCheck(const std::string& path) {
  config::ServerConfig config;
  auto problems = config::ApplyConfigFile(path, config);
  if (problems.empty())
    for (auto& p : config::CheckConfig(config)) problems.push_back(path + ": " + p);
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << p << "\n";
    std::cerr << problems.size() << (problems.size() == 1 ? " mistake" : " mistakes")
              << "; settings and their types: docs/operations.md\n";
    return 1;
  }
  const config::ServerConfig defaults;
  std::cout << path << ": OK. Settings that differ from the defaults:\n";
  bool any = false;
  for (const auto& s : config::Settings()) {
    const std::string value = s.Format(config);
    if (value == s.Format(defaults)) continue;
    std::cout << "  " << s.key << " = " << value << "\n";
    any = true;
  }
  if (!any) std::cout << "  (none)\n";
  return 0;
}

}  // namespace app
