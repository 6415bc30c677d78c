-- wrk script for bench/pages.py: sends the session cookie (and a form body for POSTs) and
-- prints one JSON line with the counts and the latency percentiles wrk measured.
local cookie = os.getenv("BENCH_COOKIE")
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")

request = function()
  local headers = {}
  if cookie then headers["Cookie"] = cookie end
  if body then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  return wrk.format(method, nil, headers, body)
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "socket_errors": %d, "http_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors.connect + errors.read + errors.write + errors.timeout,
    errors.status, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
