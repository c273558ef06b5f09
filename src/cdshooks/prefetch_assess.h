// Prefetch completeness (policy v2 §0), decided in ONE place for client-sent prefetch (request
// parsing) and for documents the service fetched itself (the FHIR fetcher) alike.
//
//   null                                             -> kNull (the client has no data: complete)
//   not an object, or an object without resourceType -> kFailed (a missing key, never a 400)
//   a JSON key given twice in any object within it   -> kFailed (unreadable: which is meant?)
//   OperationOutcome                                 -> kFailed (a failed query)
//   Bundle whose `entry` is not an array             -> kFailed
//   Bundle holding an OperationOutcome entry with an issue of severity error or fatal
//                                                    -> kFailed (warning/information: ignored)
//   searchset with a `next` link                     -> kIncomplete (next = the link,
//        why = "more pages"), UNLESS the key's template sorts by date (`_sort=-date`) and the
//        oldest dated entry on the page is older than the cutoff: the page already reaches past
//        the longest look-back of the rules, so it is complete (kResource)
//   anything else                                    -> kResource
//
// The cutoff (earliest draft authoredOn, else the request time, minus the knowledge's longest
// look-back) is passed in, so this layer knows nothing of the clinical rules.
//
// Pure functions over borrowed JSON: thread-safe; the returned value points into `value`. `why`
// never holds text from the request (no identifiers), only a description of the shape.
#pragma once

#include "base/json.h"
#include "cdshooks/request.h"
#include "fhir/date.h"

#include <optional>
#include <string>
#include <string_view>

namespace cdshooks {

struct AssessOptions {
  // The key's template sorts by date, newest first (`_sort=-date`): see SortedByDate.
  bool sorted_by_date = false;
  // Entries older than this are beyond every look-back; nullopt: a `next` link is always
  // incomplete.
  std::optional<fhir::EpochSeconds> cutoff;
};

PrefetchValue AssessPrefetch(const base::Json& value, const AssessOptions& options = {});

// True when the template asks for newest-first by date (`_sort=-date` among its `_sort` keys,
// first).
bool SortedByDate(std::string_view prefetch_template);

// The `next` link of a Bundle, or "" when it has none.
std::string NextLink(const base::Json& bundle);

// The latest instant a resource's clinical date (effective[x], issued, recorded(Date),
// authoredOn, occurrence[x], onset[x], date) can denote; nullopt when it has none readable.
std::optional<fhir::EpochSeconds> LatestClinicalDate(const base::Json& resource);

// The request's reference time: the earliest authoredOn (or DSTU2 dateWritten) of its draft
// orders, else `now`. Look-back windows and the today()/now() prefetch tokens count from it.
fhir::EpochSeconds ReferenceTime(const Request& request, fhir::EpochSeconds now);

// The cutoff for a request: the earliest authoredOn of its draft orders (else `now`) minus
// `lookback_days`; nullopt when lookback_days <= 0 (no look-back known: never complete early).
std::optional<fhir::EpochSeconds> PrefetchCutoff(const Request& request, fhir::EpochSeconds now,
                                                 int lookback_days);

}  // namespace cdshooks
