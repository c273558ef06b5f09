// The FHIRPath prefetch tokens of the CDS Hooks 3.0 ballot, for operators who configure such
// templates (discovery keeps CDS Hooks 2.0 tokens): a bounded subset, evaluated over the request.
//
//   {{today()}}, {{now()}}, optionally with "+ N unit" or "- N unit" where unit is day(s),
//   week(s), month(s) or year(s) (or the UCUM-like quoted 'd', 'wk', 'mo', 'a'): a FHIR date
//   (today) or dateTime (now) counted from the request's reference time (the earliest draft
//   authoredOn, else the time of the request), so the same request always asks for the same data.
//   Months and years are calendar arithmetic; a day past the month's end is clamped to its last.
//
//   {{context.<path>}}: member navigation over the request's context, arrays flattened, with
//   ofType(ResourceType) (keeps resources of that type) and first(); e.g.
//   {{context.draftOrders.entry.resource.ofType(MedicationRequest).id}}. The values (strings,
//   numbers, booleans) are percent-encoded one by one and joined with ',' (a FHIR search "or").
//
// Anything else (where(), arithmetic on other types, functions not listed) is not filled: the key
// is then unfetchable and the 412 names the token. Thread safety: pure functions.
#pragma once

#include "base/status.h"
#include "cdshooks/request.h"
#include "fhir/date.h"

#include <optional>
#include <string>
#include <string_view>

namespace cdshooks {

// True when `token` looks like an expression of this subset (starts with today(), now() or
// context. followed by a path) and is not one of the CDS Hooks 2.0 tokens.
bool IsFhirPathToken(std::string_view token);

// The token's value, percent-encoded and ready to stand in a URL. kFailedPrecondition when it has
// no value for this request (no reference time for a date, an empty path result), kInvalidArgument
// when the expression is outside the subset; the message names the token.
base::StatusOr<std::string> EvaluateFhirPathToken(std::string_view token, const Request& request,
                                                  std::optional<fhir::EpochSeconds> reference_time);

}  // namespace cdshooks
