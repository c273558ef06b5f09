// Random (version 4) UUIDs for cards and suggestions.
#pragma once

#include <string>

namespace cdshooks {

std::string NewUuid();

// True for the canonical 8-4-4-4-12 hex form.
bool IsUuid(const std::string& s);

}  // namespace cdshooks
