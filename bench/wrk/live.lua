-- The ceiling: the server's cheapest endpoint, through the same script machinery as the scenarios.
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local c = require("common")

function request()
  return wrk.format("GET", "/health/live", c.get_headers)
end

function response(status, headers, body)
  c.count(status)
end
