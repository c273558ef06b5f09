// Code sets: system and code normalisation, prefixes, whole-word text and display matching.
#include "fhir/code_set.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using fhir::CodeSet;
namespace sys = fhir::system;

bool Coding(const CodeSet& set, const std::string& system, const std::string& code) {
  rapidjson::Document doc;
  const std::string json = R"({"system":")" + system + R"(","code":")" + code + "\"}";
  EXPECT_TRUE(base::ParseJson(json, 8, doc).ok());
  return set.MatchesCoding(doc);
}

bool Concept(const CodeSet& set, const std::string& json) {
  rapidjson::Document doc;
  EXPECT_TRUE(base::ParseJson(json, 8, doc).ok()) << json;
  return set.MatchesConcept(doc);
}

TEST(CodeSet, RxNormSnomedLoincExactCodes) {
  CodeSet set;
  set.AddCode(sys::kRxNorm, "72435");
  set.AddCode(sys::kSnomed, "69896004");
  set.AddCode(sys::kLoinc, "751-8");
  EXPECT_TRUE(Coding(set, std::string(sys::kRxNorm), "72435"));
  EXPECT_TRUE(Coding(set, std::string(sys::kSnomed), "69896004"));
  EXPECT_TRUE(Coding(set, std::string(sys::kLoinc), "751-8"));
  EXPECT_TRUE(Coding(set, std::string(sys::kLoinc), " 751-8 "));  // whitespace trimmed
  // Same code, other system.
  EXPECT_FALSE(Coding(set, std::string(sys::kSnomed), "72435"));
  EXPECT_FALSE(Coding(set, std::string(sys::kLoinc), "7518"));
  EXPECT_FALSE(Coding(set, std::string(sys::kLoinc), "751-80"));
  EXPECT_FALSE(Coding(set, std::string(sys::kRxNorm), "7243"));
}

TEST(CodeSet, OidSystemsAndTrailingSlashes) {
  CodeSet set;
  set.AddCode(sys::kSnomed, "69896004");
  set.AddCode(sys::kRxNorm, "72435");
  EXPECT_TRUE(Coding(set, "urn:oid:2.16.840.1.113883.6.96", "69896004"));
  EXPECT_TRUE(Coding(set, "http://snomed.info/sct/", "69896004"));
  EXPECT_TRUE(Coding(set, "urn:oid:2.16.840.1.113883.6.88", "72435"));
}

TEST(CodeSet, CvxWithAndWithoutLeadingZero) {
  CodeSet set;
  set.AddCode(sys::kCvx, "03");
  set.AddCode(sys::kCvx, "48");
  EXPECT_TRUE(Coding(set, std::string(sys::kCvx), "03"));
  EXPECT_TRUE(Coding(set, std::string(sys::kCvx), "3"));
  EXPECT_TRUE(Coding(set, std::string(sys::kCvx), "003"));
  EXPECT_TRUE(Coding(set, std::string(sys::kCvx), "048"));
  EXPECT_FALSE(Coding(set, std::string(sys::kCvx), "30"));
  EXPECT_FALSE(Coding(set, std::string(sys::kCvx), "0"));
}

TEST(CodeSet, Icd10AndIcd10CmAreOneFamilyDottedOrNot) {
  CodeSet set;
  set.AddCode(sys::kIcd10Cm, "Z33.1");
  for (const std::string& system : {std::string(sys::kIcd10Cm), std::string(sys::kIcd10),
                                    std::string("urn:oid:2.16.840.1.113883.6.90"),
                                    std::string("urn:oid:2.16.840.1.113883.6.3")}) {
    EXPECT_TRUE(Coding(set, system, "Z33.1")) << system;
    EXPECT_TRUE(Coding(set, system, "Z331")) << system;
    EXPECT_TRUE(Coding(set, system, "z33.1")) << system;
  }
  EXPECT_FALSE(Coding(set, std::string(sys::kIcd10Cm), "Z33.2"));
  EXPECT_FALSE(Coding(set, std::string(sys::kSnomed), "Z33.1"));

  CodeSet who;  // a set written with the WHO URI matches ICD-10-CM codings too
  who.AddCode(sys::kIcd10, "N185");
  EXPECT_TRUE(Coding(who, std::string(sys::kIcd10Cm), "N18.5"));
}

TEST(CodeSet, IcdPrefixes) {
  CodeSet set;
  set.AddPrefix(sys::kIcd10Cm, "O09");
  set.AddPrefix(sys::kIcd10Cm, "M04.2");
  EXPECT_TRUE(Coding(set, std::string(sys::kIcd10Cm), "O09"));
  EXPECT_TRUE(Coding(set, std::string(sys::kIcd10Cm), "O09.892"));
  EXPECT_TRUE(Coding(set, std::string(sys::kIcd10), "O09892"));
  EXPECT_TRUE(Coding(set, std::string(sys::kIcd10Cm), "M04.2"));
  EXPECT_TRUE(Coding(set, std::string(sys::kIcd10Cm), "m042"));
  EXPECT_FALSE(Coding(set, std::string(sys::kIcd10Cm), "O08.9"));
  EXPECT_FALSE(Coding(set, std::string(sys::kIcd10Cm), "M04.1"));
  EXPECT_FALSE(Coding(set, std::string(sys::kIcd10Cm), "M04"));  // shorter than the prefix
  EXPECT_FALSE(Coding(set, std::string(sys::kSnomed), "O09.892"));
}

TEST(CodeSet, NdcWithAndWithoutHyphens) {
  CodeSet set;
  set.AddCode(sys::kNdc, "66658-234-07");
  EXPECT_TRUE(Coding(set, std::string(sys::kNdc), "66658-234-07"));
  EXPECT_TRUE(Coding(set, std::string(sys::kNdc), "6665823407"));
  EXPECT_FALSE(Coding(set, std::string(sys::kNdc), "66658-234-28"));
  // v2: the 11-digit forms of the same pack, with and without hyphens.
  EXPECT_TRUE(Coding(set, std::string(sys::kNdc), "66658-0234-07"));
  EXPECT_TRUE(Coding(set, std::string(sys::kNdc), "66658023407"));
  EXPECT_FALSE(Coding(set, std::string(sys::kNdc), "66658023428"));
}

TEST(CodeSet, NdcListedInItsElevenDigitForm) {
  CodeSet set;
  set.AddCode(sys::kNdc, "66658023428");
  EXPECT_TRUE(Coding(set, std::string(sys::kNdc), "66658-234-28"));
  EXPECT_TRUE(Coding(set, std::string(sys::kNdc), "66658-0234-28"));
  EXPECT_TRUE(Coding(set, std::string(sys::kNdc), "66658023428"));
  EXPECT_FALSE(Coding(set, std::string(sys::kNdc), "66658-234-07"));
}

TEST(CodeSet, MissingSystemOrCodeNeverMatches) {
  CodeSet set;
  set.AddCode(sys::kRxNorm, "72435");
  EXPECT_FALSE(Concept(set, R"({"coding":[{"code":"72435"}]})"));
  EXPECT_FALSE(
      Concept(set, R"({"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm"}]})"));
}

TEST(CodeSet, WholeWordCaseInsensitiveText) {
  CodeSet set;
  set.AddText("anakinra");
  set.AddText("Kineret");
  EXPECT_TRUE(set.MatchesText("Kineret 100 mg/0.67 mL"));
  EXPECT_TRUE(set.MatchesText("KINERET"));
  EXPECT_TRUE(set.MatchesText("anakinra"));
  EXPECT_TRUE(set.MatchesText("Anakinra 100 MG/0.67ML Prefilled Syringe"));
  EXPECT_TRUE(set.MatchesText("(anakinra)"));
  EXPECT_TRUE(set.MatchesText("anakinra-containing product"));
  EXPECT_FALSE(set.MatchesText("xanakinrax"));
  EXPECT_FALSE(set.MatchesText("anakinras"));
  EXPECT_FALSE(set.MatchesText("preanakinra"));
  EXPECT_FALSE(set.MatchesText("Kineret2"));
  EXPECT_FALSE(set.MatchesText(""));
}

TEST(CodeSet, PhrasesAndPunctuatedPhrases) {
  CodeSet set;
  set.AddText("e. coli");
  set.AddText("rheumatoid arthritis");
  set.AddText("s.c.");
  EXPECT_TRUE(set.MatchesText("Allergy to E. coli-derived proteins"));
  EXPECT_TRUE(set.MatchesText("Rheumatoid Arthritis, seropositive"));
  EXPECT_FALSE(set.MatchesText("rheumatoid arthritisx"));
  EXPECT_FALSE(set.MatchesText("rheumatoid"));
  EXPECT_TRUE(set.MatchesText("given s.c. daily"));
  EXPECT_TRUE(set.MatchesText("s.c."));
}

TEST(CodeSet, LaterOccurrenceIsFoundAfterAPartialOne) {
  CodeSet set;
  set.AddText("kineret");
  EXPECT_TRUE(set.MatchesText("kinerets or kineret"));
}

TEST(CodeSet, ConceptMatchesByCodingTextOrDisplay) {
  CodeSet set;
  set.AddCode(sys::kRxNorm, "72435");
  set.AddText("kineret");
  EXPECT_TRUE(Concept(
      set,
      R"({"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"72435"}]})"));
  EXPECT_TRUE(Concept(set, R"({"text":"Kineret 100 mg"})"));
  EXPECT_TRUE(Concept(
      set,
      R"({"coding":[{"system":"http://example.org/local","code":"K1","display":"Kineret syringe"}]})"));
  // The second coding matches.
  EXPECT_TRUE(Concept(
      set,
      R"({"coding":[{"system":"http://example.org","code":"x"},{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"72435"}]})"));
  // A single coding object instead of an array.
  EXPECT_TRUE(Concept(
      set,
      R"({"coding":{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"72435"}})"));
  EXPECT_FALSE(Concept(set, R"({"text":"Ilaris"})"));
  EXPECT_FALSE(Concept(
      set, R"({"coding":[{"system":"http://example.org","code":"72435","display":"other"}]})"));
  EXPECT_FALSE(Concept(set, R"({})"));
}

// A concept read once answers every set as MatchesConcept of its JSON would, and tells codes
// from text: MatchesCode is true only for a coding match.
TEST(CodeSet, ConceptReadOnceMatchesManySets) {
  CodeSet by_code, by_prefix, by_text, neither;
  by_code.AddCode(sys::kSnomed, "69896004");
  by_prefix.AddPrefix(sys::kIcd10Cm, "M05");
  by_text.AddText("rheumatoid arthritis");
  neither.AddCode(sys::kSnomed, "1");
  neither.AddText("psoriasis");
  rapidjson::Document doc;
  ASSERT_TRUE(base::ParseJson(
                  R"({"coding":[{"system":"http://snomed.info/sct","code":"69896004"},)"
                  R"({"system":"http://hl7.org/fhir/sid/icd-10","code":"m05.79","display":"x"},)"
                  R"({"display":"Seropositive rheumatoid arthritis"},{"code":"no-system"}],)"
                  R"("text":"RA, seropositive"})",
                  8, doc)
                  .ok());
  const fhir::Concept c(doc);
  EXPECT_EQ(c.displays().size(), 2u);
  ASSERT_TRUE(c.text().has_value());
  EXPECT_EQ(*c.text(), "RA, seropositive");
  for (const CodeSet* set : {&by_code, &by_prefix, &by_text, &neither})
    EXPECT_EQ(set->Matches(c), set->MatchesConcept(doc));
  EXPECT_TRUE(by_code.MatchesCode(c));
  EXPECT_TRUE(by_prefix.MatchesCode(c));  // m05.79 normalised to M0579, under M05
  EXPECT_FALSE(by_text.MatchesCode(c));
  EXPECT_TRUE(by_text.Matches(c));  // through the third coding's display
  EXPECT_FALSE(neither.Matches(c));
}

TEST(CodeSet, EmptySet) {
  CodeSet set;
  EXPECT_TRUE(set.empty());
  EXPECT_FALSE(set.MatchesText("anything"));
  set.AddText("");
  EXPECT_TRUE(set.empty());
  set.AddPrefix(sys::kIcd10Cm, "M05");
  EXPECT_FALSE(set.empty());
}

TEST(ConceptLabel, TextThenDisplayThenCode) {
  rapidjson::Document doc;
  ASSERT_TRUE(
      base::ParseJson(R"({"text":"T","coding":[{"code":"c","display":"D"}]})", 8, doc).ok());
  EXPECT_EQ(fhir::ConceptLabel(doc), "T");
  ASSERT_TRUE(
      base::ParseJson(R"({"coding":[{"code":"c"},{"code":"d","display":"D"}]})", 8, doc).ok());
  EXPECT_EQ(fhir::ConceptLabel(doc), "c");
  ASSERT_TRUE(base::ParseJson(R"({"coding":[{"code":"c","display":"D"}]})", 8, doc).ok());
  EXPECT_EQ(fhir::ConceptLabel(doc), "D");
  ASSERT_TRUE(base::ParseJson(R"({})", 8, doc).ok());
  EXPECT_EQ(fhir::ConceptLabel(doc), "");
}

TEST(NormalizeCode, PerSystem) {
  EXPECT_EQ(fhir::NormalizeCode(sys::kIcd10Cm, " m04.2 "), "M042");
  // v2: hyphenated NDCs become the 11-digit 5-4-2 form (v1 only dropped the hyphens).
  EXPECT_EQ(fhir::NormalizeCode(sys::kNdc, "66658-234-07"), "66658023407");
  EXPECT_EQ(fhir::NormalizeCode(sys::kNdc, "6665-8234-07"), "06665823407");
  EXPECT_EQ(fhir::NormalizeCode(sys::kNdc, "66658-2345-7"), "66658234507");
  EXPECT_EQ(fhir::NormalizeCode(sys::kNdc, "6665823407"), "6665823407");  // ambiguous: kept
  EXPECT_EQ(fhir::NormalizeCode(sys::kCvx, "003"), "3");
  EXPECT_EQ(fhir::NormalizeCode(sys::kCvx, "0"), "0");
  EXPECT_EQ(fhir::NormalizeCode(sys::kSnomed, "069896004"), "069896004");  // only CVX drops zeros
  EXPECT_EQ(fhir::NormalizeCode(sys::kLoinc, "LA15173-0"), "LA15173-0");   // case kept
}

TEST(NormalizeSystem, Aliases) {
  EXPECT_EQ(fhir::NormalizeSystem("http://hl7.org/fhir/sid/icd-10"), sys::kIcd10Cm);
  EXPECT_EQ(fhir::NormalizeSystem("http://hl7.org/fhir/sid/icd-10-cm/"), sys::kIcd10Cm);
  EXPECT_EQ(fhir::NormalizeSystem("urn:oid:2.16.840.1.113883.6.1"), sys::kLoinc);
  EXPECT_EQ(fhir::NormalizeSystem("urn:oid:2.16.840.1.113883.12.292"), sys::kCvx);
  EXPECT_EQ(fhir::NormalizeSystem("http://example.org/x"), "http://example.org/x");
}

}  // namespace
