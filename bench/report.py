"""The tables load.py prints at the end, and the targets of the issue judged on this run's figures.
Standard library only."""

import json
import os

TARGET_DEPLOYMENT = "sqlite"  # the targets were set for the single node on its default store

SCENARIO_NOTE = ("sqlite / postgres / cluster: keyrelay on that deployment. CPU: keyrelay's own "
                 "process(es) (direct: the mock, nginx: nginx); stack: with the PostgreSQL, Redis and "
                 "nginx of the deployment. others: the machine's CPU used by processes not of this run.")


def fmt_us(us):
    return "-" if us is None else (f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.0f} us")


def fmt_cpu(us):
    return "-" if us is None else f"{us:.1f}"


def status_of(r):
    return "ok" if r["ok"] else "FAILED (errors: results not valid)"


def result_table(results, scenarios, connections):
    lines = [f"{'scenario':<10}{'conns':>6}{'req/s':>11}{'p50':>11}{'p99':>11}{'errors':>8}{'CPU us/req':>12}"
             f"{'stack':>8}{'others':>8}  status"]
    for name in scenarios:
        for c in connections:
            r = results.get(name, {}).get(c)
            if r is None:
                continue
            if "unavailable" in r:
                lines.append(f"{name:<10}{c:>6}  {r['unavailable']}")
                continue
            stack = r.get("cpu_us_per_request_stack", r["cpu_us_per_request"])
            lines.append(f"{name:<10}{c:>6}{r['rps']:>11.0f}{fmt_us(r['p50_us']):>11}{fmt_us(r['p99_us']):>11}"
                         f"{r['errors']:>8}{fmt_cpu(r['cpu_us_per_request']):>12}{fmt_cpu(stack):>8}"
                         f"{r['others_pct']:>7.0f}%  {status_of(r)}")
    return lines


def create_table(creates, deployments, modes):
    lines = [f"{'deployment':<11}{'mode':<9}{'conns':>6}{'requests':>9}{'req/s':>8}{'p50':>11}{'p99':>11}"
             f"{'max':>11}{'errors':>7}{'CPU us/req':>11}{'stack':>8}{'others':>8}  status"]
    for mode in modes:
        for name in deployments:
            for c, r in sorted(creates.get(name, {}).get(mode, {}).items()):
                if "unavailable" in r:
                    lines.append(f"{name:<11}{mode:<9}{c:>6}  {r['unavailable']}")
                    continue
                lines.append(f"{name:<11}{mode:<9}{c:>6}{r['requests']:>9}{r['rps']:>8.0f}"
                             f"{fmt_us(r['p50_us']):>11}{fmt_us(r['p99_us']):>11}{fmt_us(r['max_us']):>11}"
                             f"{r['errors']:>7}{fmt_cpu(r['cpu_us_per_request']):>11}"
                             f"{fmt_cpu(r.get('cpu_us_per_request_stack')):>8}{r['others_pct']:>7.0f}%  {status_of(r)}")
    return lines


def headline(creates):
    """Key create p99 on PostgreSQL (issue 13, item 11): plain mode, at the highest concurrency run
    (and at the lowest, for the latency without a queue); None when it did not run."""
    runs = {c: r for c, r in creates.get("postgres", {}).get("plain", {}).items() if "unavailable" not in r}
    if not runs:
        return None
    hi = runs[max(runs)]
    verdict = "" if hi["ok"] else " (FAILED: errors, not valid)"
    line = (f"key create p99 on PostgreSQL: {fmt_us(hi['p99_us'])} at {max(runs)} connections "
            f"(p50 {fmt_us(hi['p50_us'])}, {hi['rps']:.0f} keys/s){verdict}")
    if len(runs) > 1:
        lo = runs[min(runs)]
        line += f"; at {min(runs)}: p99 {fmt_us(lo['p99_us'])}, p50 {fmt_us(lo['p50_us'])}"
    return line


PARTS = (("keyrelay", "cpu_us_per_request"), ("postgres", "cpu_us_per_request_postgres"),
         ("redis", "cpu_us_per_request_redis"), ("nginx", "cpu_us_per_request_nginx"))


def breakdown_table(results, creates, deployments):
    """Where the stack's CPU per request goes, part by part, for every run of a deployment."""
    lines = [f"{'run':<28}" + "".join(f"{part:>10}" for part, _ in PARTS)]
    cells = [(f"gateway {name} c={c}", r) for name in deployments for c, r in results.get(name, {}).items()]
    cells += [(f"create {mode} {name} c={c}", r) for name in deployments
              for mode, runs in creates.get(name, {}).items() for c, r in sorted(runs.items())]
    for label, r in cells:
        if "unavailable" in r:
            continue
        lines.append(f"{label:<28}" + "".join(f"{fmt_cpu(r.get(key)):>10}" for _, key in PARTS))
    return lines


def valid(results, name, c):
    r = results.get(name, {}).get(c)
    return r if r and r.get("ok") else None


def targets(results, rss, micro, connections, creates=None, stream_run=None):
    """The rows of issue 14's Targets table (and the older envelope-open target), each judged on
    this run's figures: (figure, value, target, verdict); verdict is 'met', 'not met' or 'n/a: why'."""
    rows = []
    kr_name = TARGET_DEPLOYMENT
    hi, lo = 64, 1
    ng, kr = valid(results, "nginx", hi), valid(results, kr_name, hi)
    if kr and ng:
        ratio = kr["rps"] / ng["rps"]
        rows.append((f"req/s at {hi} conns, keyrelay / nginx proxy_pass",
                     f"{ratio:.2f}x ({kr['rps']:.0f} / {ng['rps']:.0f} req/s)", ">= 0.70x",
                     "met" if ratio >= 0.7 else "not met"))
    else:
        rows.append((f"req/s at {hi} conns, keyrelay / nginx proxy_pass", "-", ">= 0.70x", why_missing(results, hi)))
    for c, limit in ((hi, 30), (lo, 60)):
        figure = f"keyrelay CPU per request at {c} conn{'s' if c > 1 else ''}"
        r = valid(results, kr_name, c)
        if r and r.get("cpu_us_per_request") is not None:
            cpu = r["cpu_us_per_request"]
            rows.append((figure, f"{cpu:.1f} us", f"<= {limit} us", "met" if cpu <= limit else "not met"))
        else:
            rows.append((figure, "-", f"<= {limit} us", why_missing(results, c)))
    di, ng, kr = valid(results, "direct", lo), valid(results, "nginx", lo), valid(results, kr_name, lo)
    if kr and ng and di:
        kr_added, ng_added = kr["p50_us"] - di["p50_us"], ng["p50_us"] - di["p50_us"]
        ok = kr_added <= 1.5 * max(ng_added, 0)
        ratio = f"{kr_added / ng_added:.2f}x" if ng_added > 0 else "n/a"
        rows.append((f"added p50 at {lo} conn, keyrelay / nginx", f"{ratio} ({kr_added:.0f} / {ng_added:.0f} us)",
                     "<= 1.50x", "met" if ok else "not met"))
    else:
        rows.append((f"added p50 at {lo} conn, keyrelay / nginx", "-", "<= 1.50x", why_missing(results, lo)))
    rows.append(memory_row(rss.get(kr_name), hi))
    rows.append(stream_row(stream_run))
    rows.append(create_row(creates or {}))
    open_ns = micro.get("BM_EnvelopeOpen", (None,))[0]
    if open_ns is not None:
        rows.append(("envelope open (micro)", f"{open_ns / 1000:.2f} us", "<= 2 us", "met" if open_ns <= 2000 else "not met"))
    else:
        rows.append(("envelope open (micro)", "-", "<= 2 us", "n/a: no micro-benchmark results"))
    return rows


def memory_row(mem, hi):
    figure = f"keyrelay RSS idle / peak under the {hi}-conn load"
    if not mem:
        return figure, "-", "<= 30 / <= 30 MB", f"n/a: keyrelay on {TARGET_DEPLOYMENT} not started"
    idle = mem["idle_kb"] / 1024
    if "load_peak_kb" not in mem:
        return figure, f"{idle:.1f} MB / -", "<= 30 / <= 30 MB", f"n/a: no run at {hi} connections"
    peak = mem["load_peak_kb"] / 1024
    return figure, f"{idle:.1f} / {peak:.1f} MB", "<= 30 / <= 30 MB", "met" if idle <= 30 and peak <= 30 else "not met"


def stream_row(stream_run):
    from streams import MAX_KIB_PER_STREAM, SECONDS, STREAMS, verdict
    value, outcome = verdict(stream_run)
    return (f"{STREAMS:,} concurrent SSE streams held {SECONDS} s, default settings", value,
            f"all, 0 failed, <= {MAX_KIB_PER_STREAM} KiB each", outcome)


def create_row(creates, clients=8, limit_us=5000):
    figure = f"key create p99, {clients} concurrent clients, {TARGET_DEPLOYMENT}"
    r = creates.get(TARGET_DEPLOYMENT, {}).get("plain", {}).get(clients)
    if r is None:
        return figure, "-", "<= 5 ms", f"n/a: no plain key create run at {clients} connections"
    if "unavailable" in r:
        return figure, "-", "<= 5 ms", "n/a: " + r["unavailable"]
    if not r["ok"]:
        return figure, fmt_us(r["p99_us"]), "<= 5 ms", "n/a: the run had errors"
    return (figure, f"{fmt_us(r['p99_us'])} (p50 {fmt_us(r['p50_us'])})", "<= 5 ms",
            "met" if r["p99_us"] <= limit_us else "not met")


def why_missing(results, c):
    kr = results.get(TARGET_DEPLOYMENT, {}).get(c)
    if kr is None and not any(c in v for v in results.values()):
        return f"n/a: no run at {c} connection{'s' if c > 1 else ''}"
    if kr and "unavailable" in kr:
        return "n/a: " + kr["unavailable"]
    if kr is None:
        return f"n/a: {TARGET_DEPLOYMENT} not run"
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


def rss_lines(rss):
    lines = []
    for name, mem in rss.items():
        peak = f", peak {mem['peak_kb'] / 1024:.1f} MB" if "peak_kb" in mem else ""
        per = f" per node ({mem['nodes']} nodes)" if mem.get("nodes", 1) > 1 else ""
        load = (f", peak under the {mem['load_connections']}-conn load {mem['load_peak_kb'] / 1024:.1f} MB"
                if "load_peak_kb" in mem else "")
        lines.append(f"{name:<10} idle {mem['idle_kb'] / 1024:.1f} MB{load}{peak}{per}")
    return lines


def machine_line(m):
    pressure = m.get("cpu_pressure_some_avg60")
    extra = f", CPU pressure (some, avg60) {pressure:.0f} %" if pressure is not None else ""
    if m.get("fdatasync_us") is not None:
        extra += f", disk 8 kB write + fdatasync {fmt_us(m['fdatasync_us'])} (median)"
    la = m["loadavg"]
    return f"{m['cpus']} CPUs, load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}{extra}"


def print_report(run, connections, notes):
    results, creates, rss, micro = run["results"], run["key_create"], run["rss"], run["micro"]
    print()
    print("== load (wrk) ==")
    for line in result_table(results, run["scenarios"], connections):
        print(line)
    print(f"  {SCENARIO_NOTE}")
    if creates:
        print()
        print("== key create (POST /api/v1/keys, every request a new key) ==")
        for line in create_table(creates, run["deployments"], run["create_modes"]):
            print(line)
        print("  plain: the default body; validate: \"validate\": true (one call to the mock provider per key)")
        line = headline(creates)
        if line:
            print(line)
    if any(d != "sqlite" for d in run["deployments"]):
        print()
        print("== CPU per request by part of the stack (us; '-': not in this deployment) ==")
        for line in breakdown_table(results, creates, run["deployments"]):
            print(line)
    if rss:
        print()
        print("== keyrelay memory (VmRSS idle after start and one request; VmHWM after all runs) ==")
        for line in rss_lines(rss):
            print(line)
    if micro:
        print()
        print("== micro (Google Benchmark, real time per operation) ==")
        for name, (ns, per_item) in micro.items():
            extra = f"  ({per_item:.0f} ns per event)" if per_item else ""
            print(f"{name:<40}{ns / 1000:>9.2f} us{extra}")
    if run.get("streams"):
        print()
        print("== stream run (bench/streams.py) ==")
        from streams import table  # noqa: E402 (only when there was a stream run)
        for line in table(run["streams"]):
            print(line)
    print()
    print(f"== targets of issue 14 (figures from this run, keyrelay on {TARGET_DEPLOYMENT}) ==")
    rows = targets(results, rss, micro, connections, creates, run.get("streams"))
    w = max(len(r[0]) for r in rows)
    v = max(len(r[1]) for r in rows)
    t = max(len(r[2]) for r in rows)
    print(f"{'figure':<{w}}  {'this run':<{v}}  {'target':<{t}}  verdict")
    for figure, value, target, verdict in rows:
        print(f"{figure:<{w}}  {value:<{v}}  {target:<{t}}  {verdict}")
    print()
    print(f"machine at start: {machine_line(run['machine']['start'])}")
    print(f"machine at end:   {machine_line(run['machine']['end'])}")
    for note in notes:
        print(f"note: {note}")
    return rows
