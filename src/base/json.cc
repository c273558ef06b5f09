// SSE2 (part of every x86-64) lets RapidJSON scan strings 16 bytes at a time when parsing in
// place. Defined here, before any RapidJSON header, and only here: the readers that use it are
// instantiated in this file alone (with its own handler type).
#if defined(__SSE2__) && !defined(RAPIDJSON_SSE2) && !defined(RAPIDJSON_SSE42)
#define RAPIDJSON_SSE2
#endif

#include "base/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace base {
namespace {

// Forwards SAX events to the document while counting nesting depth.
class DepthLimitedHandler {
 public:
  DepthLimitedHandler(rapidjson::Document& doc, std::size_t max_depth)
      : doc_(doc), max_depth_(max_depth) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t u) { return doc_.Uint64(u); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return doc_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool StartObject() { return Enter() && doc_.StartObject(); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndObject(n);
  }
  bool StartArray() { return Enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndArray(n);
  }

  bool too_deep() const { return too_deep_; }

 private:
  bool Enter() {
    if (++depth_ > max_depth_) {
      too_deep_ = true;
      return false;
    }
    return true;
  }

  rapidjson::Document& doc_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
};

constexpr std::size_t kMaxRecursiveDepth = 256;

template <unsigned kFlags, typename Stream>
Status Parse(Stream& stream, std::size_t max_depth, rapidjson::Document& doc) {
  rapidjson::Reader reader;
  DepthLimitedHandler handler(doc, max_depth);
  auto generator = [&](rapidjson::Document& d) {
    (void)d;
    return reader.Parse<kFlags>(stream, handler);
  };
  doc.Populate(generator);
  if (handler.too_deep()) {
    doc.SetNull();
    return Status::ResourceExhausted("JSON nested deeper than " + std::to_string(max_depth) +
                                     " levels");
  }
  if (reader.HasParseError()) {
    doc.SetNull();
    return Status::InvalidArgument("JSON syntax error at offset " +
                                   std::to_string(reader.GetErrorOffset()) + ": " +
                                   rapidjson::GetParseError_En(reader.GetParseErrorCode()));
  }
  return Status::Ok();
}

}  // namespace

Status ParseJson(std::string_view text, std::size_t max_depth, rapidjson::Document& doc) {
  rapidjson::MemoryStream stream(text.data(), text.size());
  return Parse<rapidjson::kParseIterativeFlag>(stream, max_depth, doc);
}

Status ParseJsonInsitu(char* buffer, std::size_t max_depth, rapidjson::Document& doc) {
  rapidjson::InsituStringStream stream(buffer);
  // The recursive parser is faster; the handler refuses to nest deeper than max_depth, so its
  // recursion is bounded. Deep limits keep the iterative parser (no recursion at all).
  if (max_depth <= kMaxRecursiveDepth)
    return Parse<rapidjson::kParseInsituFlag>(stream, max_depth, doc);
  return Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseInsituFlag>(stream, max_depth,
                                                                             doc);
}

std::optional<std::string_view> DuplicateKey(const Json& v) {
  if (!v.IsObject() || v.MemberCount() < 2) return std::nullopt;
  constexpr rapidjson::SizeType kPairwise = 8;  // few members: compare each pair, no allocation
  if (v.MemberCount() <= kPairwise) {
    for (auto a = v.MemberBegin(); a != v.MemberEnd(); ++a)
      for (auto b = a + 1; b != v.MemberEnd(); ++b)
        if (View(a->name) == View(b->name)) return View(a->name);
    return std::nullopt;
  }
  std::vector<std::string_view> names;
  names.reserve(v.MemberCount());
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) names.push_back(View(it->name));
  std::sort(names.begin(), names.end());
  const auto twice = std::adjacent_find(names.begin(), names.end());
  if (twice == names.end()) return std::nullopt;
  return *twice;
}

std::optional<std::string_view> DuplicateKeyWithin(const Json& v) {
  std::vector<const Json*> pending{&v};
  while (!pending.empty()) {
    const Json* x = pending.back();
    pending.pop_back();
    if (x->IsObject()) {
      if (auto key = DuplicateKey(*x)) return key;
      for (auto it = x->MemberBegin(); it != x->MemberEnd(); ++it)
        if (it->value.IsObject() || it->value.IsArray()) pending.push_back(&it->value);
    } else if (x->IsArray()) {
      for (const auto& e : x->GetArray())
        if (e.IsObject() || e.IsArray()) pending.push_back(&e);
    }
  }
  return std::nullopt;
}

const Json* Member(const Json& obj, std::string_view name) {
  if (!obj.IsObject()) return nullptr;
  // FindMember's linear search, comparing length and first character before calling memcmp.
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    const Json& key = it->name;
    if (key.GetStringLength() != name.size()) continue;
    const char* k = key.GetString();
    if (name.empty() || (k[0] == name[0] && std::memcmp(k, name.data(), name.size()) == 0))
      return &it->value;
  }
  return nullptr;
}

const Json* Member(const Json* obj, std::string_view name) {
  return obj == nullptr ? nullptr : Member(*obj, name);
}

std::optional<std::string_view> StringMember(const Json& obj, std::string_view name) {
  const Json* v = Member(obj, name);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return View(*v);
}

std::optional<double> NumberMember(const Json& obj, std::string_view name) {
  const Json* v = Member(obj, name);
  if (v == nullptr || !v->IsNumber()) return std::nullopt;
  return v->GetDouble();
}

std::optional<bool> BoolMember(const Json& obj, std::string_view name) {
  const Json* v = Member(obj, name);
  if (v == nullptr || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

std::string ToString(const Json& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  v.Accept(writer);
  return {buf.GetString(), buf.GetSize()};
}

void AppendJsonString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const auto plain = [](unsigned char c) { return c >= 0x20 && c != '"' && c != '\\'; };
  // Eight bytes at a time: does the word hold a byte below 0x20, a quote or a backslash? (The
  // classic "has a zero byte" test, exact as to whether any byte qualifies.)
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const auto has_zero = [&](std::uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
  const auto special = [&](std::uint64_t v) {
    return ((v - kOnes * 0x20) & ~v & kHigh) != 0 || has_zero(v ^ (kOnes * '"')) ||
           has_zero(v ^ (kOnes * '\\'));
  };
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t run = i;
    for (std::uint64_t word = 0; run + 8 <= s.size(); run += 8) {
      std::memcpy(&word, s.data() + run, 8);
      if (special(word)) break;
    }
    while (run < s.size() && plain(static_cast<unsigned char>(s[run]))) ++run;
    out.append(s, i, run - i);
    if (run == s.size()) break;
    const auto c = static_cast<unsigned char>(s[run]);
    out += '\\';
    switch (c) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '\b':
        out += 'b';
        break;
      case '\f':
        out += 'f';
        break;
      case '\n':
        out += 'n';
        break;
      case '\r':
        out += 'r';
        break;
      case '\t':
        out += 't';
        break;
      default:
        out += "u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
    i = run + 1;
  }
  out += '"';
}

}  // namespace base
