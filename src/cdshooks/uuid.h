// UUIDs for cards, suggestions and generated hookInstances: version 7 (RFC 9562), time-ordered.
//
// The first 48 bits are the Unix time in milliseconds and the next 12 a fraction of that
// millisecond (RFC 9562 6.2, method 3), so UUIDs made later sort later. The store keys issued
// cards by their uuid: time-ordered keys append at the right edge of its B-tree instead of
// landing on a random page each (measured in docs/performance.md). The other 62 bits are random
// (a per-thread generator seeded from std::random_device): a uuid names a card, it is not a
// secret, and feedback for it is authenticated like every other call. A uuid reveals when its
// card was issued, to the EHR that received the card at that time.
//
// Thread safety: both functions are safe from any thread. Errors: none.
#pragma once

#include <chrono>
#include <string>

namespace cdshooks {

std::string NewUuid();
// The same at a given time (for tests).
std::string NewUuidAt(std::chrono::system_clock::time_point now);

// True for the canonical 8-4-4-4-12 hex form.
bool IsUuid(const std::string& s);

}  // namespace cdshooks
