#include "app/config_check.h"

#include "config/config_file.h"

#include <iostream>

namespace app {

int RunConfigCheck(const std::string& path) {
  config::ServerConfig config;
  base::Status status = config::ApplyConfigFile(path, config);
  if (status.ok()) status = config::CheckConfig(config).Annotate(path);
  if (!status.ok()) {
    const auto problems = status.problems();
    for (const auto& p : problems) std::cerr << p.message << "\n";
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
  for (const auto& warning : config::ExposureWarnings(config))
    std::cout << "warning: " << warning << "\n";
  return 0;
}

}  // namespace app
