// Loading what both `serve` and `evaluate` need: the knowledge, the service definitions, and
// the hook handler built on them. Checks that discovery's observation prefetch asks for every
// LOINC code the rules read.
#pragma once

#include "service/hook_service.h"

#include <memory>
#include <string>

namespace service {

// Reads a file, or standard input for "-". False when it cannot be read.
bool ReadAll(const std::string& path, std::string& out);

std::shared_ptr<service::HookService> LoadHookService(const std::string& hooks_dir,
                                                      std::size_t max_depth, std::string& error);

}  // namespace service
