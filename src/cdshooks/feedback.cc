#include "cdshooks/feedback.h"

#include "base/json.h"
#include "fhir/date.h"

namespace cdshooks {
namespace {

using Problems = std::vector<base::Status::Problem>;

base::Status Invalid(std::string kind, std::string diagnostics, std::string expression = {}) {
  return base::Status::FromProblems(
      base::Status::Code::kInvalidArgument,
      {base::Status::Problem{std::move(kind), std::move(diagnostics), std::move(expression)}});
}

// The verdict on one entry: how many problems it has and, while the batch still keeps problems
// (`keep` set), each one with its expression and message. Without `keep` no string is built, so a
// body of a million bad entries costs about what parsing it costs.
class Verdict {
 public:
  Verdict(std::size_t index, Problems* keep) : index_(index), keep_(keep) {}

  // A problem of the entry's `field` ("" for the entry itself): the expression is
  // feedback[i].field, the message that expression followed by `text`.
  void Fail(const char* kind, std::string_view field, std::string_view text) {
    ++count_;
    if (keep_ == nullptr) return;
    std::string where = "feedback[" + std::to_string(index_) + "]";
    if (!field.empty()) where.append(".").append(field);
    std::string message = where;
    message.append(text);
    keep_->push_back(base::Status::Problem{kind, std::move(message), std::move(where)});
  }
  bool detailed() const { return keep_ != nullptr; }
  std::size_t count() const { return count_; }

 private:
  std::size_t index_;
  Problems* keep_;
  std::size_t count_ = 0;
};

std::optional<std::string_view> RequiredString(const base::Json& obj, const char* name,
                                               Verdict& v) {
  const base::Json* value = base::Member(obj, name);
  if (value == nullptr) {
    v.Fail("required", name, " is required.");
    return std::nullopt;
  }
  if (!value->IsString() || value->GetStringLength() == 0) {
    v.Fail("structure", name, " must be a non-empty string.");
    return std::nullopt;
  }
  return std::string_view(value->GetString(), value->GetStringLength());
}

// RFC 3339 date-time with a time zone, as the spec requires for outcomeTimestamp.
bool IsTimestamp(std::string_view s) {
  if (s.size() < 20 || s[10] != 'T') return false;
  if (s.back() != 'Z' && s[s.size() - 6] != '+' && s[s.size() - 6] != '-') return false;
  return fhir::ParseDateTime(s).has_value();
}

// Judges one entry into `v`; `f` is filled with what could be read.
void JudgeEntry(const base::Json& item, Feedback& f, Verdict& v) {
  if (!item.IsObject()) {
    v.Fail("structure", "", " must be an object.");
    return;
  }
  auto card = RequiredString(item, "card", v);
  auto outcome = RequiredString(item, "outcome", v);
  auto timestamp = RequiredString(item, "outcomeTimestamp", v);
  if (card) f.card = *card;
  if (timestamp) {
    f.outcome_timestamp = *timestamp;
    if (!IsTimestamp(*timestamp))
      v.Fail("value", "outcomeTimestamp",
             " must be an RFC 3339 date-time with a zone, e.g. 2026-11-24T10:15:00Z.");
  }
  if (outcome) {
    f.outcome = *outcome;
    if (f.outcome != "accepted" && f.outcome != "overridden")
      v.Fail("value", "outcome", " must be \"accepted\" or \"overridden\".");
  }
  if (const base::Json* accepted = base::Member(item, "acceptedSuggestions")) {
    if (!accepted->IsArray()) {
      v.Fail("structure", "acceptedSuggestions", " must be an array.");
    } else {
      rapidjson::SizeType j = 0;
      for (const auto& s : accepted->GetArray()) {
        auto id = s.IsObject() ? base::StringMember(s, "id") : std::nullopt;
        if (!id || id->empty())
          v.Fail("structure",
                 v.detailed() ? "acceptedSuggestions[" + std::to_string(j) + "]" : std::string(),
                 " must be an object with a suggestion uuid in id.");
        else
          f.accepted_suggestions.emplace_back(*id);
        ++j;
      }
    }
  }
  if (f.outcome == "accepted" && f.accepted_suggestions.empty())
    v.Fail("required", "acceptedSuggestions", " is required when outcome is accepted.");
  if (const base::Json* reason = base::Member(item, "overrideReason")) {
    if (!reason->IsObject()) {
      v.Fail("structure", "overrideReason", " must be an object.");
    } else {
      const base::Json* coding = base::Member(*reason, "reason");
      if (coding != nullptr) {
        auto code = coding->IsObject() ? base::StringMember(*coding, "code") : std::nullopt;
        auto system = coding->IsObject() ? base::StringMember(*coding, "system") : std::nullopt;
        if (!code || !system)
          v.Fail("structure", "overrideReason.reason", " must be a Coding with system and code.");
        else
          f.override_reason =
              Coding{std::string(*system), std::string(*code),
                     std::string(base::StringMember(*coding, "display").value_or(""))};
      }
      const base::Json* comment = base::Member(*reason, "userComment");
      if (comment != nullptr) {
        if (!comment->IsString())
          v.Fail("structure", "overrideReason.userComment", " must be a string.");
        else
          f.user_comment.assign(comment->GetString(), comment->GetStringLength());
      }
      if (coding == nullptr && comment == nullptr)
        v.Fail("required", "overrideReason", " needs a reason or a userComment.");
    }
  }
  if (f.outcome == "overridden" && !f.accepted_suggestions.empty())
    v.Fail("invalid", "acceptedSuggestions", " must be absent when outcome is overridden.");
}

}  // namespace

base::StatusOr<FeedbackBatch> ParseFeedback(std::string_view body, std::size_t max_depth) {
  rapidjson::Document doc;
  if (base::Status e = base::ParseJson(body, max_depth, doc); !e.ok())
    return Invalid("structure", "The feedback body is not valid JSON: " + e.message() + ".");
  const base::Json* list = doc.IsObject() ? base::Member(doc, "feedback") : nullptr;
  if (list == nullptr || !list->IsArray() || list->Empty())
    return Invalid("structure",
                   "The feedback body must be an object with a non-empty \"feedback\" array.",
                   "feedback");
  FeedbackBatch batch;
  batch.total = list->Size();
  Problems mine;
  std::size_t i = 0;
  for (const auto& item : list->GetArray()) {
    Feedback f;
    mine.clear();
    const bool keep = batch.problems.size() < FeedbackBatch::kKeptProblems;
    Verdict v(i++, keep ? &mine : nullptr);
    JudgeEntry(item, f, v);
    if (v.count() == 0) {
      batch.valid.push_back(std::move(f));
      continue;
    }
    std::size_t kept = 0;
    for (auto& p : mine) {
      if (batch.problems.size() == FeedbackBatch::kKeptProblems) break;
      batch.problems.push_back(std::move(p));
      ++kept;
    }
    batch.unlisted += v.count() - kept;
  }
  return batch;
}

}  // namespace cdshooks
