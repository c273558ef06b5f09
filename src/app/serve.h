// `anakinra-cds serve`: assembles the service from its configuration (handler, HTTP server and
// the optional parts: feedback store, metrics, FHIR fetching, authentication) and runs it until
// SIGTERM or SIGINT.
#pragma once

#include "config/server_config.h"

namespace app {

// `config` must have passed config::CheckConfig (config::LoadConfig does it). Returns the process
// exit code.
int RunServe(const config::ServerConfig& config);

}  // namespace app
