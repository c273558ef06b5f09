#include "base/log.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace base {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_mutex;

// UTC, millisecond precision: 2026-12-02T00:31:05.123Z.
std::string Now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return text;
}

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "info";
}

void Emit(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

using LineWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Opens a line's object with the fields every line has: time, level, event.
void BeginLine(LineWriter& w, LogLevel level, const char* event) {
  w.StartObject();
  w.Key("time");
  w.String(Now().c_str());
  w.Key("level");
  w.String(LevelName(level));
  w.Key("event");
  w.String(event);
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = level; }

bool ParseLogLevel(const std::string& name, LogLevel& out) {
  for (LogLevel l :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError, LogLevel::kOff})
    if (name == LevelName(l)) {
      out = l;
      return true;
    }
  return false;
}

namespace {
LogLevel RequestLevel(int status) {
  return status >= 500 ? LogLevel::kError : status >= 400 ? LogLevel::kWarn : LogLevel::kInfo;
}
}  // namespace

bool RequestLogged(int status) { return RequestLevel(status) >= g_level.load(); }

void LogRequest(const RequestLogEntry& e) {
  const LogLevel level = RequestLevel(e.status);
  if (level < g_level.load()) return;
  rapidjson::StringBuffer buf;
  LineWriter w(buf);
  BeginLine(w, level, "request");
  w.Key("method");
  w.String(e.method.c_str());
  w.Key("route");
  w.String(e.route.c_str());
  w.Key("status");
  w.Int(e.status);
  w.Key("latency_ms");
  w.Double(static_cast<double>(static_cast<long long>(e.latency_ms * 1000)) / 1000);
  if (!e.service.empty()) {
    w.Key("service");
    w.String(e.service.c_str());
  }
  if (!e.hook_instance.empty()) {
    w.Key("hookInstance");
    w.String(e.hook_instance.c_str());
  }
  if (!e.card_codes.empty()) {
    w.Key("cards");
    w.StartArray();
    for (const auto& c : e.card_codes) w.String(c.c_str());
    w.EndArray();
  }
  if (!e.feedback.empty()) {
    w.Key("feedback");
    w.StartArray();
    for (const auto& [code, outcome] : e.feedback) {
      w.StartObject();
      w.Key("card");
      w.String(code.c_str());
      w.Key("outcome");
      w.String(outcome.c_str());
      w.EndObject();
    }
    w.EndArray();
  }
  if (!e.message.empty()) {
    w.Key("message");
    w.String(e.message.c_str());
  }
  w.EndObject();
  Emit(buf.GetString());
}

void LogEvent(LogLevel level, const std::string& event, const std::string& message) {
  if (level < g_level.load()) return;
  rapidjson::StringBuffer buf;
  LineWriter w(buf);
  BeginLine(w, level, event.c_str());
  w.Key("message");
  w.String(message.c_str());
  w.EndObject();
  Emit(buf.GetString());
}

}  // namespace base
