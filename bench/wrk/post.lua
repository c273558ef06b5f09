-- wrk script for CDS Hooks calls: POSTs the body in the file named by $BODY_FILE (one request
-- body, e.g. from build/bench/anakinra-bench-request CASE) on keep-alive connections.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local report = require("report")

local path = os.getenv("BODY_FILE")
assert(path, "set BODY_FILE to a file holding the request body")
local f = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
done = report.done
