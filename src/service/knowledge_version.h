// The version of the knowledge in force, for discovery, the log and the governance page.
// Thread safety: a pure function of the files it reads. Errors: a Status.
#pragma once

#include "base/status.h"

#include <string>

namespace service {

// A version of the knowledge in force: "sha256:" and the first 16 hex digits of the SHA-256 of
// the files that decide the cards (cards.json, services.json and knowledge/*.json of
// `hooks_dir`, by name in order, each as name NUL content NUL). Changes whenever any of them
// changes. kIoError when a file cannot be read.
base::StatusOr<std::string> KnowledgeVersion(const std::string& hooks_dir);

}  // namespace service
