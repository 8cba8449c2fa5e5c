"""Key create latency: wrk sending `POST /api/v1/keys` at a fixed concurrency for a fixed time,
every request a different key (a key's secret is unique per owner and provider: a repeat would be a
409, and a fast error is not a fast answer).

wrk rather than Python threads: the same load generator, latency recording and error accounting as
the gateway runs, and on a 2-core machine a Python client holding a core of its own would crowd the
server it measures. Each wrk thread numbers its requests; the thread number (set in setup()) and a
tag unique to the run (warm-up and measured run get different ones) make every secret distinct.

Modes:
  plain     the body a client sends by default: sealed, stored, audited (`key.created`)
  validate  the same with "validate": true: then one call to the provider (the mock) and the
            validation result stored too
"""

import json
import secrets

from wrk_runs import write_script

MODES = ("plain", "validate")

SCRIPT = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end

counter = 0
request = function()
  counter = counter + 1
  local id = string.format("{tag}t%dn%d", thread_no or 0, counter)
  -- The mock provider reads a key's behaviour from the text after its last '-': "valid".
  return wrk.format(nil, "/api/v1/keys", nil,
    '{{"provider":"openai","name":"create-' .. id .. '","secret":"sk-bench' .. id .. '-valid"{extra}}}')
end
"""


def key_create_script(tmp, deployment, mode, label):
    """A fresh script (a new tag) for each wrk run."""
    tag = secrets.token_hex(4)
    extra = ',"validate":true' if mode == "validate" else ""
    name = f"create-{deployment.name}-{mode}-{tag}"
    return write_script(tmp, name, SCRIPT.format(token=deployment.create_token, tag=tag, extra=extra))


def create_url(deployment):
    return f"http://127.0.0.1:{deployment.port}/api/v1/keys"


def check_one(deployment, mode, request):
    """One create by hand before the runs: a deployment that refuses it says why here, instead of
    a table of status errors."""
    tag = secrets.token_hex(4)
    body = {"provider": "openai", "name": f"check-{tag}", "secret": f"sk-bench{tag}-valid"}
    if mode == "validate":
        body["validate"] = True
    status, text = request(deployment.port, "POST", "/api/v1/keys", json.dumps(body), deployment.create_token)
    if status != 201:
        return f"POST /api/v1/keys answers {status}: {text[:160]}"
    if mode == "validate":
        state = json.loads(text).get("validation", {}).get("state")
        if state != "valid":  # "error" would mean the provider was not reached: not the mock's answer
            return f"the created key's validation says {state!r}: {text[:200]}"
    return None
