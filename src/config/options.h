// The options of each layer, made from the one ServerConfig the settings table fills. Layers below
// config/ never see ServerConfig: each takes its own options struct, so a setting reaches only the
// code that reads it. Pure functions of their argument; thread-safe.
#pragma once

#include "auth/authenticator.h"
#include "config/server_config.h"
#include "fetch/fhir_fetcher.h"
#include "http/admin_server.h"
#include "http/http_server.h"

namespace config {

auth::AuthOptions AuthOptionsFromConfig(const ServerConfig& config);
fetch::FetchOptions FetchOptionsFromConfig(const ServerConfig& config);
http::HttpOptions HttpOptionsFromConfig(const ServerConfig& config);
// Without knowledge_version (serve fills it from the hooks folder it loaded).
http::AdminOptions AdminOptionsFromConfig(const ServerConfig& config);

}  // namespace config
