#include "support/postgres_process.h"

#include "support/live_server.h"
#include "support/test_support.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

namespace testing_support {
namespace {

namespace fs = std::filesystem;

// The newest /usr/lib/postgresql/N/bin holding initdb, pg_ctl and postgres; "" when none.
std::string FindBinDir() {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path bin = e.path() / "bin";
    if (fs::exists(bin / "initdb") && fs::exists(bin / "pg_ctl") && fs::exists(bin / "postgres"))
      found.push_back(bin.string());
  }
  std::sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return found.empty() ? "" : found.back();
}

std::string RandomPassword() {
  std::random_device rd;
  static const char kChars[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out = "pw-";
  for (int i = 0; i < 20; ++i) out.push_back(kChars[rd() % (sizeof kChars - 1)]);
  return out;
}

void Run(const std::string& command, const std::string& what, const std::string& log_file) {
  if (std::system(command.c_str()) != 0) {
    std::string log;
    std::error_code ec;
    if (fs::exists(log_file, ec)) log = ReadFile(log_file);
    throw std::runtime_error(what + " failed: " + command + "\n" + log);
  }
}

}  // namespace

bool PostgresProcess::Available(std::string& why) {
  if (!FindBinDir().empty()) return true;
  why =
      "PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb, pg_ctl, postgres) are not "
      "installed: run scripts/setup (Debian package postgresql)";
  return false;
}

PostgresProcess::PostgresProcess() : bin_(FindBinDir()), password_(RandomPassword()) {
  if (bin_.empty()) throw std::runtime_error("PostgreSQL binaries not found");
  char tmpl[] = "/tmp/anakinra-pg-XXXXXX";
  dir_ = mkdtemp(tmpl);
  if (geteuid() == 0) {
    user_ = getpwnam("postgres") != nullptr ? "postgres" : "nobody";
    const passwd* pw = getpwnam(user_.c_str());
    if (pw == nullptr || chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
      throw std::runtime_error("cannot hand " + dir_ + " to " + user_);
  }
  { std::ofstream(dir_ + "/pwfile") << password_ << "\n"; }
  if (!user_.empty()) Run("chown " + user_ + " " + dir_ + "/pwfile", "chown", "");
  port_ = FreePort();
  Run(As(bin_ + "/initdb -D " + dir_ + "/data -U anakinra --pwfile=" + dir_ +
         "/pwfile --auth=scram-sha-256 --no-sync -E UTF8 --locale=C > " + dir_ +
         "/initdb.log 2>&1"),
      "initdb", dir_ + "/initdb.log");
  Start();
}

PostgresProcess::~PostgresProcess() {
  if (running_) {
    std::system(
        As(bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop > /dev/null 2>&1").c_str());
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PostgresProcess::As(const std::string& command) const {
  if (user_.empty()) return "sh -c '" + command + "'";
  return "runuser -u " + user_ + " -- sh -c '" + command + "'";
}

void PostgresProcess::Ctl(const std::string& action) const {
  const std::string options = "-p " + std::to_string(port_) + " -k " + dir_ +
                              " -c listen_addresses=127.0.0.1 -c max_connections=60";
  Run(As(bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 60 -o \"" + options +
         "\" " + action + " > " + dir_ + "/ctl.log 2>&1"),
      "pg_ctl " + action, dir_ + "/server.log");
}

void PostgresProcess::Start() {
  Ctl("start");
  running_ = true;
}

void PostgresProcess::Stop() {
  Ctl("-m fast stop");
  running_ = false;
}

void PostgresProcess::Restart() {
  Ctl("-m fast restart");
  running_ = true;
}

std::string PostgresProcess::Log() const {
  std::error_code ec;
  return fs::exists(dir_ + "/server.log", ec) ? ReadFile(dir_ + "/server.log") : "";
}

std::string PostgresProcess::Url(const std::string& db) const {
  return "postgresql://anakinra:" + password_ + "@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

std::string PostgresProcess::CreateDatabase(const std::string& name) {
  Query("postgres", "CREATE DATABASE " + name);
  return Url(name);
}

std::vector<std::vector<std::string>> PostgresProcess::Query(const std::string& db,
                                                             const std::string& sql) const {
  PGconn* c = PQconnectdb(Url(db).c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot connect: " + why);
  }
  PGresult* r = PQexec(c, sql.c_str());
  const auto status = PQresultStatus(r);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    const std::string why = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
    throw std::runtime_error(sql + ": " + why);
  }
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < PQntuples(r); ++i) {
    std::vector<std::string> row;
    row.reserve(static_cast<std::size_t>(PQnfields(r)));
    for (int j = 0; j < PQnfields(r); ++j) row.emplace_back(PQgetvalue(r, i, j));
    rows.push_back(std::move(row));
  }
  PQclear(r);
  PQfinish(c);
  return rows;
}

}  // namespace testing_support
