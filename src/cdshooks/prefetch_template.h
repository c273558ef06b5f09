// The service's own prefetch templates, filled from a request (CDS Hooks 2.0 §Prefetch tokens).
//
// Tokens: {{context.patientId}}, {{context.userId}}, {{context.encounterId}} and the user
// identifiers {{userPractitionerId}}, {{userPractitionerRoleId}}, {{userPatientId}},
// {{userRelatedPersonId}}, derived from context.userId ("Type/id"); and the 3.0 ballot's FHIRPath
// tokens of cdshooks/fhirpath_token.h. Substituted values are percent-encoded (every byte outside
// RFC 3986 unreserved characters), so a value cannot add a path segment or a query parameter; the
// one exception is a whole {{context.userId}} that is a plain "Type/id" reference (letters, then
// a FHIR id), which stands as it is, as in the specification's example (PractitionerRole/123).
// Literal template text outside the URL character set (e.g. the `|` of a token search) is
// percent-encoded too. A token that cannot be filled makes the key unfetchable: Expand says which
// token and why.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include "base/status.h"
#include "cdshooks/request.h"
#include "fhir/date.h"

#include <optional>
#include <string>
#include <string_view>

namespace cdshooks {

struct ExpandedTemplate {
  std::string query;          // relative FHIR URL, e.g. "Patient/abc" or "Condition?patient=abc"
  bool search = false;        // a type-level search (a Bundle answer), not an instance read
  std::string resource_type;  // the first path segment, e.g. "Patient"
};

// Fills `tmpl` from `request`. On failure the Status's message is a sentence fragment such as
// "token {{context.encounterId}} has no value: the request's context has no encounterId":
// kFailedPrecondition when a token has no value in this request, kInvalidArgument when the
// template itself (or what a value made of it) is not a relative FHIR URL.
// `reference_time` fills today() and now() tokens (nullopt: they have no value).
base::StatusOr<ExpandedTemplate> ExpandPrefetchTemplate(
    std::string_view tmpl, const Request& request,
    std::optional<fhir::EpochSeconds> reference_time = std::nullopt);

// Percent-encodes every byte that is not an RFC 3986 unreserved character.
std::string PercentEncode(std::string_view value);

}  // namespace cdshooks
