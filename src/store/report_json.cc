#include "store/report_json.h"

#include "fhir/date.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace store {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void String(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void Rate(Writer& w, const std::optional<double>& rate) {
  if (rate)
    w.Double(*rate);
  else
    w.Null();
}

}  // namespace

std::optional<std::int64_t> BucketSeconds(std::string_view name) {
  if (name == "day") return 86400;
  if (name == "week") return 7 * 86400;
  return std::nullopt;
}

std::string ReportJson(const FeedbackReport& report, std::string_view since,
                       std::int64_t bucket_seconds) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  if (!since.empty()) {
    w.Key("since");
    String(w, since);
  }
  w.Key("bucketSeconds");
  w.Int64(bucket_seconds);
  // Issued-card rows the server dropped (analytics, see docs/operations.md): the counts of the
  // codes they belong to are lower bounds, and "(unknown card)" may hold their feedback.
  w.Key("issuedCardsDropped");
  w.Int64(report.issued_dropped);
  w.Key("codes");
  w.StartArray();
  for (const auto& r : report.codes) {
    w.StartObject();
    w.Key("code");
    String(w, r.code);
    w.Key("issued");
    w.Int64(r.issued);
    w.Key("accepted");
    w.Int64(r.accepted);
    w.Key("overridden");
    w.Int64(r.overridden);
    w.Key("ignored");
    w.Int64(r.ignored());
    w.Key("feedbackEntries");
    w.Int64(r.feedback_entries);
    w.Key("acceptanceRate");
    Rate(w, r.acceptance_rate);
    if (r.lower_bound()) {
      w.Key("issuedDropped");
      w.Int64(r.issued_dropped);
    }
    w.Key("lowerBound");
    w.Bool(r.lower_bound());
    w.Key("topOverrideReasons");
    w.StartArray();
    for (const auto& reason : r.top_override_reasons) {
      w.StartObject();
      if (!reason.code.empty()) {
        w.Key("system");
        String(w, reason.system);
        w.Key("code");
        String(w, reason.code);
        if (!reason.display.empty()) {
          w.Key("display");
          String(w, reason.display);
        }
      }
      w.Key("count");
      w.Int64(reason.count);
      w.EndObject();
    }
    w.EndArray();
    w.Key("trend");
    w.StartArray();
    for (const auto& p : r.trend) {
      w.StartObject();
      w.Key("start");
      String(w, fhir::FormatDateTime(p.start));
      w.Key("issued");
      w.Int64(p.issued);
      w.Key("accepted");
      w.Int64(p.accepted);
      w.Key("overridden");
      w.Int64(p.overridden);
      w.Key("acceptanceRate");
      Rate(w, p.acceptance_rate);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

}  // namespace store
