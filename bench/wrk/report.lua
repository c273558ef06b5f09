-- Shared by get.lua and post.lua: one machine-readable line for scripts/bench-http, after wrk's
-- own report. Latencies are in microseconds.
local report = {}

function report.done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.timeout
  io.write(string.format("BENCH rps=%.1f p50_us=%d p99_us=%d max_us=%d requests=%d errors=%d non2xx=%d bytes=%d\n",
    summary.requests / seconds, latency:percentile(50), latency:percentile(99), latency.max,
    summary.requests, errors, summary.errors.status, summary.bytes))
end

return report
