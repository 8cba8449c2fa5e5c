"""What every benchmark driver here shares: owning child processes, reading their CPU and memory
from /proc, free ports, and a small HTTP client. Standard library only."""

import ctypes
import http.client
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PR_SET_CHILD_SUBREAPER = 36


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


def become_subreaper():
    """Daemons that our scripts start (pg_ctl's postgres, redis --daemonize, nginx, nohup'd nodes)
    are re-parented to this process instead of init, so descendants() finds every process this run
    started and the final clean-up can stop a straggler by its pid. Linux only; False elsewhere."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def descendants(pid=None):
    """Every live process below `pid` (default: this one), by walking /proc's parent links."""
    root = pid or os.getpid()
    parent_of = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent_of[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    found, frontier = [], {root}
    while frontier:
        nxt = {p for p, pp in parent_of.items() if pp in frontier}
        found.extend(nxt)
        frontier = nxt
    return found


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


def stop_stragglers(timeout=10.0):
    """SIGTERM, then SIGKILL, every descendant still alive after the orderly stops, then reaps the
    zombies the subreaper collected. Each by its pid: these are all processes this run started."""
    reap_zombies()
    left = [p for p in descendants() if alive(p)]
    for pid in left:
        log(f"pid {pid} ({command_of(pid)}) still runs after the clean-up; sending SIGTERM")
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while left and time.monotonic() < deadline:
        reap_zombies()
        time.sleep(0.1)
        left = [p for p in left if alive(p)]
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    reap_zombies()


def command_of(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()[:80]
    except OSError:
        return "?"


def reap_zombies():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


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


_taken_low_ports = set()


def free_low_port():
    """A free port below the ephemeral range (32768 on Linux), so that no client connection of this
    run can be holding it between now and the server's bind (scripts/cluster.sh chooses so too)."""
    for _ in range(200):
        port = random.randrange(20000, 32000)
        if port in _taken_low_ports:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken_low_ports.add(port)
        return port
    raise BenchError("no free port between 20000 and 32000")


# ---- CPU and memory from /proc -----------------------------------------------------------------

def cpu_ticks(pid):
    """utime + stime of a whole process (all its threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)


def ticks_of(pids):
    """{pid: CPU ticks} of the processes that still exist."""
    out = {}
    for pid in pids:
        try:
            out[pid] = cpu_ticks(pid)
        except (OSError, ValueError, IndexError):
            pass
    return out


def ticks_between(before, after):
    """CPU ticks used between two ticks_of() snapshots; a process born in between counts from 0
    (a PostgreSQL backend forked for a new connection). One that ended in between is lost."""
    return sum(t - before.get(pid, 0) for pid, t in after.items())


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


def fsync_latency_us(directory, max_ops=200, max_seconds=1.0):
    """Median time of an 8 kB write + fdatasync in `directory` (where the databases live). Every
    key create is one durable commit, and other builders' disk traffic moves this by 20x on the
    shared machine, so a key create figure is read beside it."""
    path = os.path.join(directory, "fsync-probe")
    times = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        block = b"\0" * 8192
        deadline = time.monotonic() + max_seconds
        while len(times) < max_ops and time.monotonic() < deadline:
            start = time.perf_counter()
            os.pwrite(fd, block, 0)
            os.fdatasync(fd)
            times.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        os.unlink(path)
    times.sort()
    return times[len(times) // 2] * 1e6


def machine_load(directory=None):
    """How busy the shared machine is right now: load averages, CPU pressure where the kernel has
    it (the share of time some runnable task waited for a CPU), and the disk's fdatasync latency
    in `directory` when given."""
    out = {"cpus": os.cpu_count()}
    if directory:
        out["fdatasync_us"] = fsync_latency_us(directory)
    with open("/proc/loadavg") as f:
        out["loadavg"] = [float(x) for x in f.read().split()[:3]]
    try:
        with open("/proc/pressure/cpu") as f:
            some = f.readline().split()  # some avg10=.. avg60=.. avg300=.. total=..
            out["cpu_pressure_some_avg60"] = float(some[2].split("=")[1])
    except (OSError, IndexError, ValueError):
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
    """Until GET /readyz answers 200. `proc` is a Popen, a pid, or None (nothing to watch)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if isinstance(proc, subprocess.Popen) and proc.poll() is not None:
            raise BenchError(f"{what} exited with code {proc.returncode}")
        if isinstance(proc, int) and not alive(proc):
            raise BenchError(f"{what} (pid {proc}) exited")
        try:
            if request(port, "GET", "/readyz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise BenchError(f"{what} did not answer /readyz within {timeout:.0f} s")
