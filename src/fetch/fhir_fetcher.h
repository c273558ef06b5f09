// Fetches the prefetch keys a request lacks from the client's fhirServer (CDS Hooks 2.0: "the
// service ... [retrieves] any additional necessary data"; 412 when it cannot).
//
// - Only allowlisted servers are contacted (--allow-fhir-server; default: loopback only). A
//   disallowed fhirServer is refused before any network access.
// - The keys of one request are fetched in parallel, under ONE deadline for the whole request:
//   connection, read and write timeouts come from the time left, and at the deadline the fetcher
//   stops waiting and shuts the sockets still open.
// - Every GET goes through net::HttpClient (net/http_client.h): https with certificate and host
//   name verification (CA bundle: --fhir-ca-file or the system's), a size cap, no redirects.
// - Accept: application/fhir+json; Authorization: Bearer <access_token> only when the request has
//   fhirAuthorization, and only to the fhirServer origin. Redirects are never followed.
// - searchset `next` links are followed on the same origin only (and only when allowlisted), up to
//   max_pages pages, and the pages are merged into one Bundle. A key the client sent incomplete
//   (a page with a `next` link) is completed the same way, starting from the client's page.
// - Every page is classified by cdshooks::AssessPrefetch, the one place that decides
//   completeness: a date-sorted search stops once it reaches past the cutoff; an OperationOutcome
//   entry of severity error/fatal is a failed query. Pages that cannot be followed (limit, refused
//   link, failure after the first page) leave the key kIncomplete with the entries merged so far.
// - Medication/{id} references are read from the fhirServer and added with AddFetchedResource;
//   one that cannot be had is counted (FetchResult::unresolved_medications) and logged without
//   its id.
// - Every key that cannot be had, or stays incomplete, gets an Issue (expression
//   "prefetch.<key>") saying why. The access token and patient ids are never logged; key names,
//   origins and timings are.
// - Threads: each key or reference of a call is a task on ONE bounded pool of worker threads
//   shared by all requests (FetchOptions::max_concurrent_fetches). A task that starts after its
//   request's deadline (the pool was busy) returns at once; the calling thread waits at most until
//   the deadline, then shuts the sockets of its GETs still in flight and drops their results. No
//   thread is detached: the destructor joins the workers.
//
// Thread safety: Create() and Fetch() may be called from many threads at once; the fetcher is
// immutable after Create() (the pool is internally synchronised). Ownership: Create() returns a
// shared_ptr; Hook() keeps it alive for the hook service. The last owner must not be a pool task
// (none is: tasks hold only their request's state). Errors: Create() refuses bad options with
// kInvalidArgument; Fetch() does not fail as a whole: what it could not fetch is in the
// FetchResult (an Issue per key, a count of unread references) and in the on_fetch reports.
#pragma once

#include "base/status.h"
#include "base/thread_pool.h"
#include "cdshooks/error.h"
#include "cdshooks/request.h"
#include "cdshooks/service.h"
#include "net/http_client.h"
#include "net/url.h"
#include "service/prefetch_source.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fetch {

// Why one key's fetch ended, as a short stable label (for metrics).
namespace fetch_reason {
inline constexpr const char* kOk = "ok";
inline constexpr const char* kNoFhirServer = "no_fhir_server";
inline constexpr const char* kBadFhirServer = "bad_fhir_server";
inline constexpr const char* kNotAllowed = "not_allowed";
inline constexpr const char* kTemplate = "template";
inline constexpr const char* kConnect = "connect";
inline constexpr const char* kTls = "tls";
inline constexpr const char* kTimeout = "timeout";
inline constexpr const char* kHttpStatus = "http_status";
inline constexpr const char* kRedirect = "redirect";
inline constexpr const char* kNotFhir = "not_fhir";
inline constexpr const char* kOutcome = "operation_outcome";
inline constexpr const char* kTooLarge = "too_large";
inline constexpr const char* kNextRefused = "next_refused";
inline constexpr const char* kTooManyPages = "too_many_pages";
}  // namespace fetch_reason

struct FetchOptions {
  std::vector<std::string> allowed_fhir_servers;              // URL prefixes; empty: loopback only
  std::string ca_file;                                        // empty: the system's CA store
  int deadline_ms = 450;                                      // for all fetches of one request
  std::size_t max_pages = 5;                                  // searchset pages per key
  std::size_t max_body_bytes = std::size_t{8} * 1024 * 1024;  // per response
  std::size_t max_json_depth = 64;
  // Worker threads of the fetch pool shared by all requests (1 to 1024). Not a setting: this
  // default is the one place it is chosen.
  std::size_t max_concurrent_fetches = 16;
  // Called once per fetched key, on the calling thread, after the fetches of a request end:
  // the key, whether it was obtained, the fetch_reason label and the seconds it took (the time to
  // the deadline for a key that timed out). For metrics; must not block.
  std::function<void(const std::string& key, bool ok, const std::string& reason, double seconds)>
      on_fetch;
};

class FhirFetcher {
 public:
  // Checks the options (allowlist prefixes, deadline, page limit, pool size) and starts the pool;
  // kInvalidArgument saying which is wrong.
  static base::StatusOr<std::shared_ptr<FhirFetcher>> Create(FetchOptions options);
  ~FhirFetcher();  // joins the pool's workers (their tasks end by their requests' deadlines)
  FhirFetcher(const FhirFetcher&) = delete;
  FhirFetcher& operator=(const FhirFetcher&) = delete;

  // Fetches `work` into `request` (SetPrefetch, AddFetchedResource). Returns an issue for each
  // key it could not fetch or complete, and the count of references it could not read.
  service::FetchResult Fetch(const cdshooks::ServiceDefinition& service,
                             const service::FetchWork& work, cdshooks::Request& request) const;

  // The hook for HookService::set_fetcher; keeps the fetcher alive.
  static service::PrefetchFetcher Hook(const std::shared_ptr<const FhirFetcher>& fetcher);

  const net::UrlAllowlist& allowlist() const { return *allowlist_; }

 private:
  FhirFetcher(FetchOptions options, std::shared_ptr<const net::UrlAllowlist> allowlist);

  FetchOptions options_;
  std::shared_ptr<const net::UrlAllowlist> allowlist_;
  std::shared_ptr<const net::HttpClient> client_;  // shared with the tasks
  std::unique_ptr<base::ThreadPool> pool_;         // last: joined first on destruction
};

}  // namespace fetch
