-- wrk script: one non-streaming Responses API request, the same prompt as bench/chat.lua.
-- BENCH_STORE=false sends store:false (nothing kept for previous_response_id).
local model = os.getenv("BENCH_MODEL") or "mock/gpt-4o-mini"
local key = os.getenv("BENCH_KEY")
local store = os.getenv("BENCH_STORE") or "true"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if key and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
wrk.body = '{"model":"' .. model .. '","instructions":"You are terse.","input":"Summarise the benefits of an AI gateway in one sentence please","max_output_tokens":64,"temperature":0.2,"store":' .. store .. '}'

local errors = 0
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("BENCH rps=%.1f p50_us=%d p99_us=%d requests=%d non2xx=%d sockerr=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
