// One JSON line per request on stderr: time, method, route, status, latency, service,
// hookInstance and card codes (a feedback call: each stored entry's card code and outcome). Never
// tokens, never patient identifiers: the route is the matched pattern's path, and nothing from the
// body other than hookInstance and a feedback entry's outcome is written.
//
// Thread safety: every function may be called from any thread; lines are written whole, under
// one mutex, and flushed. Errors: a failed write to stderr is ignored (logging never fails a
// request).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace base {

struct RequestLogEntry {
  std::string method;
  std::string route;
  int status = 0;
  double latency_ms = 0;
  std::string service;
  std::string hook_instance;
  std::vector<std::string> card_codes;
  std::string message;  // e.g. the reason for an error
  // A feedback call: per stored entry, (the code of the card it is about, its outcome), logged
  // as "feedback":[{"card":CODE,"outcome":OUTCOME}]. Never its comment or its card uuid.
  std::vector<std::pair<std::string, std::string>> feedback;
};

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

void SetLogLevel(LogLevel level);
bool ParseLogLevel(const std::string& name, LogLevel& out);
void LogRequest(const RequestLogEntry& entry);
// True when a request answered with `status` is logged at the current level: callers skip
// building the entry otherwise.
bool RequestLogged(int status);
void LogEvent(LogLevel level, const std::string& event, const std::string& message);

}  // namespace base
