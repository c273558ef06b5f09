#include "fhir/code_set.h"

#include <algorithm>
#include <cctype>

namespace fhir {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Whole-word, case-insensitive search of `phrase` (already lower case) in `text`.
bool ContainsPhrase(const std::string& lower_text, const std::string& phrase) {
  for (std::size_t pos = lower_text.find(phrase); pos != std::string::npos;
       pos = lower_text.find(phrase, pos + 1)) {
    const bool starts = pos == 0 || !IsWordChar(lower_text[pos - 1]) || !IsWordChar(phrase.front());
    const std::size_t end = pos + phrase.size();
    const bool ends =
        end == lower_text.size() || !IsWordChar(lower_text[end]) || !IsWordChar(phrase.back());
    if (starts && ends) return true;
  }
  return false;
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
  std::string s(system);
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s == system::kIcd10 || s == "http://hl7.org/fhir/sid/icd-10-de" ||
      s == "urn:oid:2.16.840.1.113883.6.90" || s == "urn:oid:2.16.840.1.113883.6.3")
    return std::string(system::kIcd10Cm);
  if (s == "urn:oid:2.16.840.1.113883.6.88") return std::string(system::kRxNorm);
  if (s == "urn:oid:2.16.840.1.113883.6.96") return std::string(system::kSnomed);
  if (s == "urn:oid:2.16.840.1.113883.6.1") return std::string(system::kLoinc);
  if (s == "urn:oid:2.16.840.1.113883.12.292") return std::string(system::kCvx);
  return s;
}

std::string NormalizeCode(std::string_view normalized_system, std::string_view code) {
  std::string c(code);
  while (!c.empty() && std::isspace(static_cast<unsigned char>(c.back()))) c.pop_back();
  while (!c.empty() && std::isspace(static_cast<unsigned char>(c.front()))) c.erase(c.begin());
  if (normalized_system == system::kIcd10Cm) {
    c.erase(std::remove(c.begin(), c.end(), '.'), c.end());
    std::transform(c.begin(), c.end(), c.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  } else if (normalized_system == system::kNdc) {
    c.erase(std::remove(c.begin(), c.end(), '-'), c.end());
  } else if (normalized_system == system::kCvx) {
    // CVX codes are written with and without a leading zero ("03" and "3").
    while (c.size() > 1 && c.front() == '0') c.erase(c.begin());
  }
  return c;
}

void CodeSet::AddCode(std::string_view system, std::string_view code) {
  codes_.insert(Key(system, code));
}

void CodeSet::AddPrefix(std::string_view system, std::string_view code_prefix) {
  std::string s = NormalizeSystem(system);
  std::string c = NormalizeCode(s, code_prefix);
  prefixes_.emplace_back(std::move(s), std::move(c));
}

void CodeSet::AddText(std::string_view phrase) {
  std::string p = Lower(phrase);
  if (!p.empty()) phrases_.push_back(std::move(p));
}

bool CodeSet::MatchesCoding(const Json& coding) const {
  auto system = StringMember(coding, "system");
  auto code = StringMember(coding, "code");
  if (!system || !code) return false;
  std::string s = NormalizeSystem(*system);
  std::string c = NormalizeCode(s, *code);
  for (const auto& [ps, pc] : prefixes_)
    if (ps == s && c.compare(0, pc.size(), pc) == 0) return true;
  s += '|';
  s += c;
  return codes_.count(s) != 0;
}

bool CodeSet::MatchesText(std::string_view text) const {
  if (phrases_.empty() || text.empty()) return false;
  const std::string lower = Lower(text);
  return std::any_of(phrases_.begin(), phrases_.end(),
                     [&](const std::string& p) { return ContainsPhrase(lower, p); });
}

bool CodeSet::MatchesConcept(const Json& cc) const {
  bool found = false;
  ForEachCoding(cc, [&](const Json& coding) {
    if (found) return;
    if (MatchesCoding(coding)) {
      found = true;
    } else if (auto display = StringMember(coding, "display"); display && MatchesText(*display)) {
      found = true;
    }
  });
  if (found) return true;
  auto text = StringMember(cc, "text");
  return text && MatchesText(*text);
}

std::string ConceptLabel(const Json& cc) {
  if (auto text = StringMember(cc, "text")) return std::string(*text);
  std::string label;
  ForEachCoding(cc, [&](const Json& coding) {
    if (!label.empty()) return;
    if (auto d = StringMember(coding, "display")) {
      label = std::string(*d);
    } else if (auto c = StringMember(coding, "code")) {
      label = std::string(*c);
    }
  });
  return label;
}

}  // namespace fhir
