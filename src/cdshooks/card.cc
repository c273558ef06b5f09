#include "cdshooks/card.h"

#include "base/json.h"

#include <rapidjson/writer.h>

namespace cdshooks {
namespace {

// The response is written straight into a std::string (RapidJSON's output stream concept).
struct StringOut {
  using Ch = char;
  std::string* s;
  void Put(char c) { s->push_back(c); }
  void Flush() {}
};

// RapidJSON's writer keeps the structure (nesting, commas); card text, the bulk of a response,
// goes in through base::AppendJsonString, which copies runs of ordinary characters whole.
// Keys and strings of suggested resources (Value::Accept calls these) take the same path.
class Writer : public rapidjson::Writer<StringOut> {
 public:
  explicit Writer(StringOut& out) : rapidjson::Writer<StringOut>(out) {}
  void Text(std::string_view value) {
    RawValue("", 0, rapidjson::kStringType);  // the separator the writer owes before it
    base::AppendJsonString(value, *os_->s);
  }
  bool String(const char* s, rapidjson::SizeType n, bool /*copy*/ = false) {
    Text({s, n});
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool /*copy*/ = false) {
    Text({s, n});
    return true;
  }
  bool Key(const char* s) {
    Text(s);
    return true;
  }
};

// A string member; empty strings are left out.
void Str(Writer& w, const char* key, const std::string& value) {
  if (value.empty()) return;
  w.Key(key);
  w.Text(value);
}

void WriteCoding(Writer& w, const Coding& c) {
  w.StartObject();
  Str(w, "system", c.system);
  Str(w, "code", c.code);
  Str(w, "display", c.display);
  w.EndObject();
}

void WriteAction(Writer& w, const Action& a) {
  w.StartObject();
  Str(w, "type", a.type);
  Str(w, "description", a.description);
  if (a.resource) {
    w.Key("resource");
    a.resource->Accept(w);
  }
  Str(w, "resourceId", a.resource_id);
  w.EndObject();
}

void WriteCard(Writer& w, const Card& c) {
  w.StartObject();
  Str(w, "uuid", c.uuid);
  Str(w, "summary", c.summary);
  Str(w, "detail", c.detail);
  Str(w, "indicator", c.indicator);
  w.Key("source");
  w.StartObject();
  Str(w, "label", c.source.label);
  Str(w, "url", c.source.url);
  if (!c.source.topic.code.empty()) {
    w.Key("topic");
    WriteCoding(w, c.source.topic);
  }
  w.EndObject();
  if (!c.suggestions.empty()) {
    w.Key("suggestions");
    w.StartArray();
    for (const Suggestion& s : c.suggestions) {
      w.StartObject();
      Str(w, "label", s.label);
      Str(w, "uuid", s.uuid);
      if (s.is_recommended) {
        w.Key("isRecommended");
        w.Bool(true);
      }
      if (!s.actions.empty()) {
        w.Key("actions");
        w.StartArray();
        for (const Action& a : s.actions) WriteAction(w, a);
        w.EndArray();
      }
      w.EndObject();
    }
    w.EndArray();
    Str(w, "selectionBehavior", c.selection_behavior);
  }
  if (!c.override_reasons.empty()) {
    w.Key("overrideReasons");
    w.StartArray();
    for (const Coding& r : c.override_reasons) WriteCoding(w, r);
    w.EndArray();
  }
  if (!c.links.empty()) {
    w.Key("links");
    w.StartArray();
    for (const Link& l : c.links) {
      w.StartObject();
      Str(w, "label", l.label);
      Str(w, "url", l.url);
      Str(w, "type", l.type);
      w.EndObject();
    }
    w.EndArray();
  }
  if (!c.order.empty()) {
    w.Key("extension");
    w.StartObject();
    w.Key(kOrderExtension);
    w.StartObject();
    Str(w, "reference", c.order);
    w.EndObject();
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace

std::string ResponseJson(const std::vector<Card>& cards) {
  std::string json;
  json.reserve(1024 + 2048 * cards.size());
  StringOut out{&json};
  Writer w(out);
  w.StartObject();
  w.Key("cards");
  w.StartArray();
  for (const Card& c : cards) WriteCard(w, c);
  w.EndArray();
  w.EndObject();
  return json;
}

}  // namespace cdshooks
