-- edgerules.lua: an HAProxy action that asks edgerules serve whether to let
-- a request through. Load it with lua-load, set EDGERULES_URL (setenv in the
-- global section) to the service's forward-auth URL, and call it with
-- `http-request lua.edgerules`. It sets three variables for the
-- configuration to act on:
--
--   txn.edgerules_status  the service's status: 200 lets the request through
--   txn.edgerules_action  the action that decided (none, block, challenge...),
--                         or "unreachable" when the service did not answer
--   txn.edgerules_rule    the rule that decided, if one did

local url = os.getenv("EDGERULES_URL") or "http://127.0.0.1:9900/check"

-- first returns the first value of a header in HAProxy's shape of a header
-- table: a table of values indexed from 0.
local function first(values)
  if values == nil then
    return ""
  end
  return values[0] or values[1] or ""
end

local function decide(txn)
  local headers = {}
  for name, values in pairs(txn.http:req_get_headers()) do
    local list = {}
    for i = 0, #values do
      if values[i] ~= nil then
        list[#list + 1] = values[i]
      end
    end
    headers[name] = list
  end
  headers["x-original-uri"] = { txn.sf:pathq() }
  headers["x-original-method"] = { txn.sf:method() }
  headers["x-real-ip"] = { txn.sf:src() }
  headers["x-forwarded-host"] = { txn.sf:req_fhdr("host") or "" }
  headers["content-length"] = nil
  headers["transfer-encoding"] = nil

  local ok, res = pcall(function()
    return core.httpclient():get({ url = url, headers = headers, timeout = 1000 })
  end)
  -- The service's every answer says X-Edgerules-Action; an answer without
  -- it is the HTTP client's own (503 when the service cannot be reached).
  local h = ok and res ~= nil and res.headers or {}
  if first(h["x-edgerules-action"]) == "" then
    core.Warning("edgerules: the service at " .. url .. " did not answer")
    txn:set_var("txn.edgerules_status", 0)
    txn:set_var("txn.edgerules_action", "unreachable")
    return
  end
  txn:set_var("txn.edgerules_status", res.status)
  txn:set_var("txn.edgerules_action", first(h["x-edgerules-action"]))
  txn:set_var("txn.edgerules_rule", first(h["x-edgerules-rule"]))
end

core.register_action("edgerules", { "http-req" }, decide, 0)
