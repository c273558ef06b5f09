// Loading what both `serve` and `evaluate` need: the knowledge, the service definitions, and
// the hook handler built on them. Checks that discovery's observation prefetch asks for every
// LOINC code the rules read.
//
// Thread safety: the functions share no state; call them from any thread. Ownership: the
// returned HookService owns its knowledge, catalog and engine. Errors: a Status whose message
// names the file and entry at fault (the CLI prints it as is).
#pragma once

#include "base/status.h"
#include "service/hook_service.h"

#include <memory>
#include <string>

namespace service {

// The hook service over `hooks_dir` (knowledge/, cards.json, services.json), parsing requests no
// deeper than `max_depth`. Errors: the knowledge's (LoadKnowledge), kIoError when services.json
// cannot be read, kInvalidArgument when it is wrong or lacks a template the rules need.
base::StatusOr<std::shared_ptr<HookService>> LoadHookService(const std::string& hooks_dir,
                                                             std::size_t max_depth);

}  // namespace service
