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

class CodeSet {
 public:
  void AddCode(std::string_view system, std::string_view code);
  void AddPrefix(std::string_view system, std::string_view code_prefix);
  void AddText(std::string_view phrase);

  bool MatchesCoding(const base::Json& coding) const;  // by system and code only
  bool MatchesConcept(const base::Json& cc) const;     // any coding, or text/display phrases
  bool MatchesText(std::string_view text) const;       // phrases only
  bool empty() const { return codes_.empty() && prefixes_.empty() && phrases_.empty(); }

 private:
  std::unordered_set<std::string> codes_;  // "system|code", normalised
  std::vector<std::pair<std::string, std::string>> prefixes_;
  std::vector<std::string> phrases_;  // lower case
  // The same phrases, indexed: one that starts with a letter or digit can only match where a word
  // of the text starts, and only when that word is its own first word; the others are searched.
  std::unordered_map<std::string, std::vector<std::string>> phrases_by_first_word_;
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
