-- POST /v1/auth/login with a bench user's real password: bcrypt at production cost on every request.
local common = require "common"
local emails = {}
setup = common.setup
done = common.done

function init(args)
  emails = common.lines(args[1])
  math.randomseed(os.time() + (id or 0) * 31)
end

function request()
  local body = string.format('{"email":"%s","password":"%s"}', common.pick(emails), "Bench-password-42")
  return wrk.format("POST", "/v1/auth/login", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  common.count(status)
end
