// Where the hooks/ folder is when no hooks_dir is configured.
//
// Looked for, in order: `hooks/` next to the binary (the build folder, where CMake links it to the
// source tree's hooks/; a Docker image), the installed data folder (`cmake --install` puts the
// binary in PREFIX/bin and the folder in PREFIX/share/anakinra-cds/hooks, found relative to the
// binary, so the prefix can move), and last `hooks` in the working directory. A folder counts when
// it holds services.json. Thread safety: safe from any thread. Errors: none here; a wrong folder
// is reported when the hooks are loaded.
#pragma once

#include <string>

namespace app {

std::string DefaultHooksDir();

}  // namespace app
