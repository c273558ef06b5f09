#include "support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

extern char** environ;

namespace testing_support {

ChildProcess::ChildProcess(std::vector<std::string> argv_s, const std::vector<std::string>& env,
                           const std::vector<ResourceLimit>& limits) {
  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::string(*e).rfind("ANAKINRA_", 0) != 0) env_s.emplace_back(*e);  // no leaks from CI
  env_s.insert(env_s.end(), env.begin(), env.end());
  std::vector<char*> argv, envp;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) std::abort();
  pid_ = fork();
  if (pid_ < 0) std::abort();
  if (pid_ == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (const auto& l : limits) {
      const rlimit r{l.value, l.value};
      setrlimit(l.resource, &r);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  readers_.emplace_back([this, fd = out[0]] { Read(fd, stdout_); });
  readers_.emplace_back([this, fd = err[0]] { Read(fd, stderr_); });
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    Wait();
  }
  for (auto& t : readers_)
    if (t.joinable()) t.join();
}

bool ChildProcess::WaitForStderr(const std::string& needle, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return stderr_.find(needle) != std::string::npos; });
}

int ChildProcess::PortAfter(const std::string& marker) {
  if (!WaitForStderr(marker)) return -1;
  if (!WaitForStderr("/cds-services (")) return -1;
  std::lock_guard<std::mutex> lock(mutex_);
  const auto scheme = stderr_.find("://", stderr_.find(marker) + marker.size());
  if (scheme == std::string::npos) return -1;
  const auto colon = stderr_.find(':', scheme + 3);
  if (colon == std::string::npos) return -1;
  return std::atoi(stderr_.c_str() + colon + 1);
}

void ChildProcess::Signal(int sig) {
  if (pid_ > 0 && !exited_) kill(pid_, sig);
}

int ChildProcess::Wait() {
  int status = 0;
  waitpid(pid_, &status, 0);
  exited_ = true;
  for (auto& t : readers_)
    if (t.joinable()) t.join();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ChildProcess::Stderr() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stderr_;
}

std::string ChildProcess::Stdout() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stdout_;
}

void ChildProcess::Read(int fd, std::string& into) {
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) {
    std::lock_guard<std::mutex> lock(mutex_);
    into.append(buf, static_cast<std::size_t>(n));
    cv_.notify_all();
  }
  close(fd);
}

}  // namespace testing_support
