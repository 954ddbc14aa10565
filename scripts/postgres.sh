#!/usr/bin/env bash
# A private PostgreSQL (Debian's package) on loopback, for the cluster tests: several James nodes
# sharing Bulwark's security store.
#
#   scripts/postgres.sh start|stop|env
#
#   BULWARK_PG_DIR   data and log folder (default: <repo>/.run/postgres)
#   BULWARK_PG_PORT  TCP port on 127.0.0.1 (default: 5433)
#
# It creates the database "bulwark" owned by user "bulwark" with password "bulwark" (scram-sha-256
# over TCP). As root, the server runs as the "postgres" system user (PostgreSQL refuses root).
# Exit status: 0 done, 1 failure (the log tail is printed), 64 usage.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_DIR="${BULWARK_PG_DIR:-${REPO_DIR}/.run/postgres}"
[[ "$PG_DIR" == /* ]] || PG_DIR="${PWD}/${PG_DIR}"
PG_PORT="${BULWARK_PG_PORT:-5433}"
DATA="${PG_DIR}/data"
LOG="${PG_DIR}/postgres.log"

err() { echo "postgres: $*" >&2; }

bin_dir() {
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n1)"
  if [ -z "$dir" ] || [ ! -x "${dir}/initdb" ]; then
    err "PostgreSQL server binaries not found; install them: apt-get install -y postgresql"
    exit 1
  fi
  echo "$dir"
}

# Runs a command as the database owner: "postgres" when we are root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin
  bin="$(bin_dir)"
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PG_DIR"; fi
  if [ ! -s "${DATA}/PG_VERSION" ]; then
    local pwfile="${PG_DIR}/pwfile"
    echo bulwark > "$pwfile"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pwfile"; fi
    as_owner "${bin}/initdb" -D "$DATA" -U bulwark --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
  fi
  as_owner "${bin}/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p ${PG_PORT} -k ${PG_DIR}" start >/dev/null || {
      err "did not start on 127.0.0.1:${PG_PORT}"; tail -n 20 "$LOG" >&2 || true; exit 1; }
  if ! as_owner "${bin}/psql" -h "$PG_DIR" -p "$PG_PORT" -U bulwark -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='bulwark'" | grep -q 1; then
    as_owner "${bin}/createdb" -h "$PG_DIR" -p "$PG_PORT" -U bulwark bulwark
  fi
  echo "postgres: ready on 127.0.0.1:${PG_PORT} (database bulwark, user bulwark)" >&2
}

stop() {
  local bin
  bin="$(bin_dir)"
  if [ -s "${DATA}/postmaster.pid" ]; then
    as_owner "${bin}/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    echo "postgres: stopped" >&2
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "BULWARK_TEST_POSTGRES=jdbc:postgresql://127.0.0.1:${PG_PORT}/bulwark" ;;
  *) echo "usage: scripts/postgres.sh start|stop|env" >&2; exit 64 ;;
esac
