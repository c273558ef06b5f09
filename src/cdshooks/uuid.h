// Random (version 4) UUIDs for cards and suggestions.
//
// Thread safety: both functions are safe from any thread. Errors: none.
#pragma once

#include <string>

namespace cdshooks {

std::string NewUuid();

// True for the canonical 8-4-4-4-12 hex form.
bool IsUuid(const std::string& s);

}  // namespace cdshooks
