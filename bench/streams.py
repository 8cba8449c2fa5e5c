#!/usr/bin/python3
"""The stream run of `make bench`: N concurrent streaming chats held open, through keyrelay and
straight against the mock provider (the baseline).

The mock streams every answer of the key `sk-bench-drip<ms>` as ~20 SSE events spread evenly over
--seconds + --ramp (one every ~2.8 s at the defaults), so that once the last of the N streams is open
(within the ramp) all N are held open together for --seconds or more. One asyncio client opens N
connections (at most --connects-at-once connecting at a time, so the listen backlog never
overflows), sends one `stream: true` chat on each and reads every answer to its end. A stream
counts as completed when it answered 200 and ended with `data: [DONE]`; every other ending is
counted by kind. Two cases, one after the other:

  direct    client -> mock /openai/chat/completions              (the floor: the mock's own cost)
  keyrelay  client -> keyrelay /v1/chat/completions -> mock     (at its default connection settings)

keyrelay runs on SQLite with the settings of the load run (rate limits and the per-user cap off:
one bench user holds every stream), every connection setting at its default, and the open-file
limit this machine gives a new process (keyrelay raises its soft limit to the hard one itself).
The server's memory: VmRSS just before the streams, and its peak while they are open (VmHWM,
reset first through /proc/<pid>/clear_refs); KiB per stream = (peak - before) / the most streams
open at once. The target holds when all N completed, none failed, all N were open at once, and
the KiB per stream are at most 40.

  bench/streams.py --build build-bench                     # 9,500 streams held 20 s (the target)
  bench/streams.py --build build --streams 1000 --seconds 5

Builds nothing (make bench does); owns every process it starts. Standard library only.
"""

import argparse
import asyncio
import collections
import json
import os
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import CLK_TCK, BenchError, Processes, cpu_ticks, log, status_kb, wait_for_file  # noqa: E402
from deployments import SqliteDeployment  # noqa: E402

STREAMS = 9500
SECONDS = 20
RAMP = 30  # seconds the client may take to open all N streams (each lasts SECONDS + RAMP)
MAX_KIB_PER_STREAM = 40
# 16 words of reply ("Hello from openai (gpt-4o-mini): " and these 12): with the role, finish and
# [DONE] events, 19 events (18 gaps), so one every ~2.8 s over the 50 s a stream lasts by default.
CONTENT = "ten thousand streams held open for twenty seconds each through one gateway"
MODEL = "openai/gpt-4o-mini"


def raise_own_nofile(needed):
    """This process's soft open-file limit up to the hard one (the client holds N sockets); returns
    the limits it had, which keyrelay is started with. BenchError when the hard limit is too low."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    own = hard
    if hard != resource.RLIM_INFINITY and hard < needed:
        own = needed  # root may raise its hard limit; keyrelay still gets the machine's
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (own, own))
    except (ValueError, OSError):
        raise BenchError(f"the hard open-file limit is {hard}; the stream client needs {needed} "
                         f"(run as root, raise it with `ulimit -Hn {needed}`, or use a smaller --streams)")
    return soft, hard


def chat_request(path, bearer, host="127.0.0.1"):
    body = json.dumps({"model": MODEL, "stream": True, "messages": [{"role": "user", "content": CONTENT}]})
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {bearer}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            f"{body}").encode()


class StreamClient(asyncio.Protocol):
    """One streaming chat: sends the request, keeps only the head and the last bytes of the answer
    (so 10,000 of them stay cheap), and reports how it ended when the server closes."""

    def __init__(self, request, counters, done):
        self.request, self.counters, self.done = request, counters, done
        self.head = b""
        self.tail = b""
        self.have_head = False
        self.streaming = False  # answered 200 and not ended yet

    def connection_made(self, transport):
        transport.write(self.request)

    def data_received(self, data):
        if not self.have_head:
            self.head += data
            if b"\r\n\r\n" not in self.head:
                return
            self.head, _, data = self.head.partition(b"\r\n\r\n")
            self.have_head = True
            self.streaming = self.head.startswith(b"HTTP/1.1 200 ")  # a refusal is no open stream
            if self.streaming:
                self.counters["open"] += 1
                if self.counters["open"] > self.counters["peak_open"]:
                    self.counters["peak_open"] = self.counters["open"]
                    self.counters["peak_at"] = time.monotonic()
        self.tail = (self.tail + data)[-256:]

    def connection_lost(self, exc):
        if self.streaming:
            self.counters["open"] -= 1
        if not self.done.done():
            self.done.set_result(self.outcome(exc))

    def outcome(self, exc):
        if not self.head:
            return type(exc).__name__ if exc else "closed without an answer"
        status = self.head.split(b" ", 2)[1].decode() if self.head.startswith(b"HTTP/1.1 ") else "?"
        if status == "200" and b"data: [DONE]" in self.tail:
            return "completed"
        if status != "200":
            return f"HTTP {status}"
        return "cut before [DONE]" + (f" ({type(exc).__name__})" if exc else "")


async def one_stream(port, request, gate, counters, results, deadline):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    try:
        async with gate:  # bounded bursts of connects
            transport, _ = await loop.create_connection(lambda: StreamClient(request, counters, done),
                                                        "127.0.0.1", port)
    except OSError as e:
        results[f"connect: {type(e).__name__}"] += 1
        return
    try:
        results[await asyncio.wait_for(done, max(1.0, deadline - time.monotonic()))] += 1
    except asyncio.TimeoutError:
        results["still open at the deadline"] += 1
        transport.abort()


async def hold_streams(port, request, count, seconds, connects_at_once, sample):
    results = collections.Counter()
    counters = {"open": 0, "peak_open": 0, "peak_at": time.monotonic()}
    gate = asyncio.Semaphore(connects_at_once)
    started = time.monotonic()
    deadline = started + seconds + 60

    async def watch():
        while True:
            sample()
            await asyncio.sleep(0.5)

    watcher = asyncio.create_task(watch())
    await asyncio.gather(*(one_stream(port, request, gate, counters, results, deadline) for _ in range(count)))
    watcher.cancel()
    return results, counters["peak_open"], counters["peak_at"] - started


def cpu_seconds(pid):
    try:
        return cpu_ticks(pid) / CLK_TCK
    except (OSError, ValueError, IndexError):
        return 0.0


def reset_peak(pid):
    """VmHWM back to the current RSS (Linux: "5" to clear_refs), so the peak is this run's."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def measure_case(name, port, request, server_pid, args):
    """One case: N streams held through `port`; the memory of `server_pid` around them."""
    before_kb = status_kb(server_pid, "VmRSS")
    peak_reset = reset_peak(server_pid)
    sampled = {"rss_kb": before_kb, "fds": 0}

    def sample():
        try:
            sampled["rss_kb"] = max(sampled["rss_kb"], status_kb(server_pid, "VmRSS"))
            sampled["fds"] = max(sampled["fds"], len(os.listdir(f"/proc/{server_pid}/fd")))
        except (OSError, BenchError):
            pass

    log(f"stream run: {args.streams} streams held {args.seconds} s, {name}")
    started = time.monotonic()
    cpu_before = cpu_seconds(server_pid)
    results, peak_open, ramp = asyncio.run(hold_streams(port, request, args.streams, args.seconds + args.ramp,
                                                        args.connects_at_once, sample))
    cpu = cpu_seconds(server_pid) - cpu_before
    wall = time.monotonic() - started
    peak_kb = status_kb(server_pid, "VmHWM") if peak_reset else sampled["rss_kb"]
    completed = results.pop("completed", 0)
    return {
        "streams": args.streams, "seconds": args.seconds, "ramp_allowed": args.ramp, "completed": completed,
        "failed": sum(results.values()), "failures": dict(results.most_common()),
        "peak_open": peak_open, "ramp_s": round(ramp, 1), "wall_s": round(wall, 1),
        "peak_descriptors": sampled["fds"], "server_cpu_s": round(cpu, 1),
        "rss_before_kb": before_kb, "rss_peak_kb": peak_kb,
        "kib_per_stream": (peak_kb - before_kb) / max(1, peak_open),
    }


def start_mock(procs, build, tmp, threads):
    binary = os.path.join(build, "tests", "keyrelay-mock-provider")
    port_file = os.path.join(tmp, "mock.port")
    proc = procs.start("mock", [binary, "--port-file", port_file, "--threads", str(threads)],
                       log_path=os.path.join(tmp, "mock.log"))
    return proc, int(wait_for_file(port_file, proc, "mock provider"))


def with_nofile(limits, start):
    """Runs `start()` (which spawns processes) with the open-file limits `limits`, then restores ours."""
    ours = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, limits)
    try:
        return start()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, ours)


def stream_run(args):
    """Both cases; {"direct": figures, "keyrelay": figures, ...}. Stops what it started."""
    machine_limits = raise_own_nofile(args.streams + 512)
    provider_key = f"sk-bench-drip{(args.seconds + args.ramp) * 1000}"
    procs = Processes()
    out = {"machine_nofile": list(machine_limits)}
    tmp = tempfile.mkdtemp(prefix="keyrelay-streams-")
    try:
        mock, mock_port = start_mock(procs, args.build, tmp, args.mock_threads)
        out["direct"] = measure_case("direct to the mock", mock_port,
                                     chat_request("/openai/chat/completions", provider_key), mock.pid, args)
        node = SqliteDeployment(args.build, tmp, mock_port, "/openai", provider_key, procs=procs,
                                state_dir=os.path.join(tmp, "sqlite"))
        with_nofile(machine_limits, node.start)
        with open(os.path.join(node.dir, "keyrelay.log")) as f:
            out["sizing"] = [line.strip()[:300] for line in f if "upstream connections" in line]
        out["keyrelay"] = measure_case("through keyrelay", node.port,
                                       chat_request("/v1/chat/completions", node.gateway_token), node.proc.pid, args)
    finally:
        procs.stop()
        if not args.keep:
            import shutil
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"kept {tmp}")
    return out


def verdict(run, streams=STREAMS):
    """(value text, verdict) of the issue's stream target, from stream_run's figures."""
    kr = run.get("keyrelay") if run else None
    if not kr:
        return "-", "n/a: the stream run did not run"
    value = (f"{kr['completed']:,} completed, {kr['failed']:,} failed, {kr['peak_open']:,} open at once, "
             f"{kr['kib_per_stream']:.1f} KiB per stream")
    if kr["streams"] < streams:
        return value, f"n/a: {kr['streams']:,} streams run, the target is {streams:,}"
    if kr["completed"] == kr["streams"] and kr["failed"] == 0 and kr["peak_open"] < kr["streams"]:
        return value, f"not met: the last stream opened after {kr['ramp_s']:.0f} s, the first had ended"
    together = kr["seconds"] + kr["ramp_allowed"] - kr["ramp_s"]
    if kr["peak_open"] == kr["streams"] and together < kr["seconds"]:
        return value, (f"not met: all {kr['streams']:,} were open together for {together:.0f} s only "
                       f"(opening them took {kr['ramp_s']:.0f} s)")
    met = kr["completed"] == kr["streams"] and kr["failed"] == 0 and kr["kib_per_stream"] <= MAX_KIB_PER_STREAM
    return value, "met" if met else "not met"


def table(run):
    lines = [f"{'case':<10}{'streams':>8}{'completed':>10}{'failed':>8}{'peak open':>10}{'ramp':>7}{'wall':>8}"
             f"{'CPU':>7}{'RSS before':>12}{'RSS peak':>10}{'KiB/stream':>11}  failures"]
    for name in ("direct", "keyrelay"):
        r = run.get(name)
        if not r:
            continue
        failures = ", ".join(f"{n} x {what}" for what, n in r["failures"].items()) or "-"
        lines.append(f"{name:<10}{r['streams']:>8}{r['completed']:>10}{r['failed']:>8}{r['peak_open']:>10}"
                     f"{r['ramp_s']:>6.1f}s{r['wall_s']:>7.1f}s{r['server_cpu_s']:>6.1f}s{r['rss_before_kb'] / 1024:>9.1f} MB{r['rss_peak_kb'] / 1024:>7.1f} MB"
                     f"{r['kib_per_stream']:>11.1f}  {failures}")
    lines.append(f"  each stream lasts --seconds + --ramp (the mock drips ~20 events over that time); ramp: until "
                 f"the most streams were open at once; CPU and RSS of the server (direct: the mock, keyrelay: "
                 f"keyrelay); KiB per stream over the most open at once; "
                 f"open-file limit of a new process here: soft {run['machine_nofile'][0]}, hard {run['machine_nofile'][1]}")
    for line in run.get("sizing", []):
        lines.append(f"  keyrelay: {line}")
    return lines


def add_arguments(ap):
    ap.add_argument("--streams", type=int, default=STREAMS, help="concurrent streaming chats")
    ap.add_argument("--seconds", type=int, default=SECONDS, help="how long all streams are held open together")
    ap.add_argument("--ramp", type=int, default=RAMP, help="seconds allowed for opening them all")
    ap.add_argument("--connects-at-once", type=int, default=256, help="client connects in flight at most")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build-bench", help="build dir with keyrelay and the mock provider")
    ap.add_argument("--mock-threads", type=int, default=2)
    ap.add_argument("--json-out", help="write the figures here as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (logs, database)")
    add_arguments(ap)
    args = ap.parse_args()
    run = stream_run(args)
    print()
    print("== stream run ==")
    for line in table(run):
        print(line)
    value, outcome = verdict(run)
    print(f"target: {STREAMS:,} streams held {SECONDS} s at default settings, all completed, "
          f"<= {MAX_KIB_PER_STREAM} KiB per stream: {value}: {outcome}")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(run, f, indent=2)
    kr = run["keyrelay"]
    return 0 if kr["failed"] == 0 and kr["completed"] == kr["streams"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        log(f"error: {e}")
        sys.exit(1)
