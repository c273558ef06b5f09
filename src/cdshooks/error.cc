#include "cdshooks/error.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace cdshooks {

std::string OperationOutcomeJson(const std::vector<Issue>& issues) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("resourceType");
  w.String("OperationOutcome");
  w.Key("issue");
  w.StartArray();
  for (const Issue& issue : issues) {
    w.StartObject();
    w.Key("severity");
    w.String(issue.severity.c_str());
    w.Key("code");
    w.String(issue.code.c_str());
    if (!issue.diagnostics.empty()) {
      w.Key("diagnostics");
      w.String(issue.diagnostics.c_str(),
               static_cast<rapidjson::SizeType>(issue.diagnostics.size()));
    }
    if (!issue.expression.empty()) {
      w.Key("expression");
      w.StartArray();
      w.String(issue.expression.c_str(), static_cast<rapidjson::SizeType>(issue.expression.size()));
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace cdshooks
