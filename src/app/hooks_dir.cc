#include "app/hooks_dir.h"

#include <filesystem>
#include <system_error>

#ifndef ANAKINRA_INSTALLED_HOOKS_DIR
#define ANAKINRA_INSTALLED_HOOKS_DIR "../share/anakinra-cds/hooks"  // relative to the binary
#endif

namespace app {

std::string DefaultHooksDir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path dir = exe.parent_path();
    for (const fs::path& candidate :
         {dir / "hooks", (dir / ANAKINRA_INSTALLED_HOOKS_DIR).lexically_normal()}) {
      if (fs::is_regular_file(candidate / "services.json", ec)) return candidate.string();
    }
  }
  return "hooks";
}

}  // namespace app
