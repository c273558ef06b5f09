#include "base/file.h"

#include <cstdio>
#include <fstream>
#include <iostream>

namespace base {
namespace {

StatusOr<std::string> ReadBounded(std::istream& in, const std::string& path,
                                  std::size_t max_bytes) {
  std::string text;
  char chunk[64 * 1024];
  while (in) {
    in.read(chunk, sizeof chunk);
    const auto got = static_cast<std::size_t>(in.gcount());
    if (text.size() + got > max_bytes)
      return Status::ResourceExhausted(path + ": larger than " + std::to_string(max_bytes) +
                                       " bytes");
    text.append(chunk, got);
  }
  if (in.bad()) return Status::IoError("cannot read " + path);
  return text;
}

}  // namespace

StatusOr<std::string> ReadFile(const std::string& path, std::size_t max_bytes) {
  if (path == "-") return ReadBounded(std::cin, "standard input", max_bytes);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  return ReadBounded(in, path, max_bytes);
}

}  // namespace base
