// A fixed set of worker threads that run submitted tasks in the order they were submitted
// (the FHIR fetcher's bounded fetch pool, fetch/fhir_fetcher.h).
//
// Thread safety: Submit() may be called from any thread, also from a task. Ownership: the pool
// owns its threads; the destructor runs the tasks still queued, then joins every worker, so it
// must not run on one of the pool's own workers (a task must not hold the last reference to the
// pool's owner). Errors: none; a task must not throw (an exception escaping a task terminates the
// process, as from any std::thread).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace base {

class ThreadPool {
 public:
  // Starts `threads` workers (at least one).
  explicit ThreadPool(std::size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `task`; a free worker runs it. The queue is not bounded: callers bound their work
  // (the fetcher's tasks end at once when their request's deadline has passed).
  void Submit(std::function<void()> task);

  std::size_t size() const { return workers_.size(); }

 private:
  void Work();

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace base
