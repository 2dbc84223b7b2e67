-- POST /v1/bookings as one of the bench users, for a random item and dates up to two years ahead.
-- 201 created; 409/422 (already booked, no seats) are the business answering, counted apart.
local common = require "common"
local items, tokens = {}, {}
setup = common.setup
done = common.done

function init(args)
  items = common.lines(args[1])   -- "vehicle <id>" / "tour <id>"
  tokens = common.lines(args[2])
  math.randomseed(os.time() + (id or 0) * 104729)
end

local function day(offset)
  return os.date("!%Y-%m-%d", os.time() + offset * 86400)
end

function request()
  local kind, item = common.pick(items):match("(%S+) (%S+)")
  local start = math.random(10, 730)
  local body
  if kind == "tour" then
    body = string.format('{"itemType":"tour","itemId":"%s","startDate":"%s","guestsCount":1}', item, day(start))
  else
    body = string.format('{"itemType":"%s","itemId":"%s","startDate":"%s","endDate":"%s","guestsCount":1}',
      kind, item, day(start), day(start + math.random(1, 3)))
  end
  return wrk.format("POST", "/v1/bookings", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. common.pick(tokens),
  }, body)
end

function response(status, headers, body)
  common.count(status)
end
