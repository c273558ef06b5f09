-- wrk script for GET endpoints (discovery, /healthz): keep-alive GETs, summary line at the end.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local report = require("report")

wrk.method = "GET"
done = report.done
