// CDS Hooks 2.0 cards and the response that carries them.
//
// A Card holds everything the spec lets a service say; ResponseJson writes {"cards": [...]} and
// omits every optional member that is empty, as the spec requires (no null, "", [] or {}).
//
// Thread safety: cards are values (an Action shares its resource document, read-only once
// written); ResponseJson is a pure function. Errors: none.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

namespace cdshooks {

struct Coding {
  std::string system;
  std::string code;
  std::string display;
};

struct Action {
  std::string type;  // create | update | delete
  std::string description;
  std::shared_ptr<rapidjson::Document> resource;  // create/update: the full FHIR resource
  std::string resource_id;                        // delete: "Type/id"
};

struct Suggestion {
  std::string label;
  std::string uuid;
  bool is_recommended = false;
  std::vector<Action> actions;
};

struct Link {
  std::string label;
  std::string url;
  std::string type = "absolute";
};

struct Source {
  std::string label;
  std::string url;
  Coding topic;
};

struct Card {
  std::string uuid;
  std::string summary;
  std::string detail;
  std::string indicator;  // info | warning | critical
  Source source;
  std::vector<Suggestion> suggestions;
  std::string selection_behavior;  // at-most-one | any; required when suggestions exist
  std::vector<Coding> override_reasons;
  std::vector<Link> links;
  // The order the card is about ("MedicationRequest/123": a draft order, or the active order on
  // patient-view), written as the card extension kOrderExtension so an EHR can attach the card
  // to the order without reading prose. Empty: a patient-level card.
  std::string order;
};

// The card extension that names the order a card is about (reverse-domain name, as the
// specification asks extension names to be).
inline constexpr const char* kOrderExtension = "org.anakinra-cds.order";

std::string ResponseJson(const std::vector<Card>& cards);

}  // namespace cdshooks
