#include "cdshooks/request.h"

#include "base/ascii.h"

#include "cdshooks/prefetch_assess.h"
#include "fhir/resource.h"

namespace cdshooks {
namespace {

// Collects every problem of a request (kind: the OperationOutcome issue code the 400 answer
// carries; where: its expression).
class Checker {
 public:
  void Fail(std::string kind, std::string diagnostics, std::string expression) {
    problems_.push_back(
        base::Status::Problem{std::move(kind), std::move(diagnostics), std::move(expression)});
  }

  // Reads a required (or optional) non-empty string member into `out`.
  void String(const base::Json& obj, const char* name, const std::string& path, bool required,
              std::string& out) {
    const base::Json* v = base::Member(obj, name);
    const std::string where = path + name;
    if (v == nullptr) {
      if (required) Fail("required", "Missing required field " + where + ".", where);
      return;
    }
    if (!v->IsString()) {
      Fail("structure", where + " must be a string.", where);
      return;
    }
    if (v->GetStringLength() == 0) {
      Fail("value", where + " must not be empty.", where);
      return;
    }
    out.assign(v->GetString(), v->GetStringLength());
  }

  // A 400 problem when `obj` has a member name twice ("context.userId").
  void Unique(const base::Json& obj, const std::string& path) {
    if (auto twice = base::DuplicateKey(obj)) {
      const std::string where = path + std::string(*twice);
      Fail("structure", where + " is given more than once (duplicate JSON key).", where);
    }
  }

  bool failed() const { return !problems_.empty(); }
  base::Status take() {
    return base::Status::FromProblems(base::Status::Code::kInvalidArgument, std::move(problems_));
  }

 private:
  std::vector<base::Status::Problem> problems_;
};

bool IsHttpUrl(std::string_view url) {
  auto rest = [&](std::string_view scheme) {
    return url.size() > scheme.size() && url.substr(0, scheme.size()) == scheme;
  };
  return rest("https://") || rest("http://");
}

// One problem of a 400 answer.
base::Status Invalid(std::string kind, std::string diagnostics, std::string expression = {}) {
  return base::Status::FromProblems(
      base::Status::Code::kInvalidArgument,
      {base::Status::Problem{std::move(kind), std::move(diagnostics), std::move(expression)}});
}

}  // namespace

PrefetchValue Request::Prefetch(std::string_view key) const {
  auto it = prefetch.find(key);
  return it == prefetch.end() ? PrefetchValue{} : it->second;
}

void Request::SetPrefetch(const std::string& key, std::shared_ptr<rapidjson::Document> doc) {
  PrefetchValue assessed = AssessPrefetch(*doc);
  SetPrefetch(key, std::move(doc), std::move(assessed));
}

void Request::SetPrefetch(const std::string& key, std::shared_ptr<rapidjson::Document> doc,
                          PrefetchValue assessed) {
  prefetch[key] = std::move(assessed);
  extra_documents.push_back(std::move(doc));
}

void Request::AddFetchedResource(std::shared_ptr<rapidjson::Document> doc) {
  fetched_resources.push_back(doc.get());
  extra_documents.push_back(std::move(doc));
}

base::Status ParseRequest(std::string_view body, const ServiceDefinition& service,
                          const ParseLimits& limits, Request& out) {
  // Parsed in place: the document's strings point into a copy of the body that lives (and dies)
  // with the document, so no string is copied twice.
  struct Parsed {
    std::string text;
    rapidjson::Document doc;
  };
  auto parsed = std::make_shared<Parsed>();
  // NUL-padded: the parser reads whole aligned 16-byte blocks and stops at the first NUL.
  parsed->text.reserve(body.size() + 16);
  parsed->text.assign(body);
  parsed->text.append(16, '\0');
  std::shared_ptr<rapidjson::Document> doc(parsed, &parsed->doc);
  if (base::Status e = base::ParseJsonInsitu(parsed->text.data(), limits.max_depth, *doc); !e.ok())
    return Invalid("structure", "The request body is not valid JSON: " + e.message() + ".");
  return ReadRequest(std::move(doc), service, out);
}

base::Status ReadRequest(std::shared_ptr<rapidjson::Document> doc, const ServiceDefinition& service,
                         Request& out) {
  const base::Json& root = *doc;
  if (!root.IsObject()) return Invalid("structure", "The request body must be a JSON object.");
  Checker check;
  // A key given twice in the envelope is ambiguous (one reader takes the first, another the
  // last): a broken envelope. Inside a FHIR resource it makes the resource unreadable instead
  // (AssessPrefetch; a draft order's dose: the fact reader), never a 400.
  check.Unique(root, "");
  check.String(root, "hook", "", true, out.hook);
  check.String(root, "hookInstance", "", true, out.hook_instance);
  check.String(root, "fhirServer", "", false, out.fhir_server);
  if (!out.hook.empty() && out.hook != service.hook)
    check.Fail("invalid",
               "hook \"" + out.hook + "\" does not match service " + service.id +
                   ", which answers \"" + service.hook + "\".",
               "hook");
  if (!out.fhir_server.empty() && !IsHttpUrl(out.fhir_server))
    check.Fail("value", "fhirServer must be an absolute http(s) URL.", "fhirServer");

  if (const base::Json* auth = base::Member(root, "fhirAuthorization")) {
    if (!auth->IsObject()) {
      check.Fail("structure", "fhirAuthorization must be an object.", "fhirAuthorization");
    } else {
      FhirAuthorization a;
      const std::string p = "fhirAuthorization.";
      check.Unique(*auth, p);
      check.String(*auth, "access_token", p, true, a.access_token);
      check.String(*auth, "token_type", p, true, a.token_type);
      check.String(*auth, "scope", p, true, a.scope);
      check.String(*auth, "subject", p, true, a.subject);
      check.String(*auth, "patient", p, false, a.patient);
      // RFC 6749 section 5.1: the token type is case-insensitive ("bearer" is common).
      if (!a.token_type.empty() && !base::EqualsIgnoreCase(a.token_type, "Bearer"))
        check.Fail("value", "fhirAuthorization.token_type must be \"Bearer\".",
                   "fhirAuthorization.token_type");
      if (!a.token_type.empty()) a.token_type = "Bearer";
      const base::Json* expires = base::Member(*auth, "expires_in");
      if (expires == nullptr) {
        check.Fail("required", "Missing required field fhirAuthorization.expires_in.",
                   "fhirAuthorization.expires_in");
      } else if (!expires->IsNumber()) {
        check.Fail("structure", "fhirAuthorization.expires_in must be a number of seconds.",
                   "fhirAuthorization.expires_in");
      } else {
        a.expires_in = static_cast<std::int64_t>(expires->GetDouble());
      }
      if (out.fhir_server.empty())
        check.Fail("required", "fhirServer is required when fhirAuthorization is given.",
                   "fhirServer");
      out.fhir_authorization = std::move(a);
    }
  }

  const base::Json* context = base::Member(root, "context");
  if (context == nullptr) {
    check.Fail("required", "Missing required field context.", "context");
  } else if (!context->IsObject()) {
    check.Fail("structure", "context must be an object.", "context");
  } else {
    check.Unique(*context, "context.");
    check.String(*context, "userId", "context.", true, out.user_id);
    check.String(*context, "patientId", "context.", true, out.patient_id);
    // encounterId is optional and no rule needs it: a wrong-typed or empty one is read as absent
    // (its prefetch token then has no value), never a 400 (policy v2 section 0).
    if (auto encounter = base::StringMember(*context, "encounterId"))
      out.encounter_id = std::string(*encounter);
    const base::Json* drafts = base::Member(*context, "draftOrders");
    if (service.hook == "patient-view") {
      // No draft orders in this hook's context (CDS Hooks patient-view: patientId, userId,
      // encounterId); any sent are ignored.
    } else if (drafts == nullptr) {
      check.Fail("required", "Missing required field context.draftOrders (a FHIR Bundle).",
                 "context.draftOrders");
    } else if (!drafts->IsObject() || fhir::ResourceType(*drafts) != "Bundle") {
      check.Fail("structure", "context.draftOrders must be a FHIR Bundle.", "context.draftOrders");
    } else if (const base::Json* entry = base::Member(*drafts, "entry");
               entry != nullptr && !entry->IsArray()) {
      check.Fail("structure", "context.draftOrders.entry must be an array.",
                 "context.draftOrders.entry");
    } else {
      // The Bundle and its entries are the envelope (which resource is a draft); what is inside
      // an entry's resource is not.
      check.Unique(*drafts, "context.draftOrders.");
      if (entry != nullptr)
        for (rapidjson::SizeType i = 0; i < entry->Size(); ++i)
          if (base::DuplicateKey((*entry)[i]))  // the path is made only for a mistake
            check.Unique((*entry)[i], "context.draftOrders.entry[" + std::to_string(i) + "].");
      out.draft_orders = drafts;
    }
    if (service.hook == "order-select") {
      const base::Json* sel = base::Member(*context, "selections");
      if (sel == nullptr) {
        check.Fail("required",
                   "Missing required field context.selections (ids of the selected orders).",
                   "context.selections");
      } else if (!sel->IsArray() || sel->Empty()) {
        check.Fail("structure", "context.selections must be a non-empty array of strings.",
                   "context.selections");
      } else {
        rapidjson::SizeType i = 0;
        for (const auto& s : sel->GetArray()) {
          const std::string where = "context.selections[" + std::to_string(i++) + "]";
          if (!s.IsString() || s.GetStringLength() == 0) {
            check.Fail("structure", where + " must be a reference such as MedicationRequest/123.",
                       where);
          } else {
            out.selections.emplace_back(s.GetString(), s.GetStringLength());
          }
        }
      }
    }
  }

  if (out.draft_orders != nullptr) {
    for (std::size_t i = 0; i < out.selections.size(); ++i) {
      const std::string& sel = out.selections[i];
      bool found = false;
      fhir::ForEachResource(out.draft_orders, [&](const base::Json& r) {
        const std::string key = fhir::ReferenceKey(r);
        found = found || key == sel || (!key.empty() && fhir::ResourceId(r) == sel);
      });
      if (!found) {
        const std::string where = "context.selections[" + std::to_string(i) + "]";
        check.Fail("not-found", where + " \"" + sel + "\" names no order in context.draftOrders.",
                   where);
      }
    }
  }

  // Prefetch: never a 400 (policy v2 §0). Keys the service does not declare are ignored (so the
  // spec's own erratum "user": "123" breaks nothing); each declared key is assessed in one place.
  if (const base::Json* prefetch = base::Member(root, "prefetch")) {
    if (!prefetch->IsObject()) {
      for (const auto& [key, tmpl] : service.prefetch)
        out.prefetch[key] = PrefetchValue{
            PrefetchState::kFailed, nullptr, {}, "the request's prefetch is not an object"};
    } else {
      for (const auto& m : prefetch->GetObject()) {
        std::string key(m.name.GetString(), m.name.GetStringLength());
        auto tmpl = service.prefetch.find(key);
        if (tmpl == service.prefetch.end()) continue;  // not ours: ignored
        AssessOptions options;
        options.sorted_by_date = SortedByDate(tmpl->second);
        auto [it, first] = out.prefetch.emplace(std::move(key), AssessPrefetch(m.value, options));
        // Sent twice: which value is meant is unknown, so neither is read (a missing key).
        if (!first)
          it->second = PrefetchValue{PrefetchState::kFailed, nullptr, {}, "the key is sent twice"};
      }
    }
  }

  if (check.failed()) return check.take();
  out.document = std::move(doc);
  return base::Status::Ok();
}

}  // namespace cdshooks
