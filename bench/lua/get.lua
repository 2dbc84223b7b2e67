-- GET one of the paths in the data file (one per line), at random: lists, details, searches, availability.
local common = require "common"
local paths = {}
setup = common.setup
done = common.done

function init(args)
  paths = common.lines(args[1])
  math.randomseed(os.time() + (id or 0) * 7919)
end

function request()
  return wrk.format("GET", common.pick(paths), {["Accept"] = "application/json"})
end
