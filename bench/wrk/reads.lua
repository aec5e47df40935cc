-- (d) Management reads: list applications, one application, its templates, one template.
-- Env: BENCH_READ_APP, BENCH_READ_MSG.
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local c = require("common")
local app = os.getenv("BENCH_READ_APP")
local msg = os.getenv("BENCH_READ_MSG")
local paths = {
  "/2fa/2/applications",
  "/2fa/2/applications/" .. app,
  "/2fa/2/applications/" .. app .. "/messages",
  "/2fa/2/applications/" .. app .. "/messages/" .. msg,
}
local n = 0

function request()
  n = n + 1
  return wrk.format("GET", paths[n % #paths + 1], c.get_headers)
end

function response(status, headers, body)
  c.count(status)
end
