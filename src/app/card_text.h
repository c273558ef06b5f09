// Renders a CDS Hooks response (or an OperationOutcome) as plain text for a person at a terminal.
#pragma once

#include <string>
#include <string_view>

namespace app {

std::string ResponseAsText(std::string_view response_json);

}  // namespace app
