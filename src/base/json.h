// Bounded JSON parsing and small, type-checked accessors over RapidJSON values.
//
// ParseJson never recurses (RapidJSON iterative mode) and refuses documents nested deeper than
// `max_depth`, so hostile input cannot exhaust the stack. Accessors return nullptr / nullopt when a
// member is absent or has another JSON type; callers decide whether that is an error.
//
// Thread safety: parsing writes only the caller's document; the accessors are pure. Returned
// pointers and string_views point into the document and live as long as it does.
#pragma once

#include "base/status.h"

#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace base {

using Json = rapidjson::Value;

// Parses `text` into `doc`. Invalid JSON (or data after the value) is kInvalidArgument with the
// offset ("JSON syntax error at offset 12: Missing a comma or '}'"); nesting deeper than
// max_depth is kResourceExhausted.
Status ParseJson(std::string_view text, std::size_t max_depth, rapidjson::Document& doc);

// The same, parsing in place: `buffer` must end with a NUL byte (the first NUL ends the text, as
// for ParseJson), is modified, and must outlive `doc`, whose strings point into it. Faster: no
// string is copied. Use it for request bodies that are parsed once and then only read.
Status ParseJsonInsitu(char* buffer, std::size_t max_depth, rapidjson::Document& doc);

// Duplicate member names. RapidJSON keeps every member of an object, and Member() finds the first,
// so {"a":1,"a":2} would silently read as a = 1 while another reader takes the last: a duplicate is
// ambiguous, and callers refuse it (the config file: an error; a CDS Hooks envelope: 400; a FHIR
// resource: unreadable). DuplicateKey looks at `v`'s own members only (nullopt when `v` is not an
// object); DuplicateKeyWithin at every object nested in `v` too (iteratively, no recursion). The
// name returned points into the document.
std::optional<std::string_view> DuplicateKey(const Json& v);
std::optional<std::string_view> DuplicateKeyWithin(const Json& v);

// Member of an object, or nullptr (absent, or `obj` not an object).
const Json* Member(const Json& obj, std::string_view name);
const Json* Member(const Json* obj, std::string_view name);

// Typed member reads; nullopt when absent or of another type.
std::optional<std::string_view> StringMember(const Json& obj, std::string_view name);
std::optional<double> NumberMember(const Json& obj, std::string_view name);
std::optional<bool> BoolMember(const Json& obj, std::string_view name);

inline std::string_view View(const Json& s) { return {s.GetString(), s.GetStringLength()}; }

// Calls fn(element) for each element when `v` is an array, or once with `v` when it is an object
// (FHIR clients sometimes send a single object where R4 wants an array).
template <typename Fn>
void ForEachObject(const Json* v, Fn&& fn) {
  if (v == nullptr) return;
  if (v->IsArray()) {
    for (const auto& e : v->GetArray())
      if (e.IsObject()) fn(e);
  } else if (v->IsObject()) {
    fn(*v);
  }
}

// Serializes a value compactly.
std::string ToString(const Json& v);

// Appends `s` to `out` as a JSON string, quotes included, escaped exactly as RapidJSON's Writer
// escapes it: '"', '\\' and control characters; other bytes (UTF-8 included) as they are. Runs
// of ordinary characters are copied in one piece, which makes long card text cheap to write.
void AppendJsonString(std::string_view s, std::string& out);

}  // namespace base
