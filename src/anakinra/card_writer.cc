#include "anakinra/card_writer.h"

#include "base/ascii.h"

#include "cdshooks/uuid.h"

#include <algorithm>
#include <cctype>

namespace anakinra {
namespace {

// Breaks a URI scheme that could run script when a renderer turns text into a link: the colon
// of each "javascript:", "vbscript:", "data:" or "file:" (any case, anywhere) becomes
// `colon_replacement`. One pass over the colons; text without a colon is returned as it is.
std::string NeutraliseSchemes(std::string text, std::string_view colon_replacement) {
  static constexpr std::string_view kSchemes[] = {"javascript", "vbscript", "data", "file"};
  std::size_t colon = text.find(':');
  if (colon == std::string::npos) return text;
  std::string out;
  out.reserve(text.size() + 8);
  std::size_t copied = 0;
  for (; colon != std::string::npos; colon = text.find(':', colon + 1)) {
    const bool scheme = std::any_of(std::begin(kSchemes), std::end(kSchemes), [&](auto name) {
      if (colon < name.size()) return false;
      for (std::size_t i = 0; i < name.size(); ++i)
        if (base::AsciiLower(text[colon - name.size() + i]) != name[i]) return false;
      return true;
    });
    if (!scheme) continue;
    out.append(text, copied, colon - copied);
    out += colon_replacement;
    copied = colon + 1;
  }
  if (copied == 0) return text;
  out.append(text, copied, std::string::npos);
  return out;
}

// Cuts `s` to at most `bytes` bytes of UTF-8 (never inside a code point), ending with an
// ellipsis. Limits are in bytes: fewer bytes than the spec's characters, whatever the text.
std::string Ellipsize(const std::string& s, std::size_t bytes) {
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // …
  if (s.size() <= bytes) return s;
  if (bytes < kEllipsis.size()) return "";
  std::size_t cut = bytes - kEllipsis.size();
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  std::string out = s.substr(0, cut);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + std::string(kEllipsis);
}

const std::string* FindSentence(const std::string& key, const CardText& text, const Knowledge& k) {
  if (auto it = text.sentences.find(key); it != text.sentences.end()) return &it->second;
  if (auto it = k.shared_sentences.find(key); it != k.shared_sentences.end()) return &it->second;
  return nullptr;
}

CardParams Escaped(const CardParams& params, bool markdown) {
  CardParams out;
  for (const auto& [name, value] : params)
    out.emplace_hint(out.end(), name, markdown ? EscapeMarkdown(value) : EscapePlain(value));
  return out;
}

// Renders a plain-text template under `limit` characters by shortening the longest shortenable
// parameter it uses, step by step; the message itself is never cut.
std::string RenderShort(const std::string& tmpl, CardParams params, const Knowledge& k,
                        std::size_t limit) {
  std::string out = RenderTemplate(tmpl, params);
  for (int round = 0; round < 8 && out.size() > limit; ++round) {
    std::string* longest = nullptr;
    for (const auto& name : k.shortenable) {
      if (tmpl.find("{" + name + "}") == std::string::npos) continue;
      auto it = params.find(name);
      if (it == params.end()) continue;
      if (longest == nullptr || it->second.size() > longest->size()) longest = &it->second;
    }
    if (longest == nullptr || longest->size() <= 12) break;
    const std::size_t over = out.size() - limit;
    const std::size_t len = longest->size();
    *longest = Ellipsize(*longest, std::max<std::size_t>(12, len > over ? len - over : 12));
    out = RenderTemplate(tmpl, params);
  }
  return out;
}

std::string JoinSentences(const std::vector<std::string>& keys, const CardText& text,
                          const Knowledge& k, const CardParams& params) {
  std::string out;
  for (const auto& key : keys) {
    const std::string* t = FindSentence(key, text, k);
    if (t == nullptr) continue;
    if (!out.empty()) out += ' ';
    out += RenderTemplate(*t, params);
  }
  return out;
}

}  // namespace

std::string EscapeMarkdown(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '|':
      case '~':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return NeutraliseSchemes(std::move(out), "\\:");
}

std::string EscapePlain(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<':
      case '[':
        out += '(';
        break;
      case '>':
      case ']':
        out += ')';
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      case '{':
        out += '(';
        break;
      case '}':
        out += ')';
        break;
      default:
        out += c;
    }
  }
  return NeutraliseSchemes(std::move(out), " ");
}

std::string RenderTemplate(std::string_view text, const CardParams& params) {
  std::string out;
  out.reserve(text.size() + 64);
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t open = text.find('{', i);
    const std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, open - i);
    if (auto it = params.find(text.substr(open + 1, close - open - 1)); it != params.end())
      out += it->second;
    i = close + 1;
  }
  return out;
}

namespace {

// "Type/id" as fhir::ReferenceKey makes it for a draft or active order.
bool IsOrderReference(std::string_view subject) {
  const auto slash = subject.find('/');
  return slash != std::string_view::npos && slash > 0 && slash + 1 < subject.size() &&
         subject[0] >= 'A' && subject[0] <= 'Z';
}

}  // namespace

cdshooks::Card WriteCard(const Finding& finding, const Knowledge& k) {
  const CardText& text = k.cards.at(finding.code);
  const std::string& source_key = finding.source.empty() ? text.source : finding.source;
  const std::string& section = finding.source.empty() ? text.section : finding.section;
  const auto source_it = k.sources.find(source_key);
  const SourceInfo source =
      source_it != k.sources.end() ? source_it->second : k.sources.at(text.source);
  const auto plain = Escaped(finding.params, false);
  const auto markdown = Escaped(finding.params, true);

  cdshooks::Card card;
  card.uuid = cdshooks::NewUuid();
  auto summary = text.summaries.find(finding.summary);
  if (summary == text.summaries.end()) summary = text.summaries.find("default");
  card.summary = RenderShort(summary->second, plain, k, kMaxSummaryChars);

  auto section_text = [&](const std::vector<std::string>& keys, const char* fallback) {
    return JoinSentences(keys.empty() ? std::vector<std::string>{fallback} : keys, text, k,
                         markdown);
  };
  std::string detail;
  for (const auto& [keys, name] :
       {std::pair{&finding.found, "found"}, {&finding.why, "why"}, {&finding.todo, "todo"}}) {
    const std::string body = section_text(*keys, name);
    if (body.empty()) continue;
    if (!detail.empty()) detail += "\n\n";
    detail += "**" + k.headings.at(name) + ":** " + body;
    // data-not-checked: the list of checks belongs to what was found.
    if (std::string_view(name) == "found" && !finding.not_checked.empty()) {
      detail += "\n";
      for (const auto& [check, key] : finding.not_checked) {
        auto check_name = k.check_names.find(check);
        detail += "\n- " +
                  (check_name != k.check_names.end() ? check_name->second : EscapeMarkdown(check)) +
                  " (`" + EscapeMarkdown(key) + "`)";
      }
    }
  }
  const std::string notes = JoinSentences(finding.notes, text, k, markdown);
  if (!notes.empty()) detail += "\n\n" + notes;
  card.detail = std::move(detail);

  card.indicator = text.indicator;
  if (!finding.indicator.empty() && std::find(text.indicators.begin(), text.indicators.end(),
                                              finding.indicator) != text.indicators.end())
    card.indicator = finding.indicator;
  card.source.label = source.label + ", " + section;
  card.source.url = source.url;
  card.source.topic = {k.topic_system, finding.code, ""};

  // The section the card rests on, as a link too: many EHRs show links, not the source URL.
  if (!source.url.empty()) card.links.push_back({card.source.label, source.url, "absolute"});
  std::vector<std::string> links = text.links;
  links.insert(links.end(), finding.links.begin(), finding.links.end());
  // A finding that rests on another source (a dose band from the seed) keeps the card's own
  // source as its second source (policy §6).
  if (!finding.source.empty() && finding.source != text.source) links.push_back(text.source);
  for (const auto& key : links) {
    if (key == source_key) continue;
    auto it = k.sources.find(key);
    if (it == k.sources.end() || it->second.url.empty()) continue;
    if (std::any_of(card.links.begin(), card.links.end(),
                    [&](const cdshooks::Link& l) { return l.url == it->second.url; }))
      continue;
    card.links.push_back({it->second.label, it->second.url, "absolute"});
  }

  card.suggestions = finding.suggestions;
  for (auto& s : card.suggestions) {
    s.uuid = cdshooks::NewUuid();
    s.is_recommended = std::find(text.recommended.begin(), text.recommended.end(), s.label) !=
                       text.recommended.end();
    if (auto it = text.labels.find(s.label); it != text.labels.end())
      s.label = RenderShort(it->second, plain, k, kMaxLabelChars);
    for (auto& a : s.actions)
      if (auto it = text.labels.find(a.description); it != text.labels.end())
        a.description = RenderTemplate(it->second, plain);
  }
  if (!card.suggestions.empty()) card.selection_behavior = finding.selection_behavior;
  if (card.indicator != "info") card.override_reasons = text.override_reasons;
  if (IsOrderReference(finding.subject)) card.order = finding.subject;
  return card;
}

Finding DataNotCheckedFinding(const std::vector<NotChecked>& not_checked,
                              const std::vector<std::string>& missing_keys) {
  Finding f;
  f.code = "data-not-checked";
  std::vector<std::string> keys;
  for (const auto& n : not_checked) {
    const std::pair<std::string, std::string> item{n.check, n.key};
    if (std::find(f.not_checked.begin(), f.not_checked.end(), item) == f.not_checked.end())
      f.not_checked.push_back(item);
    if (std::find(keys.begin(), keys.end(), n.key) == keys.end()) keys.push_back(n.key);
  }
  for (const auto& key : missing_keys)
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  std::string joined;
  for (std::size_t i = 0; i < keys.size(); ++i) joined += (i ? ", " : "") + keys[i];
  f.params["keys"] = joined;
  f.params["count"] = std::to_string(f.not_checked.size());
  return f;
}

std::string CheckFinding(const Finding& f, const Knowledge& k) {
  auto card = k.cards.find(f.code);
  if (card == k.cards.end()) return "unknown card code " + f.code;
  const CardText& text = card->second;
  if (text.summaries.count(f.summary) == 0) return f.code + ": no summary " + f.summary;
  if (!f.indicator.empty() && std::find(text.indicators.begin(), text.indicators.end(),
                                        f.indicator) == text.indicators.end())
    return f.code + ": indicator " + f.indicator + " not allowed";
  for (const auto* keys : {&f.found, &f.why, &f.todo, &f.notes})
    for (const auto& key : *keys)
      if (FindSentence(key, text, k) == nullptr) return f.code + ": no sentence " + key;
  for (const char* name : {"found", "why", "todo"})
    if (FindSentence(name, text, k) == nullptr) {
      const auto& keys = std::string(name) == "found" ? f.found
                         : std::string(name) == "why" ? f.why
                                                      : f.todo;
      if (keys.empty()) return f.code + ": no sentence " + name;
    }
  for (const auto& s : f.suggestions) {
    if (text.labels.count(s.label) == 0) return f.code + ": no label " + s.label;
    for (const auto& a : s.actions)
      if (text.labels.count(a.description) == 0) return f.code + ": no label " + a.description;
  }
  return {};
}

}  // namespace anakinra
