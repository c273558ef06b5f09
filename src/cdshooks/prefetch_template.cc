#include "cdshooks/prefetch_template.h"

#include "cdshooks/fhirpath_token.h"

#include <cctype>
#include <cstring>

namespace cdshooks {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Characters that may stand literally in a URL path or query (RFC 3986 reserved + unreserved, and
// '%' for text that is already encoded).
bool IsUrlChar(unsigned char c) {
  return IsUnreserved(c) || (c != 0 && std::strchr(":/?#[]@!$&'()*+,;=%", c) != nullptr);
}

void AppendEncoded(std::string& out, unsigned char c) {
  static const char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// context.userId is "Type/id"; returns the id when the type matches, or explains why not.
std::optional<std::string> UserIdOfType(const Request& request, std::string_view type,
                                        std::string_view token, std::string& why) {
  const std::string& user = request.user_id;
  const auto slash = user.find('/');
  if (user.empty() || slash == std::string::npos || slash + 1 >= user.size()) {
    why = "token {{" + std::string(token) +
          "}} has no value: context.userId is not of the form Type/id";
    return std::nullopt;
  }
  if (std::string_view(user).substr(0, slash) != type) {
    why = "token {{" + std::string(token) + "}} has no value: context.userId is a " +
          user.substr(0, slash) + ", not a " + std::string(type);
    return std::nullopt;
  }
  return user.substr(slash + 1);
}

// A FHIR relative reference "Type/id" whose parts are a resource type name and a FHIR id
// ([A-Za-z0-9-.]{1,64}): it may stand in a URL as it is (the CDS Hooks example
// "{{context.userId}}" reads PractitionerRole/123), and cannot add a segment or a query.
bool IsPlainReference(std::string_view ref) {
  const auto slash = ref.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  const std::string_view type = ref.substr(0, slash), id = ref.substr(slash + 1);
  if (!(type[0] >= 'A' && type[0] <= 'Z')) return false;
  for (char c : type)
    if (!std::isalpha(static_cast<unsigned char>(c))) return false;
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  return id != "." && id.find("..") == std::string_view::npos;
}

// The token's value, percent-encoded for the URL (a plain userId reference stays as it is).
std::optional<std::string> EncodedTokenValue(std::string_view token, const Request& request,
                                             std::optional<fhir::EpochSeconds> reference_time,
                                             std::string& why, bool& bad_template);

std::optional<std::string> TokenValue(std::string_view token, const Request& request,
                                      std::string& why) {
  auto from_context = [&](const std::string& value,
                          std::string_view field) -> std::optional<std::string> {
    if (value.empty()) {
      why = "token {{" + std::string(token) + "}} has no value: the request's context has no " +
            std::string(field);
      return std::nullopt;
    }
    return value;
  };
  if (token == "context.patientId") return from_context(request.patient_id, "patientId");
  if (token == "context.userId") return from_context(request.user_id, "userId");
  if (token == "context.encounterId") return from_context(request.encounter_id, "encounterId");
  if (token == "userPractitionerId") return UserIdOfType(request, "Practitioner", token, why);
  if (token == "userPractitionerRoleId")
    return UserIdOfType(request, "PractitionerRole", token, why);
  if (token == "userPatientId") return UserIdOfType(request, "Patient", token, why);
  if (token == "userRelatedPersonId") return UserIdOfType(request, "RelatedPerson", token, why);
  why = "token {{" + std::string(token) +
        "}} is not a CDS Hooks 2.0 prefetch token this service fills";
  return std::nullopt;
}

std::optional<std::string> EncodedTokenValue(std::string_view token, const Request& request,
                                             std::optional<fhir::EpochSeconds> reference_time,
                                             std::string& why, bool& bad_template) {
  if (IsFhirPathToken(token)) {
    auto value = EvaluateFhirPathToken(token, request, reference_time);
    if (value.ok()) return std::move(*value);
    bad_template = value.status().code() == base::Status::Code::kInvalidArgument;
    why = value.status().message();
    return std::nullopt;
  }
  auto value = TokenValue(token, request, why);
  if (!value) return std::nullopt;
  if (token == "context.userId" && IsPlainReference(*value)) return value;
  return PercentEncode(*value);
}

}  // namespace

std::string PercentEncode(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if (IsUnreserved(c))
      out += static_cast<char>(c);
    else
      AppendEncoded(out, c);
  }
  return out;
}

base::StatusOr<ExpandedTemplate> ExpandPrefetchTemplate(
    std::string_view tmpl, const Request& request,
    std::optional<fhir::EpochSeconds> reference_time) {
  ExpandedTemplate result;
  std::string& out = result.query;
  std::size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl.compare(i, 2, "{{") == 0) {
      const auto end = tmpl.find("}}", i + 2);
      if (end == std::string_view::npos) {
        return base::Status::InvalidArgument("the template has a \"{{\" without a closing \"}}\"");
      }
      std::string_view token = tmpl.substr(i + 2, end - i - 2);
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
      std::string why;
      bool bad_template = false;
      auto value = EncodedTokenValue(token, request, reference_time, why, bad_template);
      if (!value)
        return bad_template ? base::Status::InvalidArgument(std::move(why))
                            : base::Status::FailedPrecondition(std::move(why));
      out += *value;
      i = end + 2;
      continue;
    }
    const auto c = static_cast<unsigned char>(tmpl[i]);
    if (c == '#') {
      return base::Status::InvalidArgument("the template contains a fragment ('#')");
    }
    if (IsUrlChar(c))
      out += static_cast<char>(c);
    else
      AppendEncoded(out, c);
    ++i;
  }
  while (!out.empty() && out.front() == '/') out.erase(0, 1);
  const auto path_end = out.find('?');
  const std::string path = out.substr(0, path_end);
  if (path.empty() || path.find(':') != std::string::npos) {
    return base::Status::InvalidArgument("the template is not a relative FHIR URL");
  }
  const auto slash = path.find('/');
  result.resource_type = path.substr(0, slash);
  // "Type?query" and "Type" are searches; "Type/id" is a read.
  result.search = slash == std::string::npos;
  if (result.resource_type.empty() || result.resource_type == "." || result.resource_type == "..") {
    return base::Status::InvalidArgument("the template does not start with a resource type");
  }
  for (std::size_t p = 0; p < path.size();) {  // no dot segments: they could climb the base
    const auto next = path.find('/', p);
    const std::string seg =
        path.substr(p, next == std::string::npos ? std::string::npos : next - p);
    if (seg == "." || seg == ".." || seg.empty()) {
      return base::Status::InvalidArgument("the template's path has an empty or dot segment");
    }
    if (next == std::string::npos) break;
    p = next + 1;
  }
  return result;
}

}  // namespace cdshooks
