#!/usr/bin/python3
"""keyrelay under many concurrent streams: N streaming chats at once against one provider.

Starts the mock provider and keyrelay (as bench/load.py does), stores one OpenAI key whose mock
behaviour holds every answer for --hold-ms before it streams, then opens N client connections at
once, each sending one streaming /v1/chat/completions, and reads every answer to its end. While
they are open, every stream holds a client and a provider connection in keyrelay. Reports how
many streamed to [DONE], how the others failed, the wall time, and keyrelay's peak RSS per stream.

  bench/streams.py --build build --streams 10000
  bench/streams.py --build build --streams 10000 --origin-cap 256   # the old fixed default

keyrelay gets an open-file limit of --nofile (as README's "Sizing connections" advises), so its
default per-provider cap is derived from that. Run as root (or with a hard limit that allows it).
Builds nothing; owns every process it starts. Standard library only.
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
import load  # noqa: E402  (the process, HTTP and server helpers of the load benchmark)


def raise_nofile(limit):
    """Raises this process's open-file limit (inherited by keyrelay and the mock) towards `limit`;
    the hard limit too where that is allowed (root with CAP_SYS_RESOURCE). Returns the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < limit:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
            return limit
        except (ValueError, OSError):
            load.log(f"cannot raise the hard open-file limit to {limit}; keeping {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(limit, hard), hard))
    return min(limit, hard)


async def one_stream(port, request, connect_gate, results, counters):
    try:
        async with connect_gate:  # bounded bursts of connects, so the listen backlog never overflows
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        counters["open"] += 1
        writer.write(request)
        await writer.drain()
        data = await reader.read(-1)  # Connection: close: the answer ends at EOF
        writer.close()
        head, _, body = data.partition(b"\r\n\r\n")
        status = head.split(b" ", 2)[1].decode() if head.startswith(b"HTTP/1.1 ") else "no answer"
        if status == "200" and b"data: [DONE]" in body:
            results["completed"] += 1
        else:
            code = ""
            try:
                code = json.loads(body.decode()).get("error", {}).get("code", "")
            except ValueError:
                pass
            results[f"HTTP {status} {code}".strip()] += 1
    except OSError as e:
        results[f"{type(e).__name__}"] += 1
    finally:
        counters["open"] -= 1


async def run_streams(port, token, count, connects_at_once, sample):
    body = json.dumps({"model": "openai/gpt-4o-mini", "stream": True,
                       "messages": [{"role": "user", "content": "one of many"}]})
    request = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
               f"{body}").encode()
    results = collections.Counter()
    counters = {"open": 0, "peak_open": 0}
    gate = asyncio.Semaphore(connects_at_once)

    async def watch():
        while True:
            counters["peak_open"] = max(counters["peak_open"], counters["open"])
            sample()
            await asyncio.sleep(0.2)

    watcher = asyncio.create_task(watch())
    await asyncio.gather(*(one_stream(port, request, gate, results, counters) for _ in range(count)))
    watcher.cancel()
    return results, counters["peak_open"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="build dir with keyrelay and the mock provider")
    ap.add_argument("--streams", type=int, default=10000, help="concurrent streaming chats")
    ap.add_argument("--hold-ms", type=int, default=15000, help="how long the provider holds each answer")
    ap.add_argument("--nofile", type=int, default=65536, help="open-file limit of keyrelay and the mock")
    ap.add_argument("--origin-cap", type=int, default=0,
                    help="KEYRELAY_UPSTREAM_MAX_CONNECTIONS_PER_ORIGIN (0: keyrelay's default)")
    ap.add_argument("--connect-timeout", default="5s",
                    help="KEYRELAY_UPSTREAM_CONNECT_TIMEOUT: also how long a stream waits for a provider connection")
    ap.add_argument("--connects-at-once", type=int, default=512)
    ap.add_argument("--mock-threads", type=int, default=2)
    args = ap.parse_args()

    args.nofile = raise_nofile(args.nofile)
    procs = load.Processes()
    try:
        with tempfile.TemporaryDirectory(prefix="keyrelay-streams-") as tmp:
            _, mock_port, _ = load.start_mock(procs, args.build, tmp, args.mock_threads)
            prefix = load.chat_prefix(mock_port)
            load.PROVIDER_KEY = f"sk-bench-slow{args.hold_ms}"
            os.environ.update({
                "KEYRELAY_HTTP_MAX_CONNECTIONS": str(args.streams + 1000),
                "KEYRELAY_HTTP_MAX_CONNECTIONS_PER_CLIENT": "0",
                "KEYRELAY_GATEWAY_MAX_CONCURRENT_PER_USER": "0",
                "KEYRELAY_UPSTREAM_MAX_CONNECTIONS_PER_ORIGIN": str(args.origin_cap),
                "KEYRELAY_UPSTREAM_CONNECT_TIMEOUT": args.connect_timeout,
            })
            proc, port, token = load.start_keyrelay(procs, args.build, tmp, mock_port, prefix)
            base_kb = load.status_kb(proc.pid, "VmRSS")
            with open(os.path.join(tmp, "keyrelay.log")) as f:
                sizing = [line.strip() for line in f if "upstream connections" in line]
            peak = {"fds": 0}

            def sample():
                try:
                    peak["fds"] = max(peak["fds"], len(os.listdir(f"/proc/{proc.pid}/fd")))
                except OSError:
                    pass

            started = time.monotonic()
            results, peak_open = asyncio.run(run_streams(port, token, args.streams, args.connects_at_once, sample))
            took = time.monotonic() - started
            hwm_kb = load.status_kb(proc.pid, "VmHWM")

            print(f"streams {args.streams}, provider holds each {args.hold_ms} ms, origin cap "
                  f"{args.origin_cap or 'default'}, connect timeout {args.connect_timeout}, keyrelay nofile {args.nofile}")
            for line in sizing:
                print(f"  keyrelay: {line[:200]}")
            print(f"completed {results.pop('completed', 0)} of {args.streams} in {took:.1f} s; "
                  f"peak client connections open {peak_open}; keyrelay peak descriptors {peak['fds']}")
            for what, n in results.most_common():
                print(f"  failed: {n} × {what}")
            print(f"keyrelay RSS {base_kb // 1024} MiB before, peak {hwm_kb // 1024} MiB: "
                  f"{(hwm_kb - base_kb) / args.streams:.0f} KiB per stream")
    finally:
        procs.stop()


if __name__ == "__main__":
    main()
