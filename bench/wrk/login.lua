-- (c) The login flow: send a PIN, then verify it once or (every other login) twice, as a user
-- who mistypes first. The verify follows the send's answer, whose pinId it uses. The PIN
-- itself never reaches the benchmark (the channel delivers nowhere), so the verifies carry
-- a guess; a right and a wrong PIN cost the store the same single atomic step.
-- Env: BENCH_APP, BENCH_MSG.
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local c = require("common")
local app = os.getenv("BENCH_APP")
local msg = os.getenv("BENCH_MSG")
local n, logins = 0, 0
local base
local due = {}          -- pinIds waiting for a verify, oldest first
local head, tail = 1, 0

function init(args)
  base = (c.now_us() * 104729 + thread_index * 1000003) % 9000000
end

function request()
  if head <= tail then
    local id = due[head]
    due[head] = nil
    head = head + 1
    return wrk.format("POST", "/2fa/2/pin/" .. id .. "/verify", c.json_headers, '{"pin":"' .. string.format("%06d", (n * 7919) % 1000000) .. '"}')
  end
  n = n + 1
  local to = string.format("4178%07d", (base + n) % 10000000)
  return c.send_pin(app, msg, to)
end

function response(status, headers, body)
  c.count(status)
  -- Only a send's answer starts a login (a verify's answer carries the pinId too).
  local id = body:find('"smsStatus"', 1, true) and body:match('"pinId":"(%x+)"')
  if id then
    logins = logins + 1
    local verifies = (logins % 2 == 0) and 2 or 1
    for _ = 1, verifies do
      tail = tail + 1
      due[tail] = id
    end
  end
end
