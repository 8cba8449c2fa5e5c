#!/usr/bin/env bash
# A keyrelay cluster on one machine, for people to try scale-out: a private PostgreSQL, a private
# Redis, two keyrelay nodes on them and nginx in front, all on loopback, all under one state
# directory. Never touches the packaged services (they may be running; their ports are not used).
#
#   scripts/cluster.sh start [build-dir]   starts whatever is not running; prints the URL and token
#   scripts/cluster.sh stop                stops everything, keeps the data (start again resumes)
#   scripts/cluster.sh status              what runs where
#   scripts/cluster.sh postgres            only the PostgreSQL (bench/load.py's one-node scenario)
#
# Settings (environment): CLUSTER_DIR (default /tmp/keyrelay-cluster), CLUSTER_PORT (nginx, 8090),
# CLUSTER_PG_PORT (15432), CLUSTER_REDIS_PORT (16379), CLUSTER_NODE_PORTS ("18081 18082") — all below
# the ephemeral range, so a client connection cannot be holding them.
# PostgreSQL refuses to run as root: when root, its programs run as the `postgres` user.
set -euo pipefail

dir="${CLUSTER_DIR:-/tmp/keyrelay-cluster}"
port="${CLUSTER_PORT:-8090}"
pg_port="${CLUSTER_PG_PORT:-15432}"
redis_port="${CLUSTER_REDIS_PORT:-16379}"
read -r -a node_ports <<<"${CLUSTER_NODE_PORTS:-18081 18082}"
build="${2:-build}"
keyrelay="$(cd "$(dirname "$0")/.." && pwd)/$build/keyrelay"

say() { echo "cluster: $*"; }
die() { echo "cluster: $*" >&2; exit 1; }

pg_bin() {
  local v
  v="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)"
  [ -n "$v" ] || die "PostgreSQL is not installed (make deps installs it)"
  echo "/usr/lib/postgresql/$v/bin"
}
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
wait_for_port() {  # port, what
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  die "$2 did not come up on port $1 (logs in $dir)"
}
secret() { head -c 24 /dev/urandom | base64 | tr -d '/+=' ; }
# A secret made once and kept (mode 0600) so a restart of the cluster finds the same one.
kept_secret() {
  local file="$dir/$1"
  [ -s "$file" ] || (umask 077 && secret >"$file")
  cat "$file"
}

start_postgres() {
  local bin data="$dir/postgres"
  bin="$(pg_bin)"
  local password; password="$(kept_secret postgres-password)"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "initdb in $data"
    mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$data" "$dir/postgres-password"
    chmod 700 "$data"
    as_postgres "$bin/initdb" -D "$data" -U keyrelay --pwfile="$dir/postgres-password" -A scram-sha-256 \
      --no-sync >"$dir/initdb.log" 2>&1 || die "initdb failed: see $dir/initdb.log"
    [ "$(id -u)" -eq 0 ] && chown root: "$dir/postgres-password"
  fi
  if as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    say "PostgreSQL already runs on port $pg_port"
  else
    as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 start \
      -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$data" >/dev/null ||
      die "PostgreSQL did not start: see $data/server.log"
    say "PostgreSQL on 127.0.0.1:$pg_port"
  fi
  if ! PGPASSWORD="$password" psql -h 127.0.0.1 -p "$pg_port" -U keyrelay -d postgres -Atc \
      "SELECT 1 FROM pg_database WHERE datname = 'keyrelay'" | grep -q 1; then
    PGPASSWORD="$password" psql -h 127.0.0.1 -p "$pg_port" -U keyrelay -d postgres -qc "CREATE DATABASE keyrelay" ||
      die "cannot create the keyrelay database"
  fi
}

start_redis() {
  local password; password="$(kept_secret redis-password)"
  if alive "$dir/redis.pid"; then say "Redis already runs on port $redis_port"; return; fi
  mkdir -p "$dir/redis"
  # The password goes through stdin (a config read from "-"), not argv, where ps would show it.
  printf 'requirepass %s\n' "$password" |
    redis-server - --port "$redis_port" --bind 127.0.0.1 --dir "$dir/redis" --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save "" --appendonly yes
  wait_for_port "$redis_port" Redis
  say "Redis on 127.0.0.1:$redis_port"
}

node_env() {
  local pg_password redis_password
  pg_password="$(kept_secret postgres-password)"
  redis_password="$(kept_secret redis-password)"
  export KEYRELAY_DATABASE_URL="postgres://keyrelay:$pg_password@127.0.0.1:$pg_port/keyrelay"
  export KEYRELAY_REDIS_URL="redis://:$redis_password@127.0.0.1:$redis_port/0"
  export KEYRELAY_DATA_DIR="$dir/data"
  export KEYRELAY_KEYRING_FILE="$dir/keyring.toml"
  # nginx is the only client; it sets X-Forwarded-For, which keyrelay trusts from loopback only.
  export KEYRELAY_TRUSTED_PROXIES="127.0.0.1/32"
}

start_nodes() {
  [ -x "$keyrelay" ] || die "$keyrelay is not built (make cluster builds it)"
  node_env
  mkdir -p "$dir/data" && chmod 700 "$dir/data"
  # One keyring for every node, made once (a keyring file, so `master-key rotate` works).
  [ -f "$KEYRELAY_KEYRING_FILE" ] || "$keyrelay" keygen --keyring "$KEYRELAY_KEYRING_FILE" >/dev/null ||
    die "cannot write the keyring"
  if [ ! -s "$dir/admin-token" ]; then
    local out
    out="$("$keyrelay" --json init --if-needed)" || die "keyrelay init failed"
    if [ -n "$out" ]; then
      (umask 077 && /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["token"]["token"])' \
        <<<"$out" >"$dir/admin-token") || die "cannot read the admin token from init's answer"
    fi
  fi
  local i=0
  for p in "${node_ports[@]}"; do
    i=$((i + 1))
    if alive "$dir/node$i.pid"; then say "node $i already runs on port $p"; continue; fi
    KEYRELAY_LISTEN="127.0.0.1:$p" nohup "$keyrelay" serve >"$dir/node$i.log" 2>&1 &
    echo $! >"$dir/node$i.pid"
    wait_for_port "$p" "keyrelay node $i"
    say "keyrelay node $i on 127.0.0.1:$p (log $dir/node$i.log)"
  done
}

start_nginx() {
  local nginx
  nginx="$(command -v nginx || echo /usr/sbin/nginx)"
  [ -x "$nginx" ] || die "nginx is not installed (make cluster installs it)"
  if alive "$dir/nginx.pid"; then say "nginx already runs on port $port"; return; fi
  mkdir -p "$dir/nginx"
  {
    echo "worker_processes 1;"
    echo "pid $dir/nginx.pid;"
    echo "error_log $dir/nginx/error.log warn;"
    echo "events { worker_connections 4096; }"
    echo "http {"
    echo "  access_log off;"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $dir/nginx/$t;"; done
    echo "  upstream keyrelay {"
    for p in "${node_ports[@]}"; do echo "    server 127.0.0.1:$p max_fails=1 fail_timeout=2s;"; done
    echo "    keepalive 64;"
    echo "  }"
    echo "  server {"
    echo "    listen 127.0.0.1:$port;"
    echo "    client_max_body_size 2m;"
    echo "    location / {"
    echo "      proxy_pass http://keyrelay;"
    echo "      proxy_http_version 1.1;"
    echo "      proxy_set_header Connection \"\";"
    echo "      proxy_set_header Host \$host;"
    echo "      proxy_set_header X-Forwarded-For \$remote_addr;"
    # streamed answers (SSE) go out as they come
    echo "      proxy_buffering off;"
    echo "      proxy_read_timeout 300s;"
    # a node that is down is skipped for requests that are safe to repeat
    echo "      proxy_next_upstream error timeout http_502 http_503;"
    echo "    }"
    echo "  }"
    echo "}"
  } >"$dir/nginx/nginx.conf"
  "$nginx" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" ||
    die "nginx did not start: see $dir/nginx/error.log"
  wait_for_port "$port" nginx
  say "nginx on 127.0.0.1:$port"
}

stop_pidfile() {  # file, what
  if alive "$1"; then
    local pid; pid="$(cat "$1")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    say "stopped $2"
  fi
  rm -f "$1"
}

case "${1:-}" in
  start)
    mkdir -p "$dir" && chmod 755 "$dir"
    start_postgres
    start_redis
    start_nodes
    start_nginx
    echo
    echo "keyrelay cluster: http://127.0.0.1:$port   (nodes: ${node_ports[*]}, state: $dir)"
    if [ -s "$dir/admin-token" ]; then
      echo "admin token:      $(cat "$dir/admin-token")   (kept in $dir/admin-token, mode 0600)"
    else
      echo "admin token:      the database was initialized earlier; its token was printed then"
    fi
    echo "try:              curl -H \"Authorization: Bearer \$(cat $dir/admin-token)\" http://127.0.0.1:$port/api/v1/keys"
    echo "stop:             make cluster-stop"
    ;;
  postgres)
    mkdir -p "$dir" && chmod 755 "$dir"
    start_postgres
    ;;
  stop)
    stop_pidfile "$dir/nginx.pid" nginx
    for i in $(seq 1 "${#node_ports[@]}"); do stop_pidfile "$dir/node$i.pid" "keyrelay node $i"; done
    if [ -f "$dir/redis.pid" ]; then stop_pidfile "$dir/redis.pid" Redis; fi
    if [ -f "$dir/postgres/PG_VERSION" ] && as_postgres "$(pg_bin)/pg_ctl" -D "$dir/postgres" status >/dev/null 2>&1; then
      as_postgres "$(pg_bin)/pg_ctl" -D "$dir/postgres" -m fast -w stop >/dev/null && say "stopped PostgreSQL"
    fi
    ;;
  status)
    alive "$dir/nginx.pid" && say "nginx on $port" || say "nginx: stopped"
    i=0; for p in "${node_ports[@]}"; do i=$((i + 1)); alive "$dir/node$i.pid" && say "node $i on $p" || say "node $i: stopped"; done
    alive "$dir/redis.pid" && say "Redis on $redis_port" || say "Redis: stopped"
    [ -f "$dir/postgres/postmaster.pid" ] && say "PostgreSQL on $pg_port" || say "PostgreSQL: stopped"
    ;;
  *) echo "usage: $0 start [build-dir] | stop | status | postgres" >&2; exit 2 ;;
esac
