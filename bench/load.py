#!/usr/bin/python3
"""keyrelay load benchmark: wrk against three ways to reach the same mock upstream.

  direct    wrk -> mock provider                        (the upstream's own cost)
  nginx     wrk -> nginx proxy_pass (keep-alive) -> mock (the floor for any proxy hop)
  keyrelay  wrk -> keyrelay /v1/chat/completions -> mock (auth, routing, decrypt, usage, audit)

Each at 1, 16 and 64 connections: a 2 s warm-up, then a measured run. Reports requests/s, p50,
p99, errors, the server's CPU-us per request and keyrelay's RSS, then the targets of the issue, each
a ratio taken in this same run. Builds nothing (make bench does); owns every process it starts and
stops them on exit. Standard library only. See BENCHMARKS.md for the method.
"""

import argparse
import http.client
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BODY = '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hello bench"}]}'
PROVIDER_KEY = "sk-bench-valid"
CLK_TCK = os.sysconf("SC_CLK_TCK")
SCENARIOS = ("direct", "nginx", "keyrelay")


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ---- processes ---------------------------------------------------------------------------------

class Processes:
    """Every child this run started; stop() ends them (by pid, never by name)."""

    def __init__(self):
        self.children = []

    def start(self, name, argv, env=None, log_path=None):
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.children.append((name, proc))
        return proc

    def stop(self):
        for name, proc in reversed(self.children):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for name, proc in reversed(self.children):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                log(f"{name} (pid {proc.pid}) ignored SIGTERM; killing it")
                proc.kill()
                proc.wait()


def wait_for_file(path, proc, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                text = f.read().strip()
            if text:
                return text
        if proc.poll() is not None:
            raise BenchError(f"{what} exited with code {proc.returncode} before it was ready")
        time.sleep(0.05)
    raise BenchError(f"{what} was not ready within {timeout:.0f} s")


def free_port():
    """A port that was free a moment ago (nginx cannot report an ephemeral one)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ticks(pid):
    """utime + stime of a whole process (all its threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)


def machine_ticks():
    """(busy, all) clock ticks of every CPU together, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]  # idle + iowait
    return sum(v[:8]) - idle, sum(v[:8])


def children_ticks():
    """CPU ticks of finished, waited-for children (the wrk runs)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r.ru_utime + r.ru_stime) * CLK_TCK


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise BenchError(f"no {field} in /proc/{pid}/status")


def children_of(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return out


# ---- HTTP --------------------------------------------------------------------------------------

def request(port, method, path, body=None, token=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        return res.status, res.read().decode("utf-8", "replace")
    finally:
        conn.close()


def wait_ready(port, proc, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{what} exited with code {proc.returncode}")
        try:
            if request(port, "GET", "/readyz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise BenchError(f"{what} did not answer /readyz within {timeout:.0f} s")


# ---- the three servers -------------------------------------------------------------------------

def start_mock(procs, build, tmp, threads):
    binary = os.path.join(build, "tests", "keyrelay-mock-provider")
    port_file = os.path.join(tmp, "mock.port")
    attempts = [["--threads", str(threads)], []] if threads else [[]]
    for extra in attempts:
        proc = procs.start("mock", [binary, "--port-file", port_file, *extra], log_path=os.path.join(tmp, "mock.log"))
        try:
            port = int(wait_for_file(port_file, proc, "mock provider"))
            return proc, port, bool(extra)
        except BenchError:
            if not extra:
                raise
            log("the mock provider does not take --threads yet; starting it with its default")
    raise AssertionError("unreachable")


def chat_prefix(mock_port):
    """The mock path an OpenAI base URL points at. /openai answers chat once the mock has the chat
    routes; until then Perplexity's validation call (POST /chat/completions, an OpenAI
    chat.completion) stands in, so (a) and (b) measure the same shape of exchange."""
    for prefix in ("/openai", "/perplexity"):
        status, _ = request(mock_port, "POST", prefix + "/chat/completions", BODY, PROVIDER_KEY)
        if 200 <= status < 300:
            if prefix != "/openai":
                log(f"the mock has no POST /openai/chat/completions yet; using {prefix}/chat/completions")
            return prefix
    raise BenchError("the mock provider answers no chat completion route")


NGINX_CONF = """\
worker_processes auto;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/nginx-body;
  proxy_temp_path {tmp}/nginx-proxy;
  fastcgi_temp_path {tmp}/nginx-fastcgi;
  uwsgi_temp_path {tmp}/nginx-uwsgi;
  scgi_temp_path {tmp}/nginx-scgi;
  keepalive_requests 1000000;
  upstream mock {{
    server 127.0.0.1:{mock_port};
    keepalive 64;
    keepalive_requests 1000000;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
"""


def start_nginx(procs, tmp, mock_port, nginx):
    port = free_port()
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(tmp=tmp, mock_port=mock_port, port=port))
    # -p: a private prefix; -e: the error log before the config is read (not /var/log/nginx).
    proc = procs.start("nginx", [nginx, "-p", tmp, "-c", conf, "-e", os.path.join(tmp, "nginx-error.log")],
                       log_path=os.path.join(tmp, "nginx.out"))
    wait_for_file(os.path.join(tmp, "nginx.pid"), proc, "nginx")
    deadline = time.monotonic() + 10
    while True:
        try:
            request(port, "GET", "/_mock/requests", timeout=2)
            return proc, port
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise BenchError("nginx did not start; see " + os.path.join(tmp, "nginx-error.log"))
            time.sleep(0.05)


def keyrelay_env(tmp, mock_port, prefix):
    env = dict(os.environ)
    env.update({
        "KEYRELAY_DATA_DIR": os.path.join(tmp, "data"),
        "KEYRELAY_LISTEN": "127.0.0.1:0",
        "KEYRELAY_PORT_FILE": os.path.join(tmp, "keyrelay.port"),
        "KEYRELAY_LOG_LEVEL": "warn",
        "KEYRELAY_PROVIDER_OPENAI_BASE_URL": f"http://127.0.0.1:{mock_port}{prefix}",
        # Generous limits: the benchmark measures the path, not the limiter saying no.
        "KEYRELAY_RATE_LIMIT_MUTATIONS": "off",
        "KEYRELAY_RATE_LIMIT_VALIDATIONS": "off",
        "KEYRELAY_RATE_LIMIT_AUTH_FAILURES": "off",
        "KEYRELAY_RATE_LIMIT_GATEWAY": "off",
        "KEYRELAY_GATEWAY_MAX_CONCURRENT_PER_USER": "0",
    })
    return env


def keyrelay_cli(binary, env, *args):
    res = subprocess.run([binary, "--json", *args], env=env, capture_output=True, text=True, timeout=60)
    if res.returncode != 0:
        raise BenchError(f"keyrelay {' '.join(args)} failed ({res.returncode}): {res.stderr.strip()[:300]}")
    return res.stdout


def start_keyrelay(procs, build, tmp, mock_port, prefix):
    binary = os.path.join(build, "keyrelay")
    env = keyrelay_env(tmp, mock_port, prefix)
    keyrelay_cli(binary, env, "init", "--admin", "bench-admin")
    keyrelay_cli(binary, env, "user", "add", "bench")
    gateway_token = json.loads(keyrelay_cli(binary, env, "token", "issue", "--user", "bench",
                                            "--scopes", "gateway", "--name", "bench-gateway"))["token"]
    keys_token = json.loads(keyrelay_cli(binary, env, "token", "issue", "--user", "bench",
                                         "--scopes", "keys:write", "--name", "bench-keys"))["token"]
    proc = procs.start("keyrelay", [binary, "serve"], env=env, log_path=os.path.join(tmp, "keyrelay.log"))
    port = int(wait_for_file(env["KEYRELAY_PORT_FILE"], proc, "keyrelay"))
    wait_ready(port, proc, "keyrelay")
    status, body = request(port, "POST", "/api/v1/keys",
                           json.dumps({"provider": "openai", "name": "bench", "secret": PROVIDER_KEY}), keys_token)
    if status != 201:
        raise BenchError(f"storing the bench key failed: HTTP {status} {body[:300]}")
    return proc, port, gateway_token


# ---- wrk ---------------------------------------------------------------------------------------

WRK_SCRIPT = """\
wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"

-- One JSON line with exact figures (microseconds, every error kind) for the driver to read.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def wrk_script(tmp, name, token):
    path = os.path.join(tmp, f"{name}.lua")
    with open(path, "w") as f:
        f.write(WRK_SCRIPT.format(body=BODY, token=token))
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


def measure(wrk, url, script, connections, args, tmp, label, pids, all_pids, reset_mock):
    """Warm-up, then the measured run with the CPU time of `pids` (all processes of the server), and
    how much of the machine processes other than ours (`all_pids` and wrk) used meanwhile."""
    run_wrk(wrk, url, script, connections, args.warmup, tmp, label + " warm-up")
    reset_mock()
    before = sum(cpu_ticks(p) for p in pids)
    ours_before = sum(cpu_ticks(p) for p in all_pids) + children_ticks()
    busy_before, all_before = machine_ticks()
    r = run_wrk(wrk, url, script, connections, args.duration, tmp, label)
    busy_after, all_after = machine_ticks()
    ours_after = sum(cpu_ticks(p) for p in all_pids) + children_ticks()
    after = sum(cpu_ticks(p) for p in pids)
    reset_mock()
    errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    r.update({
        "connections": connections,
        "rps": r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0,
        "errors": errors,
        "ok": errors == 0 and r["requests"] > 0,
        "cpu_us_per_request": (after - before) * 1e6 / CLK_TCK / r["requests"] if r["requests"] else None,
        # Other engineers' builds share the 2 cores: a run they crowded is not comparable.
        "others_pct": max(0.0, (busy_after - busy_before) - (ours_after - ours_before)) * 100
                      / max(1, all_after - all_before),
    })
    return r


def combine(runs):
    """One figure per cell from several rounds: the median of each number, errors summed."""
    if len(runs) == 1:
        return runs[0]
    med = lambda key: statistics.median(r[key] for r in runs)
    out = dict(runs[0])
    for key in ("rps", "p50_us", "p99_us", "cpu_us_per_request", "others_pct"):
        out[key] = med(key)
    out["requests"] = sum(r["requests"] for r in runs)
    out["errors"] = sum(r["errors"] for r in runs)
    out["ok"] = all(r["ok"] for r in runs)
    out["rounds"] = len(runs)
    return out


# ---- report ------------------------------------------------------------------------------------

def fmt_us(us):
    return "-" if us is None else (f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.0f} us")


def result_table(results, connections):
    lines = [f"{'scenario':<10}{'conns':>6}{'req/s':>11}{'p50':>11}{'p99':>11}{'errors':>8}{'CPU us/req':>12}"
             f"{'others':>8}  status"]
    for name in SCENARIOS:
        for c in connections:
            r = results.get(name, {}).get(c)
            if r is None:
                continue
            if "unavailable" in r:
                lines.append(f"{name:<10}{c:>6}  {r['unavailable']}")
                continue
            cpu = "-" if r["cpu_us_per_request"] is None else f"{r['cpu_us_per_request']:.1f}"
            status = "ok" if r["ok"] else "FAILED (errors: results not valid)"
            lines.append(f"{name:<10}{c:>6}{r['rps']:>11.0f}{fmt_us(r['p50_us']):>11}{fmt_us(r['p99_us']):>11}"
                         f"{r['errors']:>8}{cpu:>12}{r['others_pct']:>7.0f}%  {status}")
    return lines


def valid(results, name, c):
    r = results.get(name, {}).get(c)
    return r if r and r.get("ok") else None


def targets(results, rss, micro, connections):
    """Rows (figure, value, target, verdict); verdict is 'met', 'not met' or 'n/a: why'."""
    rows = []
    hi, lo = max(connections), min(connections)
    di, ng, kr = (valid(results, n, hi) for n in SCENARIOS)
    if kr and ng:
        ratio = kr["rps"] / ng["rps"]
        rows.append((f"throughput at {hi} conns, keyrelay / nginx", f"{ratio:.2f}x ({kr['rps']:.0f} / {ng['rps']:.0f} req/s)",
                     ">= 0.70x", "met" if ratio >= 0.7 else "not met"))
    else:
        rows.append((f"throughput at {hi} conns, keyrelay / nginx", "-", ">= 0.70x", why_missing(results, hi)))
    di, ng, kr = (valid(results, n, lo) for n in SCENARIOS)
    if kr and ng and di:
        kr_added, ng_added = kr["p50_us"] - di["p50_us"], ng["p50_us"] - di["p50_us"]
        ok = kr_added <= 1.5 * max(ng_added, 0)
        ratio = f"{kr_added / ng_added:.2f}x" if ng_added > 0 else "n/a"
        rows.append((f"added p50 at {lo} conn, keyrelay / nginx", f"{ratio} ({kr_added:.0f} / {ng_added:.0f} us)",
                     "<= 1.50x", "met" if ok else "not met"))
    else:
        rows.append((f"added p50 at {lo} conn, keyrelay / nginx", "-", "<= 1.50x", why_missing(results, lo)))
    cpu = [(c, r["cpu_us_per_request"]) for c in connections if (r := valid(results, "keyrelay", c))]
    if cpu:
        worst_c, worst = max(cpu, key=lambda x: x[1])
        rows.append(("keyrelay CPU per request (worst run)", f"{worst:.1f} us (at {worst_c} conns)", "<= 30 us",
                     "met" if worst <= 30 else "not met"))
    else:
        rows.append(("keyrelay CPU per request (worst run)", "-", "<= 30 us", why_missing(results, hi)))
    if rss:
        idle = rss["idle_kb"] / 1024
        rows.append(("keyrelay RSS idle", f"{idle:.1f} MB (peak {rss['peak_kb'] / 1024:.1f} MB)", "<= 30 MB",
                     "met" if idle <= 30 else "not met"))
    else:
        rows.append(("keyrelay RSS idle", "-", "<= 30 MB", "n/a: keyrelay not started"))
    open_ns = micro.get("BM_EnvelopeOpen", (None,))[0]
    if open_ns is not None:
        rows.append(("envelope open (micro)", f"{open_ns / 1000:.2f} us", "<= 2 us", "met" if open_ns <= 2000 else "not met"))
    else:
        rows.append(("envelope open (micro)", "-", "<= 2 us", "n/a: no micro-benchmark results"))
    return rows


def why_missing(results, c):
    kr = results.get("keyrelay", {}).get(c)
    if kr and "unavailable" in kr:
        return "n/a: " + kr["unavailable"]
    return "n/a: a run failed"


def load_micro(path):
    """{name: (real time in ns per iteration, ns per item or None)} from Google Benchmark's JSON."""
    if not path or not os.path.exists(path):
        return {}
    with open(path) as f:
        data = json.load(f)
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
    out = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        per_item = 1e9 / b["items_per_second"] if b.get("items_per_second") else None
        out[b["name"]] = (b["real_time"] * scale[b.get("time_unit", "ns")], per_item)
    return out


def print_report(results, rss, micro, connections, notes):
    print()
    print("== load (wrk) ==")
    for line in result_table(results, connections):
        print(line)
    if micro:
        print()
        print("== micro (Google Benchmark, real time per operation) ==")
        for name, (ns, per_item) in micro.items():
            extra = f"  ({per_item:.0f} ns per event)" if per_item else ""
            print(f"{name:<40}{ns / 1000:>9.2f} us{extra}")
    print()
    print("== targets (ratios from this run) ==")
    rows = targets(results, rss, micro, connections)
    w = max(len(r[0]) for r in rows)
    v = max(len(r[1]) for r in rows)
    for figure, value, target, verdict in rows:
        print(f"{figure:<{w}}  {value:<{v}}  {target:<9}  {verdict}")
    for note in notes:
        print(f"note: {note}")
    return rows


# ---- main --------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build-bench", help="build dir with keyrelay and the mock provider")
    ap.add_argument("--duration", type=int, default=10, help="seconds of each measured run")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each run")
    ap.add_argument("--connections", default="1,16,64", help="comma list of wrk connection counts")
    ap.add_argument("--rounds", type=int, default=1,
                    help="repeat the whole sweep, interleaved; each figure is the median of the rounds")
    ap.add_argument("--mock-threads", type=int, default=2, help="--threads of the mock (0: its default)")
    ap.add_argument("--micro", help="Google Benchmark JSON to include in the table")
    ap.add_argument("--json-out", help="write every figure here as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (logs, configs)")
    args = ap.parse_args()
    connections = sorted({int(c) for c in args.connections.split(",")})

    wrk = shutil.which("wrk")
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if not wrk or not nginx:
        raise BenchError("wrk and nginx are needed: run scripts/install-bench-deps.sh")

    tmp = tempfile.mkdtemp(prefix="keyrelay-bench-")
    procs = Processes()
    results = {name: {} for name in SCENARIOS}
    rss = None
    notes = []
    try:
        mock, mock_port, threaded = start_mock(procs, args.build, tmp, args.mock_threads)
        if not threaded:
            notes.append("the mock provider ran on one thread (no --threads yet)")
        prefix = chat_prefix(mock_port)
        if prefix != "/openai":
            notes.append(f"upstream route {prefix}/chat/completions (the mock has no /openai chat route yet)")
        reset_mock = lambda: request(mock_port, "POST", "/_mock/reset")  # its request log grows per request
        nginx_proc, nginx_port = start_nginx(procs, tmp, mock_port, nginx)
        nginx_master = int(open(os.path.join(tmp, "nginx.pid")).read())
        nginx_pids = [nginx_master, *children_of(nginx_master)]
        log(f"mock on {mock_port}, nginx on {nginx_port} ({len(nginx_pids) - 1} workers)")

        kr_proc, kr_port, token = start_keyrelay(procs, args.build, tmp, mock_port, prefix)
        status, body = request(kr_port, "POST", "/v1/chat/completions", BODY, token)
        rss = {"idle_kb": status_kb(kr_proc.pid, "VmRSS")}  # after start and one request, before load
        kr_unavailable = None
        if status == 404:
            kr_unavailable = "not available (/v1/chat/completions answers 404 in this build)"
        elif not 200 <= status < 300:
            kr_unavailable = f"not available (/v1/chat/completions answers {status}: {body[:120]})"
        log(f"keyrelay on {kr_port}, RSS idle {rss['idle_kb']} kB; chat: HTTP {status}")

        targets_of = {
            "direct": (f"http://127.0.0.1:{mock_port}{prefix}/chat/completions", PROVIDER_KEY, [mock.pid]),
            "nginx": (f"http://127.0.0.1:{nginx_port}{prefix}/chat/completions", PROVIDER_KEY, nginx_pids),
            "keyrelay": (f"http://127.0.0.1:{kr_port}/v1/chat/completions", token, [kr_proc.pid]),
        }
        all_pids = [mock.pid, *nginx_pids, kr_proc.pid]
        runs = {}
        # Interleaved (every scenario at 1, then at 16, ...), so a burst of load from elsewhere on the
        # machine hits neighbouring figures alike rather than one scenario.
        for round_no in range(1, args.rounds + 1):
            for c in connections:
                for name in SCENARIOS:
                    if name == "keyrelay" and kr_unavailable:
                        results[name][c] = {"unavailable": kr_unavailable}
                        continue
                    url, bearer, pids = targets_of[name]
                    label = f"{name} c={c}" + (f" round {round_no}" if args.rounds > 1 else "")
                    log(f"running {label} ({args.warmup} s warm-up + {args.duration} s)")
                    runs.setdefault((name, c), []).append(
                        measure(wrk, url, wrk_script(tmp, name, bearer), c, args, tmp, label, pids, all_pids, reset_mock))
        for (name, c), cell in runs.items():
            results[name][c] = combine(cell)
        rss["peak_kb"] = status_kb(kr_proc.pid, "VmHWM")
        rss["after_kb"] = status_kb(kr_proc.pid, "VmRSS")
    finally:
        procs.stop()
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    micro = load_micro(args.micro)
    rows = print_report(results, rss, micro, connections, notes)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"results": {n: {str(c): r for c, r in v.items()} for n, v in results.items()},
                       "rss": rss, "micro_ns": micro, "notes": notes,
                       "targets": [dict(zip(("figure", "value", "target", "verdict"), r)) for r in rows]},
                      f, indent=2)
    failed = any(not r.get("ok", True) for v in results.values() for r in v.values() if "unavailable" not in r)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        log(f"error: {e}")
        sys.exit(1)
