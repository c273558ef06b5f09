// libFuzzer: FHIR date, dateTime and instant parsing, formatting and ages from partial dates.
#include "fhir/date.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto t = fhir::ParseDateTime(text);
  if (t) {
    (void)fhir::FormatDate(*t);
    (void)fhir::FormatDateTime(*t);
  }
  if (const auto d = fhir::ParseDate(text)) {
    for (fhir::EpochSeconds at :
         {fhir::EpochSeconds{0}, fhir::EpochSeconds{1795536000}, fhir::EpochSeconds{-62135596800},
          fhir::EpochSeconds{253402300799}}) {
      if (const auto age = fhir::AgeAt(*d, at))
        if (age->min_months > age->max_months) std::abort();
    }
    if (t) (void)fhir::AgeAt(*d, *t);
  }
  return 0;
}
