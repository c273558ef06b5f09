// FHIR Quantity values and the UCUM unit conversions the service needs.
//
// A unit is taken from Quantity.code when the system is UCUM (or absent), else from Quantity.unit.
// Each To* conversion returns nullopt for a unit outside its dimension, so a value is never read
// in a unit we do not understand.
// Thread safety: pure functions of their arguments; they do not keep references to the JSON.
#pragma once

#include "base/json.h"

#include <optional>
#include <string>

namespace fhir {

struct Quantity {
  double value = 0;
  std::string unit;        // the unit key used for conversion (UCUM code, else the human unit)
  std::string comparator;  // "<", "<=", ">=", ">" or empty
};

// Reads a Quantity object. nullopt when it has no numeric value.
std::optional<Quantity> ReadQuantity(const base::Json& quantity);

// Mass → milligrams: mg, g, ug/mcg, kg (doses).
std::optional<double> ToMilligrams(const Quantity& q);
// Volume → millilitres: mL, L, uL (doses of a solution).
std::optional<double> ToMillilitres(const Quantity& q);
// Body weight → kilograms: kg, g, [lb_av], lb, [oz_av].
std::optional<double> ToKilograms(const Quantity& q);
// Cell count per volume → 10^9 cells per litre: 10*9/L, 10*3/uL, /uL, /mm3, cells/uL, 10*6/L.
std::optional<double> ToBillionPerLitre(const Quantity& q);
// Clearance or GFR → mL/min (per 1.73 m2 or not): mL/min, mL/min/{1.73_m2}, mL/s.
std::optional<double> ToMillilitresPerMinute(const Quantity& q);

}  // namespace fhir
