-- wrk script: carpass SOAP 1.1 requests with a WS-Security UsernameToken (PasswordText).
--
--   wrk ... -s bench/soap.lua URL -- OPERATION TAG USER PASSWORD VEHICLES [READINGS]
--
-- OPERATION: validate | label | submit | echo (the validate envelope, for the echo floor) |
-- wrongpw (validate with a wrong password: the answer is the AUTHENTICATION_FAILED fault).
-- TAG makes this run's ClientReferences unique; VEHICLES is how many the seed registered
-- (bench/floors/src/seed.rs: vehicle i is WDB2030461B + i, last reading 60,000 + i km);
-- READINGS is the readings per SubmitReadings request (default 1).
--
-- With BENCH_CHECK=1 (the warm-up) every answer is checked for its HTTP status and its
-- response element, and the first one is written to BENCH_SAMPLE-<thread> when that is set.
-- done() prints one machine-readable BENCH line for bench/run.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"

local function template(name)
  local file = assert(io.open(dir .. "requests/" .. name))
  local text = file:read("*a")
  file:close()
  return text
end

-- {{KEY}} -> values.KEY (a function replacement is taken literally, '%' and all).
local function fill(text, values)
  return (text:gsub("{{(%u+)}}", function(key) return assert(values[key], key) end))
end

local expected = {
  validate = { 200, "ValidateReadingResponse" },
  label = { 200, "RequestOkLabelResponse" },
  submit = { 200, "Receipt" },
  echo = { 200, "ValidateReading" },
  wrongpw = { 500, "AUTHENTICATION_FAILED" },
}

-- The main state numbers the threads and collects their counts in done().
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  op, tag, user, password = args[1], args[2], args[3], args[4]
  vehicles, per_request = tonumber(args[5]), tonumber(args[6] or "1")
  assert(expected[op], "unknown operation " .. tostring(op))
  envelope, reading = template("envelope.xml"), template("reading.xml")
  today = os.date("!%Y-%m-%d") -- UTC is never ahead of Brussels: never WORK_DATE_FUTURE
  counter, bad = 0, 0
  headers = { ["Content-Type"] = "text/xml; charset=utf-8", ["SOAPAction"] = '""' }
  -- Reads cycle over precomputed envelopes, one per vehicle, so wrk spends no time on them.
  fixed = {}
  if op ~= "submit" then
    for i = 0, vehicles - 1 do
      local body
      if op == "label" then
        -- Below the last reading: refused, so nothing is written (a grant stores a label).
        body = "<cp:RequestOkLabel><cp:Vin>" .. vin(i) .. "</cp:Vin>"
          .. "<cp:AdvertisedOdometer>50000</cp:AdvertisedOdometer></cp:RequestOkLabel>"
      else
        body = "<cp:ValidateReading>" .. one(tag .. "-" .. i, i) .. "</cp:ValidateReading>"
      end
      fixed[i + 1] = fill(envelope, { USER = user, PASSWORD = password, BODY = body })
    end
  end
end

function vin(i)
  return string.format("WDB2030461B%06d", i)
end

-- Reading number n goes to vehicle n mod VEHICLES, each pass over the fleet 1 km further: dated
-- today, they never roll back and stay far below the implausible 2,000 km a day.
function one(reference, n)
  local i, pass = n % vehicles, math.floor(n / vehicles)
  return fill(reading, { REF = reference, VIN = vin(i), DATE = today, ODO = tostring(70000 + i + pass) })
end

function request()
  counter = counter + 1
  local body
  if op == "submit" then
    -- Threads start far apart in the fleet; every reference is unique (tag, thread, counter).
    local base = id * 7919 + (counter - 1) * per_request
    local parts = {}
    for k = 0, per_request - 1 do
      parts[k + 1] = one(string.format("%s-%d-%d-%d", tag, id, counter, k), base + k)
    end
    body = fill(envelope, { USER = user, PASSWORD = password,
      BODY = "<cp:SubmitReadings>" .. table.concat(parts) .. "</cp:SubmitReadings>" })
  else
    body = fixed[counter % #fixed + 1]
  end
  return wrk.format("POST", "/soap/inflow", headers, body)
end

-- Defined only when checking: wrk reads bodies only when a script has response().
if os.getenv("BENCH_CHECK") == "1" then
  function response(status, _, body)
    local want = expected[op]
    if status ~= want[1] or not body:find(want[2], 1, true) then
      bad = bad + 1
    end
    local sample = os.getenv("BENCH_SAMPLE")
    if sample and not sampled then
      sampled = true
      local file = io.open(sample .. "-" .. id, "w")
      file:write(body)
      file:close()
    end
  end
end

function done(summary, latency, _)
  local unchecked = 0
  for _, thread in ipairs(threads) do
    unchecked = unchecked + (thread:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d bad=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout, unchecked))
end
