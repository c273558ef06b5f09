// The JWT replay set: a jti is let in once per issuer until it is forgotten (its exp plus the
// clock skew). The Authenticator asks its ReplayGuard. `serve` injects the store's set (app/
// serve.cc; auth does not depend on the store), which outlives a restart: the jwt_replay table of
// the SQLite file or of PostgreSQL (one set for every replica). The in-memory one below is the
// Authenticator's default where there is no store (the auth layer's tests, in-process servers).
//
// Thread safety: Remember() may be called from many threads at once. Errors: see Remember.
#pragma once

#include "base/status.h"

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace auth {

class ReplayGuard {
 public:
  virtual ~ReplayGuard() = default;
  // Records iss+jti until `forget_after` (unix seconds). OK the first time; kUnauthenticated for
  // a replay ("replayed jti") or a full set; kUnavailable when the set cannot be consulted (the
  // Authenticator then refuses the token: fail closed).
  virtual base::Status Remember(const std::string& iss, const std::string& jti,
                                std::int64_t forget_after, std::int64_t now) = 0;
};

// At most `max_entries` jti values in memory; entries past forget_after are swept every 4096
// inserts or when the set is full. Ownership: plain value, owned by its holder.
class MemoryReplayGuard : public ReplayGuard {
 public:
  explicit MemoryReplayGuard(std::size_t max_entries) : max_(max_entries < 1 ? 1 : max_entries) {}
  base::Status Remember(const std::string& iss, const std::string& jti, std::int64_t forget_after,
                        std::int64_t now) override;

 private:
  const std::size_t max_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::int64_t> seen_;  // iss\0jti → forget_after
  std::size_t inserts_since_sweep_ = 0;
};

}  // namespace auth
