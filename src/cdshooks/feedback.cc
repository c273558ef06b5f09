#include "cdshooks/feedback.h"

#include "base/json.h"
#include "fhir/date.h"

namespace cdshooks {
namespace {

using Problems = std::vector<base::Status::Problem>;

void Fail(Problems& e, std::string kind, std::string diagnostics, std::string expression) {
  e.push_back(
      base::Status::Problem{std::move(kind), std::move(diagnostics), std::move(expression)});
}

base::Status Invalid(std::string kind, std::string diagnostics, std::string expression = {}) {
  Problems one;
  Fail(one, std::move(kind), std::move(diagnostics), std::move(expression));
  return base::Status::FromProblems(base::Status::Code::kInvalidArgument, std::move(one));
}

std::optional<std::string> RequiredString(const base::Json& obj, const char* name,
                                          const std::string& path, Problems& e) {
  const base::Json* v = base::Member(obj, name);
  if (v == nullptr) {
    Fail(e, "required", "Missing required field " + path + name + ".", path + name);
    return std::nullopt;
  }
  if (!v->IsString() || v->GetStringLength() == 0) {
    Fail(e, "structure", path + name + " must be a non-empty string.", path + name);
    return std::nullopt;
  }
  return std::string(v->GetString(), v->GetStringLength());
}

// RFC 3339 date-time with a time zone, as the spec requires for outcomeTimestamp.
bool IsTimestamp(std::string_view s) {
  if (s.size() < 20 || s[10] != 'T') return false;
  if (s.back() != 'Z' && s[s.size() - 6] != '+' && s[s.size() - 6] != '-') return false;
  return fhir::ParseDateTime(s).has_value();
}

// The problems of one entry (none: it is valid). `f` is filled with what could be read.
void JudgeEntry(const base::Json& item, const std::string& entry, Feedback& f, Problems& error) {
  if (!item.IsObject()) {
    Fail(error, "structure", entry + " must be an object.", entry);
    return;
  }
  const std::string path = entry + ".";
  auto card = RequiredString(item, "card", path, error);
  auto outcome = RequiredString(item, "outcome", path, error);
  auto timestamp = RequiredString(item, "outcomeTimestamp", path, error);
  if (card) f.card = *card;
  if (timestamp) {
    f.outcome_timestamp = *timestamp;
    if (!IsTimestamp(*timestamp))
      Fail(error, "value",
           path +
               "outcomeTimestamp must be an RFC 3339 date-time with a zone, e.g. "
               "2026-11-24T10:15:00Z.",
           path + "outcomeTimestamp");
  }
  if (outcome) {
    f.outcome = *outcome;
    if (f.outcome != "accepted" && f.outcome != "overridden")
      Fail(error, "value", path + "outcome must be \"accepted\" or \"overridden\".",
           path + "outcome");
  }
  if (const base::Json* accepted = base::Member(item, "acceptedSuggestions")) {
    if (!accepted->IsArray()) {
      Fail(error, "structure", path + "acceptedSuggestions must be an array.",
           path + "acceptedSuggestions");
    } else {
      rapidjson::SizeType j = 0;
      for (const auto& s : accepted->GetArray()) {
        const std::string where = path + "acceptedSuggestions[" + std::to_string(j++) + "]";
        auto id = s.IsObject() ? base::StringMember(s, "id") : std::nullopt;
        if (!id || id->empty()) {
          Fail(error, "structure", where + " must be an object with a suggestion uuid in id.",
               where);
        } else {
          f.accepted_suggestions.emplace_back(*id);
        }
      }
    }
  }
  if (f.outcome == "accepted" && f.accepted_suggestions.empty())
    Fail(error, "required", path + "acceptedSuggestions is required when outcome is accepted.",
         path + "acceptedSuggestions");
  if (const base::Json* reason = base::Member(item, "overrideReason")) {
    if (!reason->IsObject()) {
      Fail(error, "structure", path + "overrideReason must be an object.", path + "overrideReason");
    } else {
      const base::Json* coding = base::Member(*reason, "reason");
      if (coding != nullptr) {
        auto code = coding->IsObject() ? base::StringMember(*coding, "code") : std::nullopt;
        auto system = coding->IsObject() ? base::StringMember(*coding, "system") : std::nullopt;
        if (!code || !system) {
          Fail(error, "structure",
               path + "overrideReason.reason must be a Coding with system and code.",
               path + "overrideReason.reason");
        } else {
          f.override_reason =
              Coding{std::string(*system), std::string(*code),
                     std::string(base::StringMember(*coding, "display").value_or(""))};
        }
      }
      const base::Json* comment = base::Member(*reason, "userComment");
      if (comment != nullptr) {
        if (!comment->IsString())
          Fail(error, "structure", path + "overrideReason.userComment must be a string.",
               path + "overrideReason.userComment");
        else
          f.user_comment.assign(comment->GetString(), comment->GetStringLength());
      }
      if (coding == nullptr && comment == nullptr)
        Fail(error, "required", path + "overrideReason needs a reason or a userComment.",
             path + "overrideReason");
    }
  }
  if (f.outcome == "overridden" && !f.accepted_suggestions.empty())
    Fail(error, "invalid", path + "an overridden card cannot have acceptedSuggestions.",
         path + "acceptedSuggestions");
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
  rapidjson::SizeType i = 0;
  for (const auto& item : list->GetArray()) {
    Feedback f;
    mine.clear();
    JudgeEntry(item, "feedback[" + std::to_string(i++) + "]", f, mine);
    if (mine.empty()) {
      batch.valid.push_back(std::move(f));
      continue;
    }
    for (auto& p : mine) {
      if (batch.problems.size() < FeedbackBatch::kKeptProblems)
        batch.problems.push_back(std::move(p));
      else
        ++batch.unlisted;
    }
  }
  return batch;
}

}  // namespace cdshooks
