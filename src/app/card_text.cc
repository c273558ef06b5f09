#include "app/card_text.h"

#include "base/json.h"

#include <cctype>
#include <sstream>
#include <string_view>
#include <utility>

namespace app {
namespace {

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Strips the markdown emphasis the card details use and undoes the card writer's escapes
// (backslash escapes, &lt; &gt; &amp;) so the terminal shows the EHR text as it was.
std::string Plain(std::string_view md) {
  std::string out;
  for (std::size_t i = 0; i < md.size(); ++i) {
    if (md[i] == '\\' && i + 1 < md.size() && std::ispunct(static_cast<unsigned char>(md[i + 1]))) {
      out += md[++i];
      continue;
    }
    if (md[i] == '*') continue;
    if (md[i] == '&') {
      bool replaced = false;
      for (auto [entity, c] : {std::pair{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}}) {
        const std::string_view e(entity);
        if (md.substr(i, e.size()) == e) {
          out += c;
          i += e.size() - 1;
          replaced = true;
          break;
        }
      }
      if (replaced) continue;
    }
    out += md[i];
  }
  return out;
}

void Indent(std::ostringstream& out, const std::string& text, const char* prefix) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) out << prefix << line << "\n";
}

}  // namespace

std::string ResponseAsText(std::string_view response_json) {
  rapidjson::Document doc;
  if (!base::ParseJson(response_json, 128, doc).ok()) return std::string(response_json);
  std::ostringstream out;
  if (const base::Json* issues = base::Member(doc, "issue")) {
    out << "Error:\n";
    base::ForEachObject(issues, [&](const base::Json& i) {
      out << "  - " << base::StringMember(i, "diagnostics").value_or("(no diagnostics)") << "\n";
    });
    return out.str();
  }
  const base::Json* cards = base::Member(doc, "cards");
  if (cards == nullptr || !cards->IsArray() || cards->Empty())
    return "No cards: nothing to flag.\n";
  int n = 0;
  for (const auto& card : cards->GetArray()) {
    const auto* source = base::Member(card, "source");
    const auto* topic = base::Member(source, "topic");
    out << (n++ ? "\n" : "") << "["
        << Upper(std::string(base::StringMember(card, "indicator").value_or(""))) << "] "
        << base::StringMember(card, "summary").value_or("") << "\n";
    if (topic) out << "  code: " << base::StringMember(*topic, "code").value_or("") << "\n";
    Indent(out, Plain(base::StringMember(card, "detail").value_or("")), "  ");
    if (source) {
      out << "  source: " << base::StringMember(*source, "label").value_or("");
      if (auto url = base::StringMember(*source, "url")) out << " <" << *url << ">";
      out << "\n";
    }
    base::ForEachObject(base::Member(card, "links"), [&](const base::Json& l) {
      out << "  link: " << base::StringMember(l, "label").value_or("") << " <"
          << base::StringMember(l, "url").value_or("") << ">\n";
    });
    base::ForEachObject(base::Member(card, "suggestions"), [&](const base::Json& s) {
      out << "  suggestion: " << base::StringMember(s, "label").value_or("") << "\n";
      base::ForEachObject(base::Member(s, "actions"), [&](const base::Json& a) {
        out << "    - " << base::StringMember(a, "type").value_or("") << ": "
            << base::StringMember(a, "description").value_or("") << "\n";
      });
    });
  }
  return out.str();
}

}  // namespace app
