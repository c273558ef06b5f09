#include "anakinra/card_writer.h"

#include "cdshooks/uuid.h"

namespace anakinra {
namespace {

constexpr std::size_t kMaxSummary = 139;  // the spec asks for fewer than 140 characters

// Shortens to at most kMaxSummary bytes at a word boundary, without splitting UTF-8 sequences.
std::string Shorten(std::string s) {
  if (s.size() <= kMaxSummary) return s;
  std::size_t cut = kMaxSummary - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  auto space = s.rfind(' ', cut);
  if (space != std::string::npos && space > kMaxSummary / 2) cut = space;
  s.resize(cut);
  s += "...";
  return s;
}

}  // namespace

std::string RenderTemplate(const std::string& text,
                           const std::map<std::string, std::string>& params) {
  std::string out;
  out.reserve(text.size() + 64);
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '{') {
      auto close = text.find('}', i);
      if (close != std::string::npos) {
        auto it = params.find(text.substr(i + 1, close - i - 1));
        if (it != params.end()) out += it->second;
        i = close + 1;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

cdshooks::Card WriteCard(const Finding& finding, const Knowledge& knowledge) {
  const CardText& text = knowledge.cards.at(finding.code);
  const std::string& source_key = finding.source.empty() ? text.source : finding.source;
  const std::string& section = finding.source.empty() ? text.section : finding.section;
  const SourceInfo& source = knowledge.sources.at(source_key);
  cdshooks::Card card;
  card.uuid = cdshooks::NewUuid();
  card.summary = Shorten(RenderTemplate(text.summary, finding.params));
  card.detail = RenderTemplate(text.detail, finding.params);
  card.detail += "\n\n*Source: " + source.label + ", " + section + ".*";
  card.indicator = text.indicator;
  card.source.label = source.label + ", " + section;
  card.source.url = source.url;
  card.source.topic = {knowledge.topic_system, finding.code, ""};
  card.suggestions = finding.suggestions;
  for (auto& s : card.suggestions) s.uuid = cdshooks::NewUuid();
  if (!card.suggestions.empty()) card.selection_behavior = finding.selection_behavior;
  if (text.indicator != "info") card.override_reasons = text.override_reasons;
  return card;
}

}  // namespace anakinra
