// A set of codes (a value-set expansion) matched against FHIR Codings and CodeableConcepts.
//
// Systems are compared after normalisation (ICD-10 and ICD-10-CM are one family; ICD codes match
// with or without the dot). Prefix entries match every ICD code that starts with them. Text
// phrases match case-insensitively, as whole words, in CodeableConcept.text and Coding.display.
// Thread safety: a CodeSet is immutable once built; const use from many threads is safe.
// Errors: nothing here fails; a Coding that matches nothing is simply not in the set.
#pragma once

#include "base/json.h"

#include <bitset>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace fhir {

namespace system {
inline constexpr std::string_view kRxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
inline constexpr std::string_view kNdc = "http://hl7.org/fhir/sid/ndc";
inline constexpr std::string_view kCvx = "http://hl7.org/fhir/sid/cvx";
inline constexpr std::string_view kLoinc = "http://loinc.org";
inline constexpr std::string_view kSnomed = "http://snomed.info/sct";
inline constexpr std::string_view kIcd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
inline constexpr std::string_view kIcd10 = "http://hl7.org/fhir/sid/icd-10";
inline constexpr std::string_view kUcum = "http://unitsofmeasure.org";
}  // namespace system

// Canonical form of a system URI (ICD-10 variants → ICD-10-CM; trailing slash dropped).
std::string NormalizeSystem(std::string_view system);
// Canonical form of a code in a system (ICD codes: upper case, no dot; NDC: a hyphenated code in
// three segments becomes its 11-digit 5-4-2 form, any other loses its hyphens; CVX: no leading
// zeros). AddCode also lists a hyphenated NDC's unhyphenated written form (its 10 digits).
std::string NormalizeCode(std::string_view normalized_system, std::string_view code);

class CodeSet;

// A CodeableConcept read once, to be matched against many CodeSets: each Coding's normalised
// "system|code" (in one buffer), each Coding's display and the text.
// Ownership: holds views into the JSON value, which must outlive the Concept.
// Thread safety: built by one thread; const use afterwards is safe from many.
// Errors: none. A Coding without a string system and code gives no key; a display or text that
// is not a string is left out, as CodeSet::MatchesConcept leaves it out.
class Concept {
 public:
  explicit Concept(const base::Json& cc);

  const std::vector<std::string_view>& displays() const { return displays_; }
  const std::optional<std::string_view>& text() const { return text_; }

 private:
  friend class CodeSet;
  struct Key {
    std::size_t begin, code_start, end;  // offsets into keys_
  };
  std::string keys_;
  std::vector<Key> key_spans_;
  std::vector<std::string_view> displays_;
  std::optional<std::string_view> text_;
};

// std::hash of strings, usable with a std::string_view key (heterogeneous lookup).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class CodeSet {
 public:
  void AddCode(std::string_view system, std::string_view code);
  void AddPrefix(std::string_view system, std::string_view code_prefix);
  void AddText(std::string_view phrase);

  bool MatchesCoding(const base::Json& coding) const;  // by system and code only
  bool MatchesConcept(const base::Json& cc) const;     // any coding, or text/display phrases
  bool MatchesText(std::string_view text) const;       // phrases only
  // The same two questions of a Concept read once: MatchesCode(c) is true when one of its
  // codings MatchesCoding; Matches(c) is MatchesConcept of the JSON it was read from.
  bool MatchesCode(const Concept& c) const;
  bool Matches(const Concept& c) const;
  bool empty() const { return codes_.empty() && prefixes_.empty() && phrases_.empty(); }

 private:
  // `key` is a normalised "system|code" whose code starts at `code_start`.
  bool MatchesKey(std::string_view key, std::size_t code_start) const;

  std::unordered_set<std::string, StringHash, std::equal_to<>> codes_;  // "system|code", normalised
  std::vector<std::pair<std::string, std::string>> prefixes_;
  std::vector<std::string> phrases_;  // lower case
  // The same phrases, indexed: one that starts with a letter or digit can only match where a word
  // of the text starts, and only when that word is its own first word; the others are searched.
  std::unordered_map<std::string, std::vector<std::string>, StringHash, std::equal_to<>>
      phrases_by_first_word_;
  std::bitset<1024> first_word_filter_;  // FirstWordBit of each key: most words skip the lookup
  std::vector<std::string> other_phrases_;
};

// Calls fn(coding) for each Coding of a CodeableConcept.
template <typename Fn>
void ForEachCoding(const base::Json& cc, Fn&& fn) {
  base::ForEachObject(base::Member(cc, "coding"), fn);
}

// A short human label for a CodeableConcept: its text, else the first display, else the first code.
std::string ConceptLabel(const base::Json& cc);

}  // namespace fhir
