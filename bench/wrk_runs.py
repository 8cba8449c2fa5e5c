"""One measured wrk run: a warm-up, then the run itself, with the CPU time the server used over it
and how much of the shared machine other people's processes took meanwhile. Standard library only."""

import json
import os
import statistics
import subprocess

from harness import BenchError, CLK_TCK, children_ticks, descendants, machine_ticks, ticks_between, ticks_of

# One JSON line with exact figures (microseconds, every error kind) for the driver to read, rather
# than the rounded text of --latency. Appended to every script.
RESULT_HOOK = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def write_script(tmp, name, text):
    path = os.path.join(tmp, f"{name}.lua")
    with open(path, "w") as f:
        f.write(text + RESULT_HOOK)
    return path


def run_wrk(wrk, url, script, connections, seconds, tmp, label):
    threads = min(2, connections)  # wrk needs at least one connection per thread
    argv = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
            "-s", script, url]
    res = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    with open(os.path.join(tmp, "wrk.log"), "a") as f:
        f.write(f"### {label}\n$ {' '.join(argv)}\n{res.stdout}{res.stderr}\n")
    for line in res.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT "):])
    raise BenchError(f"wrk gave no result for {label} (exit {res.returncode}): {res.stderr.strip()[:300]}")


def measure(wrk, url, script, connections, args, tmp, label, charged, after_run=None, script_for=None):
    """Warm-up, then the measured run. `charged` maps a column ("server", "stack") to a function
    giving the pids whose CPU that column counts (asked before and after the run: PostgreSQL forks
    backends); further columns (postgres, redis, nginx) split the stack. Every process of this run (descendants of this driver, wrk) is "ours"; the rest of
    the machine's busy time is "others". `script_for(label)`, when given, makes a fresh script per
    run (key create: distinct keys in the warm-up and in the run)."""
    run_wrk(wrk, url, script_for(label + " warm-up") if script_for else script, connections, args.warmup, tmp,
            label + " warm-up")
    if after_run:
        after_run()
    script = script_for(label) if script_for else script
    before = {col: ticks_of(pids()) for col, pids in charged.items()}
    ours_before = ticks_of(descendants())
    wrk_before = children_ticks()
    busy_before, all_before = machine_ticks()
    r = run_wrk(wrk, url, script, connections, args.duration, tmp, label)
    busy_after, all_after = machine_ticks()
    ours = ticks_between(ours_before, ticks_of(descendants())) + children_ticks() - wrk_before
    used = {col: ticks_between(before[col], ticks_of(pids())) for col, pids in charged.items()}
    if after_run:
        after_run()
    errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    r.update({
        "connections": connections,
        "rps": r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0,
        "errors": errors,
        "ok": errors == 0 and r["requests"] > 0,
        # Other engineers' builds share the 2 cores: a run they crowded is not comparable.
        "others_pct": max(0.0, (busy_after - busy_before) - ours) * 100 / max(1, all_after - all_before),
    })
    for col, ticks in used.items():
        r[f"cpu_us_per_request_{col}" if col != "server" else "cpu_us_per_request"] = (
            ticks * 1e6 / CLK_TCK / r["requests"] if r["requests"] else None)
    return r


def combine(runs):
    """One figure per cell from several rounds: the median of each number, errors summed."""
    if len(runs) == 1:
        return runs[0]
    out = dict(runs[0])
    cpu_keys = [k for k in runs[0] if k.startswith("cpu_us_per_request")]
    for key in ["rps", "p50_us", "p99_us", "max_us", "others_pct", *cpu_keys]:
        values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            out[key] = statistics.median(values)
    out["requests"] = sum(r["requests"] for r in runs)
    out["errors"] = sum(r["errors"] for r in runs)
    out["ok"] = all(r["ok"] for r in runs)
    out["rounds"] = len(runs)
    return out
