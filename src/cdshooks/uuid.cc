#include "cdshooks/uuid.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <random>

namespace cdshooks {

std::string NewUuid() { return NewUuidAt(std::chrono::system_clock::now()); }

std::string NewUuidAt(std::chrono::system_clock::time_point now) {
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }()};
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch());
  const auto micros = static_cast<std::uint64_t>(std::max<std::int64_t>(0, us.count()));
  const std::uint64_t ms = (micros / 1000) & 0xFFFFFFFFFFFFULL;  // 48 bits: until year 10889
  const std::uint64_t fraction = (micros % 1000) * 4096 / 1000;  // 12 bits of the millisecond
  std::uint64_t hi = (ms << 16) | 0x7000ULL | fraction;          // version 7
  std::uint64_t lo = (rng() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  int pos = 0;
  auto put = [&](std::uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      out[static_cast<std::size_t>(pos++)] = kHex[(v >> (i * 4)) & 0xF];
    }
  };
  put(hi, 16);
  put(lo, 16);
  return out;
}

bool IsUuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (std::isxdigit(static_cast<unsigned char>(s[i])) == 0) {
      return false;
    }
  }
  return true;
}

}  // namespace cdshooks
