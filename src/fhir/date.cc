#include "fhir/date.h"

#include <array>
#include <cstdio>

namespace fhir {
namespace {

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

void CivilFromDays(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yy + (m <= 2 ? 1 : 0));
}

// Whole months from birthday (y,m,d) to the civil date of `at`.
int CompletedMonths(int by, int bm, int bd, EpochSeconds at) {
  int y = 0, m = 0, d = 0;
  std::int64_t days = at / kSecondsPerDay;
  if (at < 0 && at % kSecondsPerDay != 0) --days;
  CivilFromDays(days, y, m, d);
  int months = (y - by) * 12 + (m - bm);
  // A birthday on the 31st is reached on the last day of shorter months.
  const int anniversary_day = bd > DaysInMonth(y, m) ? DaysInMonth(y, m) : bd;
  if (d < anniversary_day) --months;
  return months;
}

}  // namespace

std::int64_t DaysFromCivil(int year, int month, int day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = static_cast<unsigned>(month > 2 ? month - 3 : month + 9);
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<PartialDate> ParseDate(std::string_view s) {
  PartialDate d;
  if (!Digits(s, 0, 4, d.year) || d.year < 1) return std::nullopt;
  if (s.size() == 4) return d;
  if (s.size() < 7 || s[4] != '-' || !Digits(s, 5, 2, d.month) || d.month < 1 || d.month > 12)
    return std::nullopt;
  if (s.size() == 7) return d;
  if (s.size() < 10 || s[7] != '-' || !Digits(s, 8, 2, d.day) || d.day < 1 ||
      d.day > DaysInMonth(d.year, d.month))
    return std::nullopt;
  if (s.size() == 10 || s[10] == 'T') return d;
  return std::nullopt;
}

std::optional<EpochSeconds> ParseDateTime(std::string_view s) {
  auto date = ParseDate(s.substr(0, s.size() < 10 ? s.size() : 10));
  if (!date) return std::nullopt;
  const int month = date->month == 0 ? 1 : date->month;
  const int day = date->day == 0 ? 1 : date->day;
  EpochSeconds t = DaysFromCivil(date->year, month, day) * kSecondsPerDay;
  if (s.size() <= 10) return t;
  // Thh:mm(:ss(.fff)?)?(Z|+hh:mm|-hh:mm)?
  if (s[10] != 'T') return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  if (!Digits(s, 11, 2, hh) || s.size() < 16 || s[13] != ':' || !Digits(s, 14, 2, mm) || hh > 23 ||
      mm > 59)
    return std::nullopt;
  std::size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, ss) || ss > 60) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      const std::size_t start = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      if (pos == start) return std::nullopt;
    }
  }
  t += hh * 3600 + mm * 60 + ss;
  if (pos == s.size()) return t;
  if (s[pos] == 'Z' && pos + 1 == s.size()) return t;
  if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
    int oh = 0, om = 0;
    if (!Digits(s, pos + 1, 2, oh) || !Digits(s, pos + 4, 2, om) || oh > 14 || om > 59)
      return std::nullopt;
    const int offset = oh * 3600 + om * 60;
    return s[pos] == '+' ? t - offset : t + offset;
  }
  return std::nullopt;
}

std::string FormatDate(EpochSeconds t) {
  int y = 0, m = 0, d = 0;
  std::int64_t days = t / kSecondsPerDay;
  if (t < 0 && t % kSecondsPerDay != 0) --days;
  CivilFromDays(days, y, m, d);
  if (y < 0 || y > 9999) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return buf;
  }
  // YYYY-MM-DD by hand: evidence dates are written for every matched record.
  std::string out(10, '-');
  const auto put = [&](std::size_t at, int v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) out[at + i] = static_cast<char>('0' + v % 10);
  };
  put(0, y, 4);
  put(5, m, 2);
  put(8, d, 2);
  return out;
}

std::string FormatDateTime(EpochSeconds t) {
  std::int64_t secs = t % kSecondsPerDay;
  if (secs < 0) secs += kSecondsPerDay;
  char buf[40];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02dZ", static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return FormatDate(t) + buf;
}

std::optional<AgeRange> AgeAt(const PartialDate& birth, EpochSeconds at) {
  // Earliest possible birthday: first day of the period; latest: last day of it.
  const int early_m = birth.month == 0 ? 1 : birth.month;
  const int early_d = birth.day == 0 ? 1 : birth.day;
  const int late_m = birth.month == 0 ? 12 : birth.month;
  const int late_d = birth.day == 0 ? DaysInMonth(birth.year, late_m) : birth.day;
  const int oldest = CompletedMonths(birth.year, early_m, early_d, at);
  int youngest = CompletedMonths(birth.year, late_m, late_d, at);
  if (oldest < 0) return std::nullopt;
  if (youngest < 0) youngest = 0;
  return AgeRange{youngest, oldest};
}

}  // namespace fhir
