#include "store/store.h"

#include "store/postgres_store.h"

#include <libpq-fe.h>

#include <atomic>
#include <utility>

namespace store {
namespace {

// The SQLite FeedbackStore behind the Store interface (a forwarder: FeedbackStore keeps its own
// documented contract, store/feedback_store.h).
class SqliteStore : public Store {
 public:
  explicit SqliteStore(std::shared_ptr<FeedbackStore> store) : store_(std::move(store)) {}

  base::Status RecordIssued(const std::string& service, std::vector<IssuedCard> cards,
                            std::int64_t issued_at) override {
    return store_->RecordIssued(service, std::move(cards), issued_at);
  }
  base::Status StoreFeedback(const std::string& service,
                             const std::vector<cdshooks::Feedback>& entries,
                             std::int64_t received_at) override {
    return store_->StoreFeedback(service, entries, received_at);
  }
  base::StatusOr<FeedbackReport> Report(std::optional<std::int64_t> since, std::size_t top_reasons,
                                        std::int64_t bucket_seconds) override {
    return CallReport(*store_, since, top_reasons, bucket_seconds);
  }
  base::StatusOr<std::vector<std::string>> CardCodes(
      const std::vector<std::string>& uuids) override {
    return store_->CardCodes(uuids);
  }
  base::Status Flush() override { return store_->Flush(); }
  void Close() override {
    closed_ = true;
    store_->Close();
  }
  base::Status Ready() override {
    // The connection is the file: open until Close().
    if (closed_) return base::Status::Unavailable("feedback store closed");
    return store_->CheckFile();
  }
  std::int64_t dropped_rows() const override { return store_->dropped_rows(); }
  std::int64_t committed_batches() const override { return store_->committed_batches(); }
  std::string Describe() const override { return "SQLite " + store_->path(); }
  base::StatusOr<bool> RecordJti(const std::string& iss, const std::string& jti,
                                 std::int64_t forget_after, std::int64_t now) override {
    return store_->RecordJti(iss, jti, forget_after, now);
  }

 private:
  // FeedbackStore::Report gains a bucket_seconds parameter on the governance branch; until both
  // are merged, a FeedbackStore without it reports no trend.
  template <typename S>
  static base::StatusOr<FeedbackReport> CallReport(S& s, std::optional<std::int64_t> since,
                                                   std::size_t top, std::int64_t bucket) {
    if constexpr (requires { s.Report(since, top, bucket); })
      return s.Report(since, top, bucket);
    else
      return s.Report(since, top);
  }

  std::shared_ptr<FeedbackStore> store_;
  std::atomic<bool> closed_{false};
};

}  // namespace

std::shared_ptr<Store> SqliteAsStore(std::shared_ptr<FeedbackStore> store) {
  return std::make_shared<SqliteStore>(std::move(store));
}

bool IsPostgresUrl(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

base::Status CheckStoreUrl(const std::string& url) {
  if (url.empty()) return base::Status::Ok();
  if (!IsPostgresUrl(url))
    return base::Status::InvalidArgument(
        "must be empty (SQLite in data_dir) or a postgresql:// or postgres:// URL");
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
  // libpq's message may quote part of the URL (and so of the password): not repeated.
  PQfreemem(error);
  if (parsed == nullptr) return base::Status::InvalidArgument("not a valid PostgreSQL URL");
  PQconninfoFree(parsed);
  return base::Status::Ok();
}

std::string RedactUrl(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) {
    if (url.find('@') == std::string::npos && url.find("password") == std::string::npos) return url;
    return "***";
  }
  std::string out = url;
  const std::size_t start = scheme + 3;
  // The userinfo ends at the last '@' before the query: a password holding an unencoded '/'
  // or '@' is still covered (a '@' in the database name only widens what is hidden).
  const std::size_t query = std::min(out.find_first_of("?#", start), out.size());
  const std::size_t at = query == 0 ? std::string::npos : out.rfind('@', query - 1);
  if (at != std::string::npos && at >= start) {
    const std::size_t colon = out.find(':', start);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  // password=… in the query string.
  for (std::size_t q = out.find('?'); q != std::string::npos && q < out.size();) {
    const std::size_t key = q + 1;
    const std::size_t next = out.find('&', key);
    const std::size_t stop = next == std::string::npos ? out.size() : next;
    if (out.compare(key, 9, "password=") == 0) out.replace(key + 9, stop - key - 9, "***");
    q = out.find('&', key);
  }
  return out;
}

base::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& store_url,
                                                 const std::string& data_dir, bool create,
                                                 StoreOptions options) {
  if (base::Status ok = CheckStoreUrl(store_url); !ok.ok())
    return base::Status::InvalidArgument("store_url: " + ok.message());
  if (IsPostgresUrl(store_url)) {
    auto pg = PostgresStore::Open(store_url, create, std::move(options));
    if (!pg.ok()) return pg.status();
    return std::unique_ptr<Store>(std::move(*pg));
  }
  auto sqlite = FeedbackStore::Open(data_dir, create, std::move(options.queue));
  if (!sqlite.ok()) return sqlite.status();
  return std::unique_ptr<Store>(
      std::make_unique<SqliteStore>(std::shared_ptr<FeedbackStore>(std::move(*sqlite))));
}

}  // namespace store
