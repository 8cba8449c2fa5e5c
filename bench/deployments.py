"""The ways keyrelay is deployed for the load benchmark, each started privately and stopped again:

  sqlite    one node on its embedded SQLite file (the zero-config default)
  postgres  one node on a private PostgreSQL (scripts/cluster.sh postgres: initdb in a temp dir,
            a free port, run as the `postgres` user when root)
  cluster   two nodes on one private PostgreSQL and one private Redis, behind nginx
            (scripts/cluster.sh start, with its state dir and every port of its own)

Every deployment has users and tokens made by the CLI, the gateway user's OpenAI key stored through
the API (so the gateway runs the same exchange on each), and a second user whose tokens the
key-create run uses, so that the keys it stores never join the gateway user's key choice.
Standard library only.
"""

import json
import os
import subprocess

from harness import (BenchError, Processes, children_of, free_low_port, log, request, status_kb,
                     wait_for_file, wait_ready)

DEPLOYMENTS = ("sqlite", "postgres", "cluster")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLUSTER_SH = os.path.join(REPO, "scripts", "cluster.sh")


# Settings that say where a deployment's data lives: each deployment sets those it needs. Other
# KEYRELAY_* variables of the caller's environment pass through (e.g. KEYRELAY_HTTP_THREADS=1 for
# an experiment).
OWN_SETTINGS = ("KEYRELAY_DATABASE_URL", "KEYRELAY_REDIS_URL", "KEYRELAY_DATA_DIR", "KEYRELAY_KEYRING_FILE",
                "KEYRELAY_MASTER_KEY", "KEYRELAY_LISTEN", "KEYRELAY_PORT_FILE")


def keyrelay_env(mock_port, prefix):
    """The settings every node of every deployment gets: the mock as OpenAI, no limiter saying no."""
    env = dict(os.environ)
    for name in OWN_SETTINGS:
        env.pop(name, None)  # where a deployment keeps its data is its own, never the caller's
    env.update({
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


def issue_token(binary, env, user, scopes, name):
    return json.loads(keyrelay_cli(binary, env, "token", "issue", "--user", user, "--scopes", scopes,
                                   "--name", name))["token"]


class Deployment:
    """What the driver needs of a running deployment: where wrk goes (`port`), the tokens, and the
    pids whose CPU a run is charged to. `stack_pids()` adds the servers keyrelay leans on
    (PostgreSQL's postmaster and backends, Redis, the nginx in front)."""

    name = "?"

    def __init__(self, build, tmp, mock_port, prefix, provider_key):
        self.binary = os.path.join(build, "keyrelay")
        self.build, self.tmp = build, tmp
        self.mock_port, self.prefix, self.provider_key = mock_port, prefix, provider_key
        self.port = None
        self.gateway_token = self.create_token = None

    def make_users(self, env):
        """Users and tokens, by the CLI on the deployment's database. Returns the keys:write token of
        the gateway user, which start() uses to store its key once the server answers."""
        keyrelay_cli(self.binary, env, "user", "add", "bench")
        keyrelay_cli(self.binary, env, "user", "add", "bench-create")
        self.gateway_token = issue_token(self.binary, env, "bench", "gateway", "bench-gateway")
        self.create_token = issue_token(self.binary, env, "bench-create", "keys:write", "bench-create")
        return issue_token(self.binary, env, "bench", "keys:write", "bench-keys")

    def store_gateway_key(self, keys_token):
        status, body = request(self.port, "POST", "/api/v1/keys",
                               json.dumps({"provider": "openai", "name": "bench", "secret": self.provider_key}),
                               keys_token)
        if status != 201:
            raise BenchError(f"{self.name}: storing the bench key failed: HTTP {status} {body[:300]}")

    def keyrelay_pids(self):
        raise NotImplementedError

    def stack_pids(self):
        return self.keyrelay_pids()

    def components(self):
        """{part: function giving its pids} of the servers under keyrelay, for the CPU breakdown."""
        return {}

    def charged(self):
        """What a run's CPU is counted for: keyrelay ("server"), the whole stack, and each part."""
        return {"server": self.keyrelay_pids, "stack": self.stack_pids, **self.components()}

    def rss_kb(self, field):
        """{pid: kB} of `field` (VmRSS, VmHWM) of every keyrelay process of the deployment."""
        return {pid: status_kb(pid, field) for pid in self.keyrelay_pids()}

    def stop(self):
        raise NotImplementedError


class SingleNode(Deployment):
    """One `keyrelay serve` this driver starts itself (on SQLite, or on a database URL)."""

    def __init__(self, *a, procs=None, state_dir=None, **kw):
        super().__init__(*a, **kw)
        self.procs = procs or Processes()
        self.proc = None
        self.dir = state_dir or os.path.join(self.tmp, self.name)

    def database_env(self):
        return {}

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        env = keyrelay_env(self.mock_port, self.prefix)
        env.update({
            "KEYRELAY_DATA_DIR": os.path.join(self.dir, "data"),
            "KEYRELAY_LISTEN": "127.0.0.1:0",
            "KEYRELAY_PORT_FILE": os.path.join(self.dir, "keyrelay.port"),
            **self.database_env(),
        })
        keyrelay_cli(self.binary, env, "init", "--admin", "bench-admin")
        keys_token = self.make_users(env)
        self.proc = self.procs.start(f"keyrelay ({self.name})", [self.binary, "serve"], env=env,
                                     log_path=os.path.join(self.dir, "keyrelay.log"))
        self.port = int(wait_for_file(env["KEYRELAY_PORT_FILE"], self.proc, f"keyrelay ({self.name})"))
        wait_ready(self.port, self.proc, f"keyrelay ({self.name})")
        self.store_gateway_key(keys_token)
        return self

    def keyrelay_pids(self):
        return [self.proc.pid] if self.proc else []

    def stop(self):
        self.procs.stop()


class SqliteDeployment(SingleNode):
    name = "sqlite"


def cluster_script(command, env, build=None):
    """Runs scripts/cluster.sh in its own session: a Ctrl-C reaches only this driver, which then
    stops everything in order (rather than half of the servers getting the signal)."""
    argv = [CLUSTER_SH, command] + ([os.path.relpath(os.path.abspath(build), REPO)] if build else [])
    res = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180, start_new_session=True)
    if res.returncode != 0:
        raise BenchError(f"scripts/cluster.sh {command} failed ({res.returncode}): "
                         f"{(res.stderr or res.stdout).strip()[-400:]}")
    return res.stdout


def postgres_pids(state_dir):
    """The postmaster (first line of its pid file) and every backend and helper it forked."""
    try:
        with open(os.path.join(state_dir, "postgres", "postmaster.pid")) as f:
            master = int(f.readline())
    except (OSError, ValueError):
        return []
    return [master, *children_of(master)]


def pid_from(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


class PostgresDeployment(SingleNode):
    """One node on a PostgreSQL of its own, started by `scripts/cluster.sh postgres` (the same
    initdb and pg_ctl as `make cluster`, nothing else) in a private state dir on a free port."""

    name = "postgres"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.state = os.path.join(self.dir, "server")
        self.script_env = dict(os.environ, CLUSTER_DIR=self.state, CLUSTER_PG_PORT=str(free_low_port()))
        self.pg_started = False

    def database_env(self):
        with open(os.path.join(self.state, "postgres-password")) as f:
            password = f.read().strip()
        port = self.script_env["CLUSTER_PG_PORT"]
        # On a database URL the data dir holds no keyring: a keyring file, as make cluster has.
        return {"KEYRELAY_DATABASE_URL": f"postgres://keyrelay:{password}@127.0.0.1:{port}/keyrelay",
                "KEYRELAY_KEYRING_FILE": self.keyring}

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        self.pg_started = True  # from here on stop() asks the script to stop what it may have started
        cluster_script("postgres", self.script_env)
        log(f"postgres: PostgreSQL on 127.0.0.1:{self.script_env['CLUSTER_PG_PORT']}")
        self.keyring = os.path.join(self.dir, "keyring.toml")
        keyrelay_cli(self.binary, dict(os.environ), "keygen", "--keyring", self.keyring)
        return super().start()

    def stack_pids(self):
        return self.keyrelay_pids() + postgres_pids(self.state)

    def components(self):
        return {"postgres": lambda: postgres_pids(self.state)}

    def stop(self):
        super().stop()
        if self.pg_started:
            cluster_script("stop", self.script_env)


class ClusterDeployment(Deployment):
    """`make cluster` as people try it: scripts/cluster.sh start with a state dir and ports of its
    own: PostgreSQL, Redis, two nodes and nginx (1 worker, keep-alive 64) in front. wrk goes to
    nginx. The nodes get the bench settings (mock as OpenAI, limits off) through the environment."""

    name = "cluster"
    nodes = 2

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.state = os.path.join(self.tmp, "cluster")
        self.node_ports = [free_low_port() for _ in range(self.nodes)]
        self.script_env = keyrelay_env(self.mock_port, self.prefix)
        self.script_env.update({
            "CLUSTER_DIR": self.state,
            "CLUSTER_PORT": str(free_low_port()),
            "CLUSTER_PG_PORT": str(free_low_port()),
            "CLUSTER_REDIS_PORT": str(free_low_port()),
            "CLUSTER_NODE_PORTS": " ".join(map(str, self.node_ports)),
        })
        self.started = False

    def cli_env(self):
        """What cluster.sh gives its nodes (scripts/cluster.sh node_env), for the CLI."""
        secret = lambda name: open(os.path.join(self.state, name)).read().strip()
        env = dict(self.script_env)
        env.update({
            "KEYRELAY_DATABASE_URL": f"postgres://keyrelay:{secret('postgres-password')}@127.0.0.1:"
                                     f"{env['CLUSTER_PG_PORT']}/keyrelay",
            "KEYRELAY_REDIS_URL": f"redis://:{secret('redis-password')}@127.0.0.1:{env['CLUSTER_REDIS_PORT']}/0",
            "KEYRELAY_DATA_DIR": os.path.join(self.state, "data"),
            "KEYRELAY_KEYRING_FILE": os.path.join(self.state, "keyring.toml"),
        })
        return env

    def start(self):
        self.started = True
        cluster_script("start", self.script_env, self.build)
        self.port = int(self.script_env["CLUSTER_PORT"])
        log(f"cluster: nginx on 127.0.0.1:{self.port}, nodes on {self.node_ports}")
        for i, p in enumerate(self.node_ports, 1):
            wait_ready(p, pid_from(os.path.join(self.state, f"node{i}.pid")), f"cluster node {i}")
        keys_token = self.make_users(self.cli_env())
        self.store_gateway_key(keys_token)
        return self

    def keyrelay_pids(self):
        pids = [pid_from(os.path.join(self.state, f"node{i}.pid")) for i in range(1, self.nodes + 1)]
        return [p for p in pids if p]

    def nginx_pids(self):
        nginx = pid_from(os.path.join(self.state, "nginx.pid"))
        return [nginx, *children_of(nginx)] if nginx else []

    def redis_pids(self):
        redis = pid_from(os.path.join(self.state, "redis.pid"))
        return [redis] if redis else []

    def stack_pids(self):
        return self.keyrelay_pids() + self.nginx_pids() + self.redis_pids() + postgres_pids(self.state)

    def components(self):
        return {"postgres": lambda: postgres_pids(self.state), "redis": self.redis_pids, "nginx": self.nginx_pids}

    def stop(self):
        if self.started:
            cluster_script("stop", self.script_env)


KINDS = {"sqlite": SqliteDeployment, "postgres": PostgresDeployment, "cluster": ClusterDeployment}
