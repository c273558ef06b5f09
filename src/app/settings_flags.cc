#include "app/settings_flags.h"

namespace app {

void SettingFlags::Add(CLI::App& app, config::SettingScope scope) {
  for (const auto& s : config::Settings())
    if (s.scope == scope && *s.flag != '\0') AddSetting(app, s, s.help);
}

void SettingFlags::AddOne(CLI::App& app, const char* key, const std::string& help) {
  const config::Setting* s = config::FindSetting(key);
  if (s == nullptr || *s->flag == '\0') throw CLI::BadNameString(std::string("no flag for ") + key);
  AddSetting(app, *s, help.empty() ? std::string(s->help) : help);
}

void SettingFlags::AddSetting(CLI::App& app, const config::Setting& s, const std::string& help) {
  config::FlagValues& f = flags_.emplace_back(config::FlagValues{&s, {}});
  std::string text = help + " [" + s.key + ", " + s.env() + "]";
  if (s.is_number()) text += " (" + s.range() + ")";
  if (s.is_list()) text += " (repeatable)";
  CLI::Option* option = app.add_option(s.flag, f.values, text);
  option->type_name(s.is_number() ? "INT" : "TEXT");
  if (!s.is_list()) option->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  const std::string def = s.default_value();
  if (def != "\"\"" && def != "[]") option->default_str(def);
}

std::vector<config::FlagValues> SettingFlags::Given() const {
  std::vector<config::FlagValues> out;
  for (const auto& f : flags_)
    if (!f.values.empty()) out.push_back(f);
  return out;
}

std::string SettingFlags::Value(const char* key, const std::string& fallback) const {
  for (const auto& f : flags_)
    if (std::string_view(f.setting->key) == key && !f.values.empty()) return f.values.back();
  return fallback;
}

}  // namespace app
