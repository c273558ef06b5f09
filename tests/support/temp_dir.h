// A temporary folder for one test, removed with everything in it when the object goes.
//
// Thread safety: a value; not shared. Ownership: owns the folder. Errors: when mkdtemp fails
// `path` is empty and the test's first use of it fails.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace testing_support {

struct TempDir {
  // The folder is /tmp/anakinra-<tag>-XXXXXX.
  explicit TempDir(const std::string& tag = "test") {
    std::string tmpl = "/tmp/anakinra-" + tag + "-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path;
};

}  // namespace testing_support
