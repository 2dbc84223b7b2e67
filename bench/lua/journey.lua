-- A tourist's visit, step by step on each thread: browse the list, open an item, check its dates,
-- search, then book it. Steps rotate, so the mix is 1:1:1:1:1.
local common = require "common"
local paths, items, tokens = {}, {}, {}
local step = 0
setup = common.setup
done = common.done

function init(args)
  items = common.lines(args[1])   -- "vehicle <id>"
  tokens = common.lines(args[2])
  math.randomseed(os.time() + (id or 0) * 15485863)
end

local function day(offset)
  return os.date("!%Y-%m-%d", os.time() + offset * 86400)
end

local words = {"beach", "scooter", "villa", "island", "patong", "boat", "diving", "old town"}

function request()
  step = step % 5 + 1
  local _, item = common.pick(items):match("(%S+) (%S+)")
  local h = {["Accept"] = "application/json"}
  if step == 1 then return wrk.format("GET", "/v1/vehicles?page=" .. math.random(1, 3), h) end
  if step == 2 then return wrk.format("GET", "/v1/vehicles/" .. item, h) end
  if step == 3 then
    return wrk.format("GET", "/v1/vehicles/" .. item .. "/availability?from=" .. day(30) .. "&to=" .. day(60), h)
  end
  if step == 4 then return wrk.format("GET", "/v1/search?q=" .. common.pick(words):gsub(" ", "%%20"), h) end
  local start = math.random(10, 730)
  local body = string.format('{"itemType":"vehicle","itemId":"%s","startDate":"%s","endDate":"%s","guestsCount":1}',
    item, day(start), day(start + 2))
  return wrk.format("POST", "/v1/bookings", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. common.pick(tokens),
  }, body)
end

function response(status, headers, body)
  common.count(status)
end
