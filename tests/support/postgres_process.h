// A real PostgreSQL server (the Debian package's initdb/pg_ctl) in a temporary folder, for the
// store and scale-out tests: initdb with a generated superuser password (scram-sha-256), a loopback
// TCP port and a socket folder of its own, stopped and removed at the end. As root the server runs
// as the `postgres` user (else `nobody`) via runuser, the folder chowned to it: initdb refuses
// root.
//
// Thread safety: none (one test thread drives it). Ownership: owns the folder and the server.
// Errors: the constructor and the control calls throw std::runtime_error with the server log.
#pragma once

#include <string>
#include <vector>

namespace testing_support {

class PostgresProcess {
 public:
  // True when initdb, pg_ctl and postgres are installed (scripts/setup: postgresql); else `why`.
  static bool Available(std::string& why);

  PostgresProcess();  // initdb + start; throws on failure
  ~PostgresProcess();
  PostgresProcess(const PostgresProcess&) = delete;
  PostgresProcess& operator=(const PostgresProcess&) = delete;

  int port() const { return port_; }
  const std::string& password() const { return password_; }
  // postgresql://anakinra:PASSWORD@127.0.0.1:PORT/DB
  std::string Url(const std::string& db = "postgres") const;
  // CREATE DATABASE `name` (a fresh, empty one per test) and its URL.
  std::string CreateDatabase(const std::string& name);
  // Rows of `sql` on `db` as text (NULL as ""); throws on error.
  std::vector<std::vector<std::string>> Query(const std::string& db, const std::string& sql) const;

  void Stop();     // pg_ctl stop -m fast
  void Start();    // pg_ctl start (same port and data)
  void Restart();  // pg_ctl restart -m fast
  std::string Log() const;

 private:
  void Ctl(const std::string& action) const;
  std::string As(const std::string& command) const;  // runs as the server's user

  std::string bin_;
  std::string dir_;
  std::string user_;  // "" when not root
  std::string password_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace testing_support
