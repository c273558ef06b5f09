#include "cdshooks/prefetch_assess.h"

#include "fhir/resource.h"

#include <algorithm>

namespace cdshooks {
namespace {

PrefetchValue Value(PrefetchState state, const base::Json* value, std::string why = {},
                    std::string next = {}) {
  return PrefetchValue{state, value, std::move(next), std::move(why)};
}

std::string_view JsonKind(const base::Json& v) {
  if (v.IsString()) return "a string";
  if (v.IsNumber()) return "a number";
  if (v.IsBool()) return "a boolean";
  if (v.IsArray()) return "an array";
  return "not an object";
}

// An OperationOutcome with at least one issue of severity error or fatal.
bool HasErrorIssue(const base::Json& outcome) {
  bool error = false;
  base::ForEachObject(base::Member(outcome, "issue"), [&](const base::Json& issue) {
    const auto severity = base::StringMember(issue, "severity");
    error = error || severity == std::optional<std::string_view>("error") ||
            severity == std::optional<std::string_view>("fatal");
  });
  return error;
}

// The latest instant a FHIR date/dateTime/instant can denote: a partial date covers its whole
// year, month or day.
std::optional<fhir::EpochSeconds> LatestInstant(std::string_view text) {
  const auto start = fhir::ParseDateTime(text);
  if (!start) return std::nullopt;
  if (text.size() > 10) return start;  // has a time
  const auto date = fhir::ParseDate(text);
  if (!date) return start;
  fhir::EpochSeconds end = 0;
  if (date->month == 0)
    end = fhir::DaysFromCivil(date->year + 1, 1, 1) * fhir::kSecondsPerDay;
  else if (date->day == 0)
    end = (date->month == 12 ? fhir::DaysFromCivil(date->year + 1, 1, 1)
                             : fhir::DaysFromCivil(date->year, date->month + 1, 1)) *
          fhir::kSecondsPerDay;
  else
    end = *start + fhir::kSecondsPerDay;
  return end - 1;
}

}  // namespace

std::string NextLink(const base::Json& bundle) {
  std::string next;
  base::ForEachObject(base::Member(bundle, "link"), [&](const base::Json& link) {
    if (base::StringMember(link, "relation") == std::optional<std::string_view>("next"))
      if (auto url = base::StringMember(link, "url"); url && !url->empty())
        next = std::string(*url);
  });
  return next;
}

std::optional<fhir::EpochSeconds> LatestClinicalDate(const base::Json& resource) {
  std::optional<fhir::EpochSeconds> latest;
  auto consider = [&](const base::Json* v) {
    if (v == nullptr || !v->IsString()) return;
    if (auto t = LatestInstant(base::View(*v)); t && (!latest || *t > *latest)) latest = t;
  };
  for (const char* name :
       {"effectiveDateTime", "effectiveInstant", "issued", "recordedDate", "recorded", "authoredOn",
        "occurrenceDateTime", "onsetDateTime", "dateWritten", "date"})
    consider(base::Member(resource, name));
  for (const char* name : {"effectivePeriod", "onsetPeriod"})
    if (const base::Json* period = base::Member(resource, name); period && period->IsObject()) {
      consider(base::Member(*period, "start"));
      consider(base::Member(*period, "end"));
    }
  return latest;
}

bool SortedByDate(std::string_view tmpl) {
  for (std::size_t at = tmpl.find("_sort="); at != std::string_view::npos;
       at = tmpl.find("_sort=", at + 1)) {
    if (at > 0 && tmpl[at - 1] != '?' && tmpl[at - 1] != '&') continue;
    std::string_view value = tmpl.substr(at + 6);
    value = value.substr(0, value.find('&'));
    value = value.substr(0, value.find(','));  // the first sort key decides the order
    return value == "-date";
  }
  return false;
}

fhir::EpochSeconds ReferenceTime(const Request& request, fhir::EpochSeconds now) {
  fhir::EpochSeconds reference = now;
  fhir::ForEachResource(request.draft_orders, [&](const base::Json& r) {
    for (const char* name : {"authoredOn", "dateWritten"})
      if (auto text = base::StringMember(r, name))
        if (auto t = fhir::ParseDateTime(*text)) reference = std::min(reference, *t);
  });
  return reference;
}

std::optional<fhir::EpochSeconds> PrefetchCutoff(const Request& request, fhir::EpochSeconds now,
                                                 int lookback_days) {
  if (lookback_days <= 0) return std::nullopt;
  return ReferenceTime(request, now) -
         static_cast<fhir::EpochSeconds>(lookback_days) * fhir::kSecondsPerDay;
}

PrefetchValue AssessPrefetch(const base::Json& value, const AssessOptions& options) {
  using S = PrefetchState;
  if (value.IsNull()) return Value(S::kNull, nullptr);
  if (!value.IsObject())
    return Value(S::kFailed, nullptr,
                 std::string("the value is ") + std::string(JsonKind(value)) +
                     ", not a FHIR resource or null");
  // A key given twice anywhere in it: which value is meant is unknown, so the resource is
  // unreadable and so is the key (a missing key, as for a failed query).
  if (base::DuplicateKeyWithin(value))
    return Value(S::kFailed, &value,
                 "a resource in it gives a JSON key more than once, so it cannot be read");
  const std::string_view type = fhir::ResourceType(value);
  if (type.empty())
    return Value(S::kFailed, &value, "the value is not a FHIR resource (no resourceType)");
  if (type == "OperationOutcome")
    return Value(S::kFailed, &value, "the client sent an OperationOutcome for it (a failed query)");
  if (type != "Bundle") return Value(S::kResource, &value);

  const base::Json* entries = base::Member(value, "entry");
  if (entries != nullptr && !entries->IsArray())
    return Value(S::kFailed, &value, "the Bundle's entry is not an array");
  bool failed = false;
  std::optional<fhir::EpochSeconds> oldest;
  base::ForEachObject(entries, [&](const base::Json& entry) {
    const base::Json* resource = base::Member(entry, "resource");
    if (resource == nullptr || !resource->IsObject()) return;
    if (fhir::ResourceType(*resource) == "OperationOutcome") {
      failed = failed || HasErrorIssue(*resource);
      return;  // warnings and information: ignored
    }
    if (auto t = LatestClinicalDate(*resource); t && (!oldest || *t < *oldest)) oldest = t;
  });
  if (failed)
    return Value(S::kFailed, &value,
                 "the searchset holds an OperationOutcome of severity error or fatal (a failed "
                 "query)");
  std::string next = NextLink(value);
  if (next.empty()) return Value(S::kResource, &value);
  if (options.sorted_by_date && options.cutoff && oldest && *oldest < *options.cutoff)
    return Value(S::kResource, &value);  // newest first, and already past every look-back
  return Value(S::kIncomplete, &value, "more pages", std::move(next));
}

}  // namespace cdshooks
