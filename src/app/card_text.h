// Renders a CDS Hooks response (or an OperationOutcome) as plain text for a person at a terminal.
//
// Thread safety: a pure function. Errors: none; a body that is not JSON is returned as it is.
#pragma once

#include <string>
#include <string_view>

namespace app {

std::string ResponseAsText(std::string_view response_json);

}  // namespace app
