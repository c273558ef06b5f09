// CLI11 options made from the settings table (config::Settings()): each setting's flag, help text,
// environment variable and default are written once, in src/config/config_file.cc.
//
// Thread safety: none (used by `main` before any thread starts). Ownership: the CLI::App keeps
// pointers into this object, which must outlive parsing and Given(). Errors: CLI11 checks only the
// number of values; their type and range are checked by config::ApplyFlags, naming the flag.
#pragma once

#include "config/config_file.h"

#include <CLI/CLI.hpp>

#include <list>
#include <string>
#include <vector>

namespace app {

class SettingFlags {
 public:
  // Adds an option to `app` for every setting of `scope` that has a flag.
  void Add(CLI::App& app, config::SettingScope scope);
  // Adds the option of the setting `key` (which must have a flag); `help` replaces its help text
  // when not empty.
  void AddOne(CLI::App& app, const char* key, const std::string& help = "");

  // Flags given on the command line, with their values.
  std::vector<config::FlagValues> Given() const;
  // The last value given for `key`'s flag, or `fallback` when it was not given.
  std::string Value(const char* key, const std::string& fallback) const;

 private:
  void AddSetting(CLI::App& app, const config::Setting& s, const std::string& help);

  std::list<config::FlagValues> flags_;  // a list: CLI11 holds pointers to the value vectors
};

}  // namespace app
