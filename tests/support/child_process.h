// A program (usually the real anakinra-cds binary) run as a child process for a test, its stdout
// and stderr collected by two reader threads.
//
// The child gets this process's environment without any ANAKINRA_* variable (so that a CI
// setting never leaks into a test), plus `env`, and `limits` (set between fork and exec, soft and
// hard; one that cannot be set is left as it was). Thread safety: WaitForStderr, Stderr and Stdout
// may be called from any thread; the rest from the owning thread. Ownership: the destructor
// kills (SIGKILL) a child still running and joins the readers. Errors: a failed pipe or fork
// aborts the test binary (nothing sensible can follow); a failed exec exits the child with 127.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace testing_support {

// A resource limit for the child (RLIMIT_FSIZE, RLIMIT_NOFILE, ...).
struct ResourceLimit {
  int resource;
  rlim_t value;
};

class ChildProcess {
 public:
  // argv[0] is the program's path.
  explicit ChildProcess(std::vector<std::string> argv, const std::vector<std::string>& env = {},
                        const std::vector<ResourceLimit>& limits = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits (bounded) until stderr contains `needle`.
  bool WaitForStderr(const std::string& needle,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The port of the first "SCHEME://HOST:PORT" after `marker` in stderr, once the server said
  // it is serving ("serving " for the CDS Hooks port, "governance page on " for the admin
  // one); -1 when it did not within 10 s.
  int PortAfter(const std::string& marker = "serving ");

  void Signal(int sig);
  // Exit code, or 128 + signal.
  int Wait();
  pid_t pid() const { return pid_; }

  std::string Stderr();
  std::string Stdout();

 private:
  void Read(int fd, std::string& into);

  pid_t pid_ = -1;
  bool exited_ = false;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::string stdout_, stderr_;
  std::vector<std::thread> readers_;
};

}  // namespace testing_support
