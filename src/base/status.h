// The one error currency of every layer, in the manner of LevelDB's util/status.h: a function
// that can fail returns a Status (or a StatusOr<T> when it also produces a value) instead of
// throwing, setting an out-parameter, or returning a sentinel.
//
// A Status is OK, or a code, a message for the person who must fix it, and optionally the place
// (a JSON path, a setting key, a file) it is about. Validation that finds several problems at
// once (a CDS Hooks request with three wrong fields) keeps each as a Problem, so the caller can
// report them all; the first one is also the Status's own message and place.
//
// The codes say what the caller can do about it, not which HTTP status it becomes: only the hook
// service and the HTTP layer translate them (service/hook_service.h, http/http_server.h).
//
// Cost: an OK Status is one null pointer (no allocation); copying an error copies its state.
// Thread safety: a Status is a value; distinct objects may be used from different threads, and a
// const Status may be read from several threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace base {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kInvalidArgument,     // the input is wrong: fix it and try again
    kNotFound,            // what was asked for does not exist
    kFailedPrecondition,  // the input is fine but something it needs is missing
    kUnauthenticated,     // the caller is not who it must be
    kResourceExhausted,   // a limit was reached (size, count, queue)
    kUnavailable,         // a dependency is down or unreachable: retrying later may work
    kDeadlineExceeded,    // the time allowed ran out
    kIoError,             // the disk or a file failed
    kInternal,            // a bug or a broken invariant
  };

  // One problem found by a validation (kind: a short tag chosen by the layer that validates,
  // e.g. "required" or "structure" for a CDS Hooks request).
  struct Problem {
    std::string kind;
    std::string message;
    std::string where;
  };

  Status() noexcept = default;  // OK
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&& other) noexcept = default;
  Status& operator=(Status&& other) noexcept = default;
  ~Status() = default;

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message, std::string where = {}) {
    return Status(Code::kInvalidArgument, std::move(message), std::move(where));
  }
  static Status NotFound(std::string message, std::string where = {}) {
    return Status(Code::kNotFound, std::move(message), std::move(where));
  }
  static Status FailedPrecondition(std::string message, std::string where = {}) {
    return Status(Code::kFailedPrecondition, std::move(message), std::move(where));
  }
  static Status Unauthenticated(std::string message) {
    return Status(Code::kUnauthenticated, std::move(message), {});
  }
  static Status ResourceExhausted(std::string message, std::string where = {}) {
    return Status(Code::kResourceExhausted, std::move(message), std::move(where));
  }
  static Status Unavailable(std::string message, std::string where = {}) {
    return Status(Code::kUnavailable, std::move(message), std::move(where));
  }
  static Status DeadlineExceeded(std::string message, std::string where = {}) {
    return Status(Code::kDeadlineExceeded, std::move(message), std::move(where));
  }
  static Status IoError(std::string message, std::string where = {}) {
    return Status(Code::kIoError, std::move(message), std::move(where));
  }
  static Status Internal(std::string message) {
    return Status(Code::kInternal, std::move(message), {});
  }
  // A validation's problems as one Status (OK when `problems` is empty); the first problem gives
  // the message and the place.
  static Status FromProblems(Code code, std::vector<Problem> problems);

  bool ok() const { return state_ == nullptr; }
  Code code() const { return state_ ? state_->code : Code::kOk; }
  // Empty for OK.
  const std::string& message() const;
  const std::string& where() const;
  // Every problem; a Status made without problems has one, from its message and place.
  std::vector<Problem> problems() const;

  // The same error with `context` in front of the message ("hooks/cards.json: ..."); OK stays OK.
  Status Annotate(std::string_view context) const;

  // "OK", or "<code name>: <message>" (with " (at <where>)" when there is a place).
  std::string ToString() const;
  static const char* CodeName(Code code);

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message() && a.where() == b.where();
  }

 private:
  struct State {
    Code code;
    std::string message;
    std::string where;
    std::vector<Problem> problems;  // empty, or two or more
  };
  Status(Code code, std::string message, std::string where);

  std::unique_ptr<State> state_;  // nullptr: OK
};

// A value, or the Status saying why there is none. Constructed from a T (OK) or from a non-OK
// Status (an OK Status here is a bug and becomes kInternal). value() on an error is a bug
// (checked by an assertion); test ok() first.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  StatusOr(Status status)                      // NOLINT(google-explicit-constructor)
      : v_(status.ok() ? Status::Internal("StatusOr made from an OK Status") : std::move(status)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  // OK when there is a value.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace base
