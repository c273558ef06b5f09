#include "service/knowledge_version.h"

#include "base/file.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

namespace service {

base::StatusOr<std::string> KnowledgeVersion(const std::string& hooks_dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> names = {"cards.json", "services.json"};
  std::error_code ec;
  for (fs::directory_iterator it(fs::path(hooks_dir) / "knowledge", ec), end; !ec && it != end;
       it.increment(ec))
    if (it->path().extension() == ".json")
      names.push_back("knowledge/" + it->path().filename().string());
  if (ec) return base::Status::IoError("cannot list " + hooks_dir + "/knowledge: " + ec.message());
  std::sort(names.begin(), names.end());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    return base::Status::Internal("SHA-256 unavailable");
  for (const auto& name : names) {
    auto text = base::ReadFile((fs::path(hooks_dir) / name).string());
    if (!text.ok()) return text.status();
    EVP_DigestUpdate(ctx.get(), name.c_str(), name.size() + 1);  // with its NUL
    EVP_DigestUpdate(ctx.get(), text->data(), text->size());
    EVP_DigestUpdate(ctx.get(), "", 1);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &size) != 1)
    return base::Status::Internal("SHA-256 failed");
  std::string out = "sha256:";
  char hex[3];
  for (unsigned int i = 0; i < 8 && i < size; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    out += hex;
  }
  return out;
}

}  // namespace service
