-- Shared by every scenario: data files, per-thread status counts, and one JSON line at the end that
-- bench/run.py reads (latencies in microseconds, as wrk measures them).
local M = {}
local threads = {}

function M.lines(path)
  local out = {}
  if path == nil then return out end
  local f = io.open(path, "r")
  if f == nil then return out end
  for line in f:lines() do
    if line ~= "" then table.insert(out, line) end
  end
  f:close()
  return out
end

function M.pick(list)
  return list[math.random(#list)]
end

function M.setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

-- Only scenarios that need the status breakdown (writes, journeys) count statuses: parsing every
-- response in Lua costs the load generator CPU that the server would otherwise get.
statuses = {}
function M.count(status)
  statuses[status] = (statuses[status] or 0) + 1
end

local function json_statuses()
  local merged = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    if s ~= nil then
      for k, v in pairs(s) do merged[k] = (merged[k] or 0) + v end
    end
  end
  local parts = {}
  for k, v in pairs(merged) do table.insert(parts, string.format('"%d": %d', k, v)) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}, "statuses": %s}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    json_statuses()))
end

return M
