-- (b) Verify PINs created before the run, three right answers to one wrong one.
-- Env: BENCH_PINS, a file of "pinId pin" lines.
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local c = require("common")
local ids, pins = {}, {}
local n = 0

function init(args)
  for line in io.lines(os.getenv("BENCH_PINS")) do
    local id, pin = line:match("^(%S+)%s+(%S+)$")
    if id then
      ids[#ids + 1] = id
      pins[#pins + 1] = pin
    end
  end
  n = (c.now_us() + thread_index * 7919) % #ids
end

local function wrong(pin)
  local last = tonumber(pin:sub(-1))
  return pin:sub(1, -2) .. tostring((last + 1) % 10)
end

function request()
  n = n + 1
  local i = n % #ids + 1
  local pin = (n % 4 == 0) and wrong(pins[i]) or pins[i]
  return wrk.format("POST", "/2fa/2/pin/" .. ids[i] .. "/verify", c.json_headers, '{"pin":"' .. pin .. '"}')
end

function response(status, headers, body)
  c.count(status)
end
