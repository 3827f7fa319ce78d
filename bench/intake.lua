-- wrk script for bench/intake.sh: cycles through pre-signed distinct deliveries
-- (bench/intake_requests.py), each thread its own stripe so no two requests repeat until a
-- thread has sent its whole stripe (then it starts over and `wrapped` says how often).
--   wrk ... -s bench/intake.lua URL -- REQUESTS_FILE TIMESTAMP PATH THREADS
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file, ts, path = args[1], args[2], args[3]
  local stripes = tonumber(args[4])
  reqs, sent, wrapped = {}, 0, 0
  local line_no = 0
  for line in io.lines(file) do
    if line_no % stripes == tid then
      local sig, body = line:match("^(%S+)\t(.*)$")
      reqs[#reqs + 1] = wrk.format("POST", path, {
        ["Content-Type"] = "application/json",
        ["x-zm-request-timestamp"] = ts,
        ["x-zm-signature"] = sig,
      }, body)
    end
    line_no = line_no + 1
  end
end

function request()
  sent = sent + 1
  local i = (sent - 1) % #reqs + 1
  if i == #reqs then wrapped = wrapped + 1 end
  return reqs[i]
end

function done(summary, latency, requests)
  local wraps = 0
  for _, t in ipairs(threads) do wraps = wraps + t:get("wrapped") end
  local secs = summary.duration / 1e6
  io.write(string.format(
    "INTAKE completed=%d non2xx=%d socket_errors=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f wrapped=%d\n",
    summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, wraps))
end
