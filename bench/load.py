#!/usr/bin/python3
"""keyrelay load benchmark: wrk against the same mock upstream, reached several ways.

  direct    wrk -> mock provider                        (the upstream's own cost)
  nginx     wrk -> nginx proxy_pass (keep-alive) -> mock (the floor for any proxy hop)
  sqlite    wrk -> keyrelay on SQLite -> mock           (auth, routing, decrypt, usage, audit)
  postgres  wrk -> keyrelay on a private PostgreSQL -> mock
  cluster   wrk -> nginx -> two keyrelay nodes on one PostgreSQL and one Redis -> mock

Each at 1, 16 and 64 connections: a 2 s warm-up, then a measured run. Reports requests/s, p50,
p99, errors, the server's CPU-us per request (keyrelay alone, and with the servers it leans on) and
keyrelay's RSS. Then, on every deployment, key create latency: POST /api/v1/keys at fixed
concurrencies (1 and 16), every request a new key (plain, and with "validate": true, which
calls the mock).
Then the stream run (bench/streams.py): 9,500 streaming chats held 20 s at once, straight against
the mock and through keyrelay at its default settings.
Ends on the targets of the issue, each a ratio taken in this same run. Builds nothing (make bench
does); owns every process it starts and stops them on exit, also on an error or Ctrl-C.
Standard library only. See BENCHMARKS.md for the method.
"""

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The helpers stay reachable as load.<name>: bench/streams.py uses them.
from harness import (BenchError, Processes, become_subreaper, children_of, free_port, log,  # noqa: E402,F401
                     machine_load, request, status_kb, stop_stragglers, wait_for_file, wait_ready)
from report import headline, load_micro, print_report  # noqa: E402
from deployments import DEPLOYMENTS, KINDS, SqliteDeployment  # noqa: E402
from key_create import MODES, check_one, create_url, key_create_script  # noqa: E402
from wrk_runs import combine, measure, write_script  # noqa: E402
import streams  # noqa: E402

BODY = '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hello bench"}]}'
PROVIDER_KEY = "sk-bench-valid"
BASELINES = ("direct", "nginx")


# ---- the upstream and the nginx baseline ------------------------------------------------------

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


def start_keyrelay(procs, build, tmp, mock_port, prefix):
    """keyrelay on SQLite in `tmp` (log in tmp/keyrelay.log), for bench/streams.py: (proc, port, token)."""
    d = SqliteDeployment(build, tmp, mock_port, prefix, PROVIDER_KEY, procs=procs, state_dir=tmp).start()
    return d.proc, d.port, d.gateway_token


GATEWAY_SCRIPT = """\
wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
"""


def gateway_script(tmp, name, token):
    return write_script(tmp, name, GATEWAY_SCRIPT.format(body=BODY, token=token))


# ---- main ----------------------------------------------------------------------------------------

class Interrupted(BaseException):
    """SIGTERM, turned into an exception so that the clean-up in main's `finally` runs."""


def on_sigterm(signum, frame):
    raise Interrupted()


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build-bench", help="build dir with keyrelay and the mock provider")
    ap.add_argument("--duration", type=int, default=10, help="seconds of each measured run")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each run")
    ap.add_argument("--connections", default="1,16,64", help="comma list of wrk connection counts (gateway)")
    ap.add_argument("--deployments", default=",".join(DEPLOYMENTS),
                    help=f"comma list of keyrelay deployments to measure, of {', '.join(DEPLOYMENTS)}")
    ap.add_argument("--create-connections", default="1,8,16",
                    help="comma list of wrk connection counts of the key create runs (0: none)")
    ap.add_argument("--create-modes", default=",".join(MODES), help=f"comma list of {', '.join(MODES)}")
    ap.add_argument("--rounds", type=int, default=1,
                    help="repeat the whole sweep, interleaved; each figure is the median of the rounds")
    ap.add_argument("--mock-threads", type=int, default=2, help="--threads of the mock (0: its default)")
    ap.add_argument("--micro", help="Google Benchmark JSON to include in the table")
    ap.add_argument("--json-out", help="write every figure here as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (logs, configs, databases)")
    streams.add_arguments(ap)  # --streams (0: no stream run), --seconds, --connects-at-once
    args = ap.parse_args()
    args.connections = sorted({int(c) for c in args.connections.split(",")})
    args.create_connections = sorted({int(c) for c in args.create_connections.split(",")} - {0})
    for option, known in (("deployments", DEPLOYMENTS), ("create_modes", MODES)):
        asked = [x for x in getattr(args, option).split(",") if x]
        if set(asked) - set(known):
            ap.error(f"--{option.replace('_', '-')}: unknown {', '.join(sorted(set(asked) - set(known)))}")
        setattr(args, option, [x for x in known if x in asked])  # always in the order of the tables
    return args


def check_tools(args):
    wrk = shutil.which("wrk")
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    missing = [] if wrk else ["wrk"]
    if not nginx:
        missing.append("nginx")
    if {"postgres", "cluster"} & set(args.deployments) and not os.path.isdir("/usr/lib/postgresql"):
        missing.append("postgresql")
    if "cluster" in args.deployments and not shutil.which("redis-server"):
        missing.append("redis-server")
    if missing:
        raise BenchError(f"{', '.join(missing)} needed: run scripts/install-bench-deps.sh")
    return wrk, nginx


def start_deployments(args, tmp, mock_port, prefix, started, unavailable):
    """Starts each deployment (all run at once, so the sweep can interleave them); one that fails
    to start is reported as such and the others are still measured."""
    for name in args.deployments:
        d = KINDS[name](args.build, tmp, mock_port, prefix, PROVIDER_KEY)
        started.append(d)  # before start(): stop() must also run for a half-started one
        log(f"starting {name}")
        try:
            d.start()
        except BenchError as e:
            log(f"{name}: {e}")
            unavailable[name] = f"not started: {e}"[:300]
            d.stop()
            started.remove(d)
            continue
        status, body = request(d.port, "POST", "/v1/chat/completions", BODY, d.gateway_token)
        if status == 404:
            unavailable[name] = "not available (/v1/chat/completions answers 404 in this build)"
        elif not 200 <= status < 300:
            unavailable[name] = f"not available (/v1/chat/completions answers {status}: {body[:120]})"
        log(f"{name}: keyrelay on {d.port}; chat: HTTP {status}")


def memory_of(d, idle=None):
    """The largest figure over the deployment's nodes (one node, or each node of the cluster)."""
    pids = d.keyrelay_pids()
    out = {"nodes": len(pids)}
    if idle is not None:
        out.update(idle)
        out["peak_kb"] = max(d.rss_kb("VmHWM").values())
        out["after_kb"] = max(d.rss_kb("VmRSS").values())
    else:
        out["idle_kb"] = max(d.rss_kb("VmRSS").values())
    return out


def run_benchmark(args, wrk, nginx, tmp, procs, started, notes):
    results = {name: {} for name in BASELINES + tuple(args.deployments)}
    creates = {}  # {deployment: {mode: {connections: figures}}}
    checked, refusals = set(), {}  # one create by hand per deployment and mode, before its runs
    rss = {}
    unavailable = {}
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

    start_deployments(args, tmp, mock_port, prefix, started, unavailable)
    for d in started:
        rss[d.name] = memory_of(d)  # after start and one request, before load

    targets_of = {
        "direct": (f"http://127.0.0.1:{mock_port}{prefix}/chat/completions", PROVIDER_KEY,
                   {"server": lambda: [mock.pid]}),
        "nginx": (f"http://127.0.0.1:{nginx_port}{prefix}/chat/completions", PROVIDER_KEY,
                  {"server": lambda: nginx_pids}),
    }
    for d in started:
        targets_of[d.name] = (f"http://127.0.0.1:{d.port}/v1/chat/completions", d.gateway_token,
                              d.charged())
    runs = {}
    # Interleaved (every scenario at 1, then at 16, ...), so a burst of load from elsewhere on the
    # machine hits neighbouring figures alike rather than one scenario.
    for round_no in range(1, args.rounds + 1):
        suffix = f" round {round_no}" if args.rounds > 1 else ""
        for c in args.connections:
            for name in results:
                if name in unavailable:
                    results[name][c] = {"unavailable": unavailable[name]}
                    continue
                url, bearer, charged = targets_of[name]
                label = f"{name} c={c}{suffix}"
                log(f"running {label} ({args.warmup} s warm-up + {args.duration} s)")
                script = gateway_script(tmp, name, bearer)
                node = next((d for d in started if d.name == name), None)
                under_load = node is not None and c == max(args.connections)
                if under_load:
                    for pid in node.keyrelay_pids():
                        streams.reset_peak(pid)  # VmHWM from here on is this load's peak
                runs.setdefault((name, c), []).append(
                    measure(wrk, url, script, c, args, tmp, label, charged, after_run=reset_mock))
                if under_load:
                    peak = max(node.rss_kb("VmHWM").values())
                    rss[name]["load_peak_kb"] = max(rss[name].get("load_peak_kb", 0), peak)
                    rss[name]["load_connections"] = c
        # Key create after the gateway runs of the round: the keys it adds are another user's, so
        # the gateway's key choice is the same in every round.
        for c in args.create_connections:
            for mode in args.create_modes:
                for d in started:
                    if (d.name, mode) not in checked:
                        checked.add((d.name, mode))
                        refused = check_one(d, mode, request)
                        if refused:
                            log(f"{d.name}: key create ({mode}): {refused}")
                            refusals[(d.name, mode)] = refused
                    if (d.name, mode) in refusals:
                        creates.setdefault(d.name, {}).setdefault(mode, {})[c] = {"unavailable": refusals[(d.name, mode)]}
                        continue
                    label = f"key create {mode} c={c} on {d.name}{suffix}"
                    log(f"running {label} ({args.warmup} s warm-up + {args.duration} s)")
                    script_for = lambda lbl, d=d, mode=mode: key_create_script(tmp, d, mode, lbl)
                    runs.setdefault((d.name, (mode, c)), []).append(
                        measure(wrk, create_url(d), None, c, args, tmp, label,
                                d.charged(), after_run=reset_mock,
                                script_for=script_for))
    for (name, cell), cell_runs in runs.items():
        if isinstance(cell, int):
            results[name][cell] = combine(cell_runs)
        else:
            mode, c = cell
            creates.setdefault(name, {}).setdefault(mode, {})[c] = combine(cell_runs)
    for d in started:
        rss[d.name] = memory_of(d, rss[d.name])
    for name, why in unavailable.items():
        if "not started" in why:
            for c in args.connections:
                results[name][c] = {"unavailable": why}
    return results, creates, rss, unavailable


def main():
    args = parse_args()
    wrk, nginx = check_tools(args)
    if not become_subreaper():
        log("cannot become a child subreaper; the 'others' column may count our daemons as others")
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background

    tmp = tempfile.mkdtemp(prefix="keyrelay-bench-")
    os.chmod(tmp, 0o755)  # PostgreSQL runs as the `postgres` user and must reach its dir inside
    procs = Processes()
    started = []
    notes = []
    machine = {"start": machine_load(tmp)}
    stream_run = None
    try:
        results, creates, rss, unavailable = run_benchmark(args, wrk, nginx, tmp, procs, started, notes)
        for d in reversed(started):  # the stream run needs the machine's descriptors and cores
            d.stop()
        started.clear()
        if args.streams > 0:
            stream_run = streams.stream_run(args)
    finally:
        for d in reversed(started):
            try:
                d.stop()
            except BenchError as e:
                log(f"stopping {d.name}: {e}")
        procs.stop()
        stop_stragglers()
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    machine["end"] = machine_load(tempfile.gettempdir())  # the run's dir is gone by now; same disk

    micro = load_micro(args.micro)
    run = {"results": results, "key_create": creates, "rss": rss, "micro": micro, "machine": machine,
           "scenarios": list(results), "deployments": args.deployments, "create_modes": args.create_modes,
           "streams": stream_run}
    rows = print_report(run, args.connections, notes)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"results": {n: {str(c): r for c, r in v.items()} for n, v in results.items()},
                       "key_create": {n: {m: {str(c): r for c, r in v.items()} for m, v in modes.items()}
                                      for n, modes in creates.items()},
                       "headline": headline(creates), "rss": rss, "micro_ns": micro, "machine": machine,
                       "streams": stream_run,
                       "notes": notes,
                       "targets": [dict(zip(("figure", "value", "target", "verdict"), r)) for r in rows]},
                      f, indent=2)
    cells = [r for v in results.values() for r in v.values()]
    cells += [r for modes in creates.values() for v in modes.values() for r in v.values()]
    failed = any(not r.get("ok", True) for r in cells if "unavailable" not in r)
    not_started = any("not started" in why for why in unavailable.values())
    streams_failed = stream_run is not None and stream_run["keyrelay"]["failed"] > 0
    return 1 if failed or not_started or streams_failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        log(f"error: {e}")
        sys.exit(1)
    except (KeyboardInterrupt, Interrupted):
        log("interrupted; everything this run started is stopped")
        sys.exit(130)
