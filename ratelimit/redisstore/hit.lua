-- One hit on a rate limiting counter: the two fixed windows of
-- ratelimit.Window, kept in a hash with the time the key is over until.
-- KEYS[1]: the key. ARGV: now (ms), period (ms), n, max, timeout (ms),
-- and 1 to count whatever the limit (Count) or 0 to count only under it
-- (Hit).
local now, period = tonumber(ARGV[1]), tonumber(ARGV[2])
local n, max, timeout = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local always = ARGV[6] == '1'
local v = redis.call('HMGET', KEYS[1], 'w', 'c', 'p', 'u')
local w, c, p, u = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0, tonumber(v[4]) or 0

-- Advance to the window of now; a late time counts in the current window.
local i = math.floor(now / period)
if i == w + 1 then
  p, c = c, 0
elseif i > w + 1 then
  p, c = 0, 0
end
if i > w then w = i end
c = c + n

local left = period - (now - w * period)
if left < 0 then left = 0 end
local rate = p * left / period + c

local over, blocks = 0, false
if always then
  -- counted whatever the limit
elseif now < u then
  over = 1
elseif rate > max then
  over = 1
  if timeout > 0 then
    u, blocks = now + timeout, true
  end
end
-- A request over the limit does not count.
if over == 1 then c = c - n end
if blocks or (over == 0 and n > 0) then
  redis.call('HSET', KEYS[1], 'w', w, 'c', c, 'p', p, 'u', u)
  -- The counts leave the sliding window at the end of the next window.
  -- The time to live is counted from the request's time, not the
  -- server's, whose clock may differ.
  redis.call('PEXPIRE', KEYS[1], math.max(u, (w + 2) * period) - now)
end
return {over, string.format('%.17g', rate), u}
