#include "base/status.h"

namespace base {
namespace {

const std::string& Empty() {
  static const std::string empty;
  return empty;
}

}  // namespace

Status::Status(Code code, std::string message, std::string where)
    : state_(code == Code::kOk
                 ? nullptr
                 : std::make_unique<State>(State{code, std::move(message), std::move(where), {}})) {
}

Status::Status(const Status& other)
    : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
  return *this;
}

Status Status::FromProblems(Code code, std::vector<Problem> problems) {
  if (problems.empty() || code == Code::kOk) return Status();
  Status s(code, problems.front().message, problems.front().where);
  if (problems.size() > 1)
    s.state_->problems = std::move(problems);
  else
    s.state_->problems = {std::move(problems.front())};
  return s;
}

const std::string& Status::message() const { return state_ ? state_->message : Empty(); }
const std::string& Status::where() const { return state_ ? state_->where : Empty(); }

std::vector<Status::Problem> Status::problems() const {
  if (!state_) return {};
  if (!state_->problems.empty()) return state_->problems;
  return {Problem{{}, state_->message, state_->where}};
}

Status Status::Annotate(std::string_view context) const {
  if (!state_) return Status();
  Status s(*this);
  s.state_->message.insert(0, std::string(context) + ": ");
  for (auto& p : s.state_->problems) p.message.insert(0, std::string(context) + ": ");
  return s;
}

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "invalid argument";
    case Code::kNotFound:
      return "not found";
    case Code::kFailedPrecondition:
      return "failed precondition";
    case Code::kUnauthenticated:
      return "unauthenticated";
    case Code::kResourceExhausted:
      return "resource exhausted";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kDeadlineExceeded:
      return "deadline exceeded";
    case Code::kIoError:
      return "I/O error";
    case Code::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (!state_) return "OK";
  std::string out = std::string(CodeName(state_->code)) + ": " + state_->message;
  if (!state_->where.empty()) out += " (at " + state_->where + ")";
  return out;
}

}  // namespace base
