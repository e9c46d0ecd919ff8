#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the store tests.
#
#   scripts/pg-test-cluster.sh start DIR   initdb into DIR/data, start it, write its URI to DIR/url
#   scripts/pg-test-cluster.sh stop DIR    stop it and remove DIR/data (idempotent)
#
# The server listens on 127.0.0.1 only, on a free port picked here, with trust authentication for
# loopback connections and no fsync (the data is thrown away). Its unix socket is in DIR. initdb
# refuses to run as root, so as root the cluster belongs to the `postgres` system user the Debian
# package creates (runuser); otherwise to the caller. DIR/url holds a libpq URI such as
# postgresql://postgres@127.0.0.1:54321/postgres; the tests read it (EVIDEX_TEST_PG_FILE).
#
# When the PostgreSQL binaries are absent (PG_BIN, default /usr/lib/postgresql/15/bin), `start`
# says so, writes no url but DIR/unavailable (why) and succeeds: the PostgreSQL test variants
# then skip and say why.
# `start` on a DIR whose cluster still runs (a killed test run) stops that one first.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
data=$dir/data

# Runs a PostgreSQL binary as the cluster's owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  rm -f "$dir/url" "$dir/unavailable"
  if [ -f "$data/postmaster.pid" ] && [ -x "$PG_BIN/pg_ctl" ]; then
    # immediate: the data is thrown away, no checkpoint needed.
    as_owner "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  if [ -f "$data/postmaster.pid" ]; then
    # pg_ctl failed (binaries gone?): stop the postmaster by its own pid file.
    pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -QUIT "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  rm -rf "$data"
}

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

start() {
  mkdir -p "$dir"
  stop
  if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
    why="PostgreSQL binaries not found in $PG_BIN (install postgresql-15: make deps)"
    echo "$why" >"$dir/unavailable"
    echo "pg-test-cluster: $why; PostgreSQL store tests will be skipped" >&2
    exit 0
  fi
  mkdir -p "$data"
  if [ "$(id -u)" = 0 ]; then
    getent passwd postgres >/dev/null || {
      echo "pg-test-cluster: running as root and there is no 'postgres' user to own the cluster" >&2
      exit 1
    }
    chown postgres: "$dir" "$data"
  fi
  chmod 700 "$data"
  as_owner "$PG_BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1 || {
    echo "pg-test-cluster: initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    exit 1
  }
  # Unix socket beside the data unless the path is too long for sockaddr_un (107 bytes).
  sockets=$dir
  [ ${#dir} -le 80 ] || sockets=""
  # Loopback only, trust. The initdb default hba also trusts the local socket, nothing else.
  cat >"$data/pg_hba.conf" <<EOF
local all all                trust
host  all all 127.0.0.1/32   trust
EOF
  # Several engineers (and CI jobs) share a machine: pick a port at random among the unused ones
  # and retry when another server takes it between the check and our start.
  for attempt in $(seq 20); do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    cat >"$data/postgresql.auto.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockets'
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
max_connections = 100
shared_buffers = 128MB
EOF
    if as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1
    then
      echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$dir/url.tmp"
      mv "$dir/url.tmp" "$dir/url"
      echo "pg-test-cluster: PostgreSQL running at 127.0.0.1:$port (data $data)"
      return 0
    fi
    # The log says why; a port taken meanwhile is worth another try, anything else is not.
    grep -q "could not bind\|Address already in use" "$dir/server.log" 2>/dev/null || break
  done
  echo "pg-test-cluster: could not start PostgreSQL:" >&2
  tail -n 20 "$dir/server.log" >&2 || true
  stop
  exit 1
}

case $cmd in
  start) start ;;
  stop) [ -d "$dir" ] && stop; exit 0 ;;
  *) usage ;;
esac
