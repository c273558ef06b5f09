#include "fhir/code_set.h"

#include <algorithm>

#include "base/ascii.h"

namespace fhir {
namespace {

using base::AsciiLower;
using base::Lower;

// std::isalnum of the "C" locale, inline.
bool IsWordChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Whole-word search of `phrase` in `lower_text` (both already lower case).
bool ContainsPhrase(std::string_view lower_text, const std::string& phrase) {
  for (std::size_t pos = lower_text.find(phrase); pos != std::string_view::npos;
       pos = lower_text.find(phrase, pos + 1)) {
    const bool starts = pos == 0 || !IsWordChar(lower_text[pos - 1]) || !IsWordChar(phrase.front());
    const std::size_t end = pos + phrase.size();
    const bool ends =
        end == lower_text.size() || !IsWordChar(lower_text[end]) || !IsWordChar(phrase.back());
    if (starts && ends) return true;
  }
  return false;
}

// A 10-bit summary of a word (first and last character, length) for CodeSet's first-word filter.
std::size_t FirstWordBit(char first, char last, std::size_t size) {
  const auto c = [](char ch) { return static_cast<std::size_t>(static_cast<unsigned char>(ch)); };
  return (c(first) * 31 + c(last) * 7 + size) % 1024;
}

// NormalizeSystem without a copy: every result is a constant or a prefix of `system`.
std::string_view NormalizeSystemView(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  if (s == system::kIcd10 || s == "http://hl7.org/fhir/sid/icd-10-de" ||
      s == "urn:oid:2.16.840.1.113883.6.90" || s == "urn:oid:2.16.840.1.113883.6.3")
    return system::kIcd10Cm;
  if (s == "urn:oid:2.16.840.1.113883.6.88") return system::kRxNorm;
  if (s == "urn:oid:2.16.840.1.113883.6.96") return system::kSnomed;
  if (s == "urn:oid:2.16.840.1.113883.6.1") return system::kLoinc;
  if (s == "urn:oid:2.16.840.1.113883.12.292") return system::kCvx;
  return s;
}

// An NDC written with hyphens in three segments (4-4-2, 5-3-2, 5-4-1: the 10-digit layouts, or
// 5-4-2) becomes its 11-digit 5-4-2 form; any other form loses its hyphens only (an unhyphenated
// 10-digit code is ambiguous: CodeSet::AddCode lists its written form beside the 11-digit one).
void AppendNdc(std::string_view c, std::string& out) {
  const std::size_t a = c.find('-');
  const std::size_t b = a == std::string_view::npos ? a : c.find('-', a + 1);
  if (b != std::string_view::npos && c.find('-', b + 1) == std::string_view::npos) {
    const std::string_view parts[3] = {c.substr(0, a), c.substr(a + 1, b - a - 1), c.substr(b + 1)};
    const std::size_t width[3] = {5, 4, 2};
    bool ok = true;
    for (int i = 0; i < 3; ++i) {
      ok = ok && !parts[i].empty() && parts[i].size() <= width[i];
      for (char ch : parts[i]) ok = ok && ch >= '0' && ch <= '9';
    }
    if (ok) {
      for (int i = 0; i < 3; ++i) {
        out.append(width[i] - parts[i].size(), '0');
        out += parts[i];
      }
      return;
    }
  }
  for (char ch : c)
    if (ch != '-') out += ch;
}

// Appends NormalizeCode(normalized_system, code) to `out`.
void AppendNormalizedCode(std::string_view normalized_system, std::string_view c,
                          std::string& out) {
  while (!c.empty() && std::isspace(static_cast<unsigned char>(c.back()))) c.remove_suffix(1);
  while (!c.empty() && std::isspace(static_cast<unsigned char>(c.front()))) c.remove_prefix(1);
  if (normalized_system == system::kIcd10Cm) {
    for (char ch : c)
      if (ch != '.') out += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  } else if (normalized_system == system::kNdc) {
    AppendNdc(c, out);
  } else {
    // CVX codes are written with and without a leading zero ("03" and "3").
    if (normalized_system == system::kCvx)
      while (c.size() > 1 && c.front() == '0') c.remove_prefix(1);
    out += c;
  }
}

std::string Key(std::string_view system, std::string_view code) {
  std::string s = NormalizeSystem(system);
  std::string c = NormalizeCode(s, code);
  s += '|';
  s += c;
  return s;
}

}  // namespace

std::string NormalizeSystem(std::string_view system) {
  return std::string(NormalizeSystemView(system));
}

std::string NormalizeCode(std::string_view normalized_system, std::string_view code) {
  std::string c;
  AppendNormalizedCode(normalized_system, code, c);
  return c;
}

void CodeSet::AddCode(std::string_view system, std::string_view code) {
  codes_.insert(Key(system, code));
  // A hyphenated 10-digit NDC is also sent without its hyphens: list that written form too.
  if (NormalizeSystemView(system) == system::kNdc && code.find('-') != std::string_view::npos) {
    std::string digits(NormalizeSystemView(system));
    digits += '|';
    for (char ch : code)
      if (ch != '-' && ch != ' ') digits += ch;
    codes_.insert(std::move(digits));
  }
}

void CodeSet::AddPrefix(std::string_view system, std::string_view code_prefix) {
  std::string s = NormalizeSystem(system);
  std::string c = NormalizeCode(s, code_prefix);
  prefixes_.emplace_back(std::move(s), std::move(c));
}

void CodeSet::AddText(std::string_view phrase) {
  std::string p = Lower(phrase);
  if (p.empty()) return;
  if (IsWordChar(p.front())) {
    std::size_t k = 0;
    while (k < p.size() && IsWordChar(p[k])) ++k;
    phrases_by_first_word_[p.substr(0, k)].push_back(p);
    first_word_filter_.set(FirstWordBit(p.front(), p[k - 1], k));
  } else {
    other_phrases_.push_back(p);
  }
  phrases_.push_back(std::move(p));
}

bool CodeSet::MatchesKey(std::string_view key, std::size_t code_start) const {
  const std::string_view s = key.substr(0, code_start - 1);
  const std::string_view c = key.substr(code_start);
  for (const auto& [ps, pc] : prefixes_)
    if (ps == s && c.substr(0, pc.size()) == pc) return true;
  return codes_.find(key) != codes_.end();
}

bool CodeSet::MatchesCoding(const base::Json& coding) const {
  auto system = base::StringMember(coding, "system");
  auto code = base::StringMember(coding, "code");
  if (!system || !code) return false;
  // "system|code" in a per-thread buffer: no allocation once it has grown.
  thread_local std::string key;
  key.assign(NormalizeSystemView(*system));
  key += '|';
  const std::size_t code_start = key.size();
  AppendNormalizedCode(NormalizeSystemView(*system), *code, key);
  return MatchesKey(key, code_start);
}

bool CodeSet::MatchesText(std::string_view text) const {
  if (phrases_.empty() || text.empty()) return false;
  // Per-thread buffers: no allocation once they have grown.
  thread_local std::string lower, word;
  if (!other_phrases_.empty()) {
    lower.resize(text.size());
    std::transform(text.begin(), text.end(), lower.begin(), AsciiLower);
    for (const std::string& p : other_phrases_)
      if (ContainsPhrase(lower, p)) return true;
  }
  if (phrases_by_first_word_.empty()) return false;
  // Each word start of the text: the phrases whose first word is that word. Word boundaries do
  // not depend on case; only words that pass the filter are lowered and looked up.
  const auto equals_lower = [&](std::size_t pos, const std::string& p) {
    if (pos + p.size() > text.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i)
      if (AsciiLower(text[pos + i]) != p[i]) return false;
    return true;
  };
  for (std::size_t pos = 0; pos < text.size();) {
    if (!IsWordChar(text[pos])) {
      ++pos;
      continue;
    }
    std::size_t end = pos;
    while (end < text.size() && IsWordChar(text[end])) ++end;
    const std::size_t bit =
        FirstWordBit(AsciiLower(text[pos]), AsciiLower(text[end - 1]), end - pos);
    if (first_word_filter_.test(bit)) {
      word.resize(end - pos);
      std::transform(text.begin() + pos, text.begin() + end, word.begin(), AsciiLower);
      if (auto it = phrases_by_first_word_.find(word); it != phrases_by_first_word_.end()) {
        for (const std::string& p : it->second) {
          const std::size_t stop = pos + p.size();
          if (equals_lower(pos, p) &&
              (stop == text.size() || !IsWordChar(text[stop]) || !IsWordChar(p.back())))
            return true;
        }
      }
    }
    pos = end;
  }
  return false;
}

Concept::Concept(const base::Json& cc) {
  ForEachCoding(cc, [&](const base::Json& coding) {
    auto system = base::StringMember(coding, "system");
    auto code = base::StringMember(coding, "code");
    if (system && code) {
      Key k{};
      k.begin = keys_.size();
      keys_ += NormalizeSystemView(*system);
      keys_ += '|';
      k.code_start = keys_.size() - k.begin;
      AppendNormalizedCode(NormalizeSystemView(*system), *code, keys_);
      k.end = keys_.size();
      key_spans_.push_back(k);
    }
    if (auto display = base::StringMember(coding, "display")) displays_.push_back(*display);
  });
  text_ = base::StringMember(cc, "text");
}

bool CodeSet::MatchesCode(const Concept& c) const {
  const std::string_view keys = c.keys_;
  for (const Concept::Key& k : c.key_spans_)
    if (MatchesKey(keys.substr(k.begin, k.end - k.begin), k.code_start)) return true;
  return false;
}

bool CodeSet::Matches(const Concept& c) const {
  if (MatchesCode(c)) return true;
  for (std::string_view display : c.displays_)
    if (MatchesText(display)) return true;
  return c.text_ && MatchesText(*c.text_);
}

bool CodeSet::MatchesConcept(const base::Json& cc) const { return Matches(Concept(cc)); }

std::string ConceptLabel(const base::Json& cc) {
  if (auto text = base::StringMember(cc, "text")) return std::string(*text);
  std::string label;
  ForEachCoding(cc, [&](const base::Json& coding) {
    if (!label.empty()) return;
    if (auto d = base::StringMember(coding, "display")) {
      label = std::string(*d);
    } else if (auto c = base::StringMember(coding, "code")) {
      label = std::string(*c);
    }
  });
  return label;
}

}  // namespace fhir
