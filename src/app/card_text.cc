#include "app/card_text.h"

#include "fhir/json.h"

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
  if (fhir::ParseJson(response_json, 128, doc)) return std::string(response_json);
  std::ostringstream out;
  if (const fhir::Json* issues = fhir::Member(doc, "issue")) {
    out << "Error:\n";
    fhir::ForEachObject(issues, [&](const fhir::Json& i) {
      out << "  - " << fhir::StringMember(i, "diagnostics").value_or("(no diagnostics)") << "\n";
    });
    return out.str();
  }
  const fhir::Json* cards = fhir::Member(doc, "cards");
  if (cards == nullptr || !cards->IsArray() || cards->Empty())
    return "No cards: nothing to flag.\n";
  int n = 0;
  for (const auto& card : cards->GetArray()) {
    const auto* source = fhir::Member(card, "source");
    const auto* topic = fhir::Member(source, "topic");
    out << (n++ ? "\n" : "") << "["
        << Upper(std::string(fhir::StringMember(card, "indicator").value_or(""))) << "] "
        << fhir::StringMember(card, "summary").value_or("") << "\n";
    if (topic) out << "  code: " << fhir::StringMember(*topic, "code").value_or("") << "\n";
    Indent(out, Plain(fhir::StringMember(card, "detail").value_or("")), "  ");
    if (source) {
      out << "  source: " << fhir::StringMember(*source, "label").value_or("");
      if (auto url = fhir::StringMember(*source, "url")) out << " <" << *url << ">";
      out << "\n";
    }
    fhir::ForEachObject(fhir::Member(card, "links"), [&](const fhir::Json& l) {
      out << "  link: " << fhir::StringMember(l, "label").value_or("") << " <"
          << fhir::StringMember(l, "url").value_or("") << ">\n";
    });
    fhir::ForEachObject(fhir::Member(card, "suggestions"), [&](const fhir::Json& s) {
      out << "  suggestion: " << fhir::StringMember(s, "label").value_or("") << "\n";
      fhir::ForEachObject(fhir::Member(s, "actions"), [&](const fhir::Json& a) {
        out << "    - " << fhir::StringMember(a, "type").value_or("") << ": "
            << fhir::StringMember(a, "description").value_or("") << "\n";
      });
    });
  }
  return out.str();
}

}  // namespace app
