// `anakinra-cds feedback-report`: how clinicians answered the cards, per card code, from the
// feedback store of `serve --data-dir DIR` (or of every replica, `serve --store postgresql://…`):
// cards issued, accepted, overridden, ignored (no feedback), acceptance rate
// (accepted / (accepted + overridden); cards without feedback are not in the rate) and the top
// override reasons. A card counts once, with the outcome of its latest feedback entry.
// When the server dropped issued-card rows (docs/operations.md), the counts of the codes they
// belong to are marked as lower bounds (">=" in text, "lowerBound": true in JSON) and the total
// is shown (text: a closing note; JSON: "issuedCardsDropped").
#pragma once

#include <string>

namespace app {

// `store_url` as the setting ("" : SQLite in `data_dir`); `since` is a FHIR date or dateTime (""
// for everything); `format` is text or json (the JSON is store::ReportJson, the same bytes as the
// governance page's report.json); `bucket` is the trend bucket (day or week,
// store::BucketSeconds). Returns the exit code (0 ok, 1 no store or unreadable, 2 bad --since or
// --bucket).
int RunFeedbackReport(const std::string& store_url, const std::string& data_dir,
                      const std::string& since, const std::string& format,
                      const std::string& bucket = "day");

}  // namespace app
