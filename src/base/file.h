// Reading a whole file, bounded: the one file reader of every layer (configuration, JWK Sets,
// knowledge, service definitions, CLI input).
//
// Thread safety: a pure function of its arguments and the file system. Errors: kNotFound when the
// file cannot be opened, kIoError when reading fails, kResourceExhausted when it is larger than
// `max_bytes` (nothing beyond max_bytes + 1 bytes is read, so a huge or endless file cannot
// exhaust memory). Messages name the path.
#pragma once

#include "base/status.h"

#include <cstddef>
#include <string>

namespace base {

inline constexpr std::size_t kDefaultMaxFileBytes = std::size_t{64} << 20;  // 64 MiB

// The whole file at `path`; "-" reads standard input (for the CLI).
StatusOr<std::string> ReadFile(const std::string& path,
                               std::size_t max_bytes = kDefaultMaxFileBytes);

}  // namespace base
