-- wrk script shared by the benchmarks in bench/.
--
-- Sends the Cookie header from $BENCH_COOKIE (if set) with every request and
-- counts, per wrk thread, the responses that are not 2xx and the 2xx
-- responses whose body is not $BENCH_BODY_BYTES long (if set). At the end it
-- prints one line the driver script parses:
--
--   BENCH responses=N non2xx=N badlen=N first_bad_status=S
--
-- Defining response() makes wrk hand every body to Lua, which costs the
-- client some CPU; the same script is used against every server in a run,
-- so the cost is the same on both sides of a comparison.

local cookie = os.getenv("BENCH_COOKIE")
if cookie ~= nil and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
local expected = tonumber(os.getenv("BENCH_BODY_BYTES") or "")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  responses = 0
  non2xx = 0
  badlen = 0
  first_bad_status = 0
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad_status == 0 then
      first_bad_status = status
    end
  elseif expected ~= nil and #body ~= expected then
    badlen = badlen + 1
  end
end

function done(summary, latency, requests)
  local r, n, b, first = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    r = r + (thread:get("responses") or 0)
    n = n + (thread:get("non2xx") or 0)
    b = b + (thread:get("badlen") or 0)
    local f = thread:get("first_bad_status") or 0
    if first == 0 and f ~= 0 then
      first = f
    end
  end
  io.write(string.format("BENCH responses=%d non2xx=%d badlen=%d first_bad_status=%d\n",
    r, n, b, first))
end
