-- (a) Send a PIN by SMS to a different phone number every time (the number check runs, as
-- it does by default). Env: BENCH_APP, BENCH_MSG.
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local c = require("common")
local app = os.getenv("BENCH_APP")
local msg = os.getenv("BENCH_MSG")
local n = 0
local base

function init(args)
  -- Swiss mobile numbers 4179xxxxxxx; each thread and run starts at its own offset.
  base = (c.now_us() * 7919 + thread_index * 1000003) % 9000000
end

function request()
  n = n + 1
  local to = string.format("4179%07d", (base + n) % 10000000)
  return c.send_pin(app, msg, to)
end

function response(status, headers, body)
  c.count(status)
end
