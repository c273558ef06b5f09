// libFuzzer: FHIR Quantity reading and every UCUM conversion, on fuzzed JSON (bounded parse).
#include "base/json.h"
#include "fhir/quantity.h"

#include <cstdint>
#include <string_view>

namespace {

void Convert(const base::Json& v) {
  const auto q = fhir::ReadQuantity(v);
  if (!q) return;
  (void)fhir::ToMilligrams(*q);
  (void)fhir::ToMillilitres(*q);
  (void)fhir::ToKilograms(*q);
  (void)fhir::ToBillionPerLitre(*q);
  (void)fhir::ToMillilitresPerMinute(*q);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rapidjson::Document doc;
  if (!base::ParseJson(std::string_view(reinterpret_cast<const char*>(data), size), 16, doc).ok())
    return 0;
  Convert(doc);
  if (doc.IsArray())
    for (const auto& e : doc.GetArray()) Convert(e);
  if (doc.IsObject())
    for (const auto& m : doc.GetObject()) Convert(m.value);
  return 0;
}
