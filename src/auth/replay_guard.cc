#include "auth/replay_guard.h"

#include <iterator>

namespace auth {

base::Status MemoryReplayGuard::Remember(const std::string& iss, const std::string& jti,
                                         std::int64_t forget_after, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (seen_.size() >= max_ || ++inserts_since_sweep_ >= 4096) {
    inserts_since_sweep_ = 0;
    for (auto it = seen_.begin(); it != seen_.end();)
      it = it->second < now ? seen_.erase(it) : std::next(it);
  }
  if (seen_.size() >= max_) return base::Status::Unauthenticated("replay cache full");
  std::string key = iss;
  key.push_back('\0');
  key += jti;
  if (!seen_.emplace(std::move(key), forget_after).second)
    return base::Status::Unauthenticated("replayed jti");
  return base::Status::Ok();
}

}  // namespace auth
