-- Shared by every scenario: authorization, counting of answers, optional pacing and the
-- summary line that bench/run.sh reads. Each wrk thread runs its own copy of this state.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]

local M = {}
local ts = ffi.new("bench_timespec")

-- Monotonic clock in microseconds.
function M.now_us()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

M.key = os.getenv("BENCH_KEY") or error("BENCH_KEY is not set")
M.json_headers = { ["Authorization"] = "App " .. M.key, ["Content-Type"] = "application/json" }
M.get_headers = { ["Authorization"] = "App " .. M.key }

-- A send of a PIN by SMS to `to` (the body every sending scenario posts).
function M.send_pin(app, msg, to)
  local body = '{"applicationId":"' .. app .. '","messageId":"' .. msg .. '","from":"OpenTfa","to":"' .. to .. '","placeholders":{"appName":"Acme"}}'
  return wrk.format("POST", "/2fa/2/pin", M.json_headers, body)
end

-- Per-thread answer counters, read back by done() through thread:get.
ok2xx, non2xx, by_status = 0, 0, {}

function M.count(status)
  if status >= 200 and status < 300 then
    ok2xx = ok2xx + 1
  else
    non2xx = non2xx + 1
    by_status[status] = (by_status[status] or 0) + 1
  end
end

-- Pacing: with BENCH_RATE (requests/s for the whole run) each request waits for its slot in an
-- evenly spaced schedule, so the server sees that rate however fast it answers.
local rate = tonumber(os.getenv("BENCH_RATE") or "")
if rate and rate > 0 then
  local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
  local interval = 1000000 / (rate / threads)
  local next_at = nil
  function delay()
    local now = M.now_us()
    if next_at == nil or next_at < now - 1000000 then
      next_at = now
    end
    local wait = next_at - now
    next_at = next_at + interval
    if wait <= 0 then
      return 0
    end
    return math.floor(wait / 1000)
  end
end

local threads = {}
function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local ok, bad, statuses = 0, 0, {}
  for _, t in ipairs(threads) do
    ok = ok + t:get("ok2xx")
    bad = bad + t:get("non2xx")
    for s, n in pairs(t:get("by_status")) do
      statuses[#statuses + 1] = string.format('"%d":%d', s, n)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"ok2xx":%d,"non2xx":%d,"statuses":{%s},"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean, ok, bad, table.concat(statuses, ","),
    e.connect, e.read, e.write, e.timeout))
end

return M
