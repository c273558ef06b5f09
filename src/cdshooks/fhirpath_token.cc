#include "cdshooks/fhirpath_token.h"

#include "base/json.h"
#include "cdshooks/prefetch_template.h"
#include "fhir/resource.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace cdshooks {
namespace {

constexpr std::size_t kMaxValues = 100;  // values one path token may expand to

std::string Quote(std::string_view token) { return "token {{" + std::string(token) + "}}"; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

int DaysInMonth(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// `t` moved by `months` calendar months, the day clamped to the target month's last day.
fhir::EpochSeconds AddMonths(fhir::EpochSeconds t, long long months) {
  const auto date = fhir::ParseDate(fhir::FormatDate(t));
  const fhir::EpochSeconds time_of_day =
      ((t % fhir::kSecondsPerDay) + fhir::kSecondsPerDay) % fhir::kSecondsPerDay;
  long long index = static_cast<long long>(date->year) * 12 + (date->month - 1) + months;
  const int year = static_cast<int>(index / 12);
  const int month = static_cast<int>(index % 12) + 1;
  const int day = std::min(date->day, DaysInMonth(year, month));
  return fhir::DaysFromCivil(year, month, day) * fhir::kSecondsPerDay + time_of_day;
}

base::StatusOr<std::string> DateToken(std::string_view token, std::string_view expr,
                                      std::optional<fhir::EpochSeconds> reference) {
  const bool today = expr.rfind("today()", 0) == 0;
  expr.remove_prefix(today ? 7 : 5);
  expr = Trim(expr);
  if (!reference)
    return base::Status::FailedPrecondition(Quote(token) + " has no value: no reference time");
  fhir::EpochSeconds t = *reference;
  if (!expr.empty()) {
    const char sign = expr.front();
    if (sign != '+' && sign != '-')
      return base::Status::InvalidArgument(Quote(token) + " is not date arithmetic");
    expr = Trim(expr.substr(1));
    std::size_t digits = 0;
    while (digits < expr.size() && std::isdigit(static_cast<unsigned char>(expr[digits]))) ++digits;
    if (digits == 0 || digits > 5)
      return base::Status::InvalidArgument(Quote(token) +
                                           " needs a whole number of at most 5 digits");
    const long long n = std::stoll(std::string(expr.substr(0, digits))) * (sign == '-' ? -1 : 1);
    const std::string_view unit = Trim(expr.substr(digits));
    auto is = [&](std::initializer_list<std::string_view> names) {
      for (auto name : names)
        if (unit == name) return true;
      return false;
    };
    if (is({"day", "days", "'d'"}))
      t += n * fhir::kSecondsPerDay;
    else if (is({"week", "weeks", "'wk'"}))
      t += n * 7 * fhir::kSecondsPerDay;
    else if (is({"month", "months", "'mo'"}))
      t = AddMonths(t, n);
    else if (is({"year", "years", "'a'"}))
      t = AddMonths(t, n * 12);
    else
      return base::Status::InvalidArgument(Quote(token) +
                                           ": the unit must be days, weeks, months or years");
  }
  return PercentEncode(today ? fhir::FormatDate(t) : fhir::FormatDateTime(t));
}

void Flatten(const base::Json* v, std::vector<const base::Json*>& out) {
  if (v == nullptr || v->IsNull()) return;
  if (v->IsArray()) {
    for (const auto& item : v->GetArray()) Flatten(&item, out);
    return;
  }
  out.push_back(v);
}

base::StatusOr<std::string> PathToken(std::string_view token, std::string_view expr,
                                      const Request& request) {
  const base::Json* context =
      request.document ? base::Member(*request.document, "context") : nullptr;
  std::vector<const base::Json*> items;
  Flatten(context, items);
  expr.remove_prefix(std::string_view("context.").size());
  while (!expr.empty()) {
    const auto dot = expr.find('.');
    std::string_view step = Trim(expr.substr(0, dot));
    expr = dot == std::string_view::npos ? std::string_view() : expr.substr(dot + 1);
    std::vector<const base::Json*> next;
    if (step.rfind("ofType(", 0) == 0 && step.back() == ')') {
      const std::string_view type = Trim(step.substr(7, step.size() - 8));
      if (!IsIdentifier(type))
        return base::Status::InvalidArgument(Quote(token) + ": ofType() needs a resource type");
      for (const base::Json* item : items)
        if (item->IsObject() && fhir::ResourceType(*item) == type) next.push_back(item);
    } else if (step == "first()") {
      if (!items.empty()) next.push_back(items.front());
    } else if (IsIdentifier(step)) {
      for (const base::Json* item : items)
        if (item->IsObject()) Flatten(base::Member(*item, step), next);
    } else {
      return base::Status::InvalidArgument(
          Quote(token) + " uses \"" + std::string(step) +
          "\", which this service does not evaluate (member names, ofType() and first() only)");
    }
    items = std::move(next);
  }
  std::string out;
  std::size_t values = 0;
  for (const base::Json* item : items) {
    std::string text;
    if (item->IsString())
      text = base::View(*item);
    else if (item->IsBool())
      text = item->GetBool() ? "true" : "false";
    else if (item->IsNumber())
      text = base::ToString(*item);
    else
      continue;  // an object or array is not a search value
    if (text.empty()) continue;
    if (++values > kMaxValues)
      return base::Status::InvalidArgument(Quote(token) + " has more than " +
                                           std::to_string(kMaxValues) + " values");
    if (!out.empty()) out += ',';
    out += PercentEncode(text);
  }
  if (out.empty())
    return base::Status::FailedPrecondition(Quote(token) + " has no value in this request");
  return out;
}

}  // namespace

bool IsFhirPathToken(std::string_view token) {
  token = Trim(token);
  return token.rfind("today()", 0) == 0 || token.rfind("now()", 0) == 0 ||
         (token.rfind("context.", 0) == 0 &&
          token.find_first_of(".(", 8) != std::string_view::npos);
}

base::StatusOr<std::string> EvaluateFhirPathToken(
    std::string_view token, const Request& request,
    std::optional<fhir::EpochSeconds> reference_time) {
  const std::string_view expr = Trim(token);
  if (expr.rfind("today()", 0) == 0 || expr.rfind("now()", 0) == 0)
    return DateToken(token, expr, reference_time);
  if (expr.rfind("context.", 0) == 0) return PathToken(token, expr, request);
  return base::Status::InvalidArgument(Quote(token) +
                                       " is not a FHIRPath token this service fills");
}

}  // namespace cdshooks
