// libFuzzer: the configuration file parser (config::ApplyConfigJson, the settings table) and the
// combination checks (CheckConfig, ExposureWarnings) on the input as a file's bytes.
//
// Invariants beyond "no crash":
// - a refused file changes nothing, and every problem names a key, a line:column or says what
//   is wrong with the whole file;
// - an accepted file gives every number within its setting's declared range, and reapplying the
//   settings as they were formatted (Setting::Format, what `config check` prints) gives the same
//   configuration again;
// - a key given twice is always refused (duplicate JSON keys are config errors).
#include "config/config_file.h"
#include "config/server_config.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

// Every setting's value as one JSON object, the way `config check` shows them.
std::string Formatted(const config::ServerConfig& c) {
  std::string out = "{";
  for (const auto& s : config::Settings()) {
    if (s.key == std::string_view("store_url")) continue;  // printed redacted
    if (out.size() > 1) out += ",";
    out += "\"" + std::string(s.key) + "\":" + s.Format(c);
  }
  return out + "}";
}

bool Same(const config::ServerConfig& a, const config::ServerConfig& b) {
  for (const auto& s : config::Settings())
    if (s.Format(a) != s.Format(b)) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  config::ServerConfig c;
  const base::Status status = config::ApplyConfigJson(text, c);
  if (!status.ok()) {
    Check(Same(c, config::ServerConfig{}));  // nothing applied
    Check(!status.problems().empty());
    for (const auto& p : status.problems()) Check(!p.message.empty());
    return 0;
  }
  for (const auto& s : config::Settings()) {
    if (!s.is_number()) continue;
    const std::string v = s.Format(c);
    const long long n = std::strtoll(v.c_str(), nullptr, 10);
    Check(n >= s.min && n <= s.max);
  }
  // What was read is what `config check` prints, and reading that gives the same again.
  config::ServerConfig again;
  again.store_url = c.store_url;
  Check(config::ApplyConfigJson(Formatted(c), again).ok());
  Check(Same(c, again));
  // A key given twice is refused, whichever value it has.
  const std::string formatted = Formatted(c);
  const auto comma = formatted.find(',');
  config::ServerConfig d;
  Check(!config::ApplyConfigJson(formatted.substr(0, comma) + "," + formatted.substr(1), d).ok());
  (void)config::CheckConfig(c);
  (void)config::ExposureWarnings(c);
  (void)config::AdminPort(c);
  return 0;
}
