// Base64url (RFC 4648 §5) without padding, as JWS (RFC 7515) uses it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace auth {

// Decodes unpadded base64url. nullopt for any character outside the alphabet, for padding, for
// an impossible length (4n+1) and for non-zero trailing bits (a non-canonical encoding), so one
// byte string has exactly one accepted encoding.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Encodes without padding.
std::string Base64UrlEncode(std::string_view bytes);

}  // namespace auth
