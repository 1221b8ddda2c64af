#!/usr/bin/env bash
# Run the test suite against a throwaway PostgreSQL cluster and Redis server, stopped on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."

find_pg_bin() {
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

missing=()
[ -n "$(find_pg_bin)" ] || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# Creators write emoji in their bios; without a colour emoji font the browser tests' screenshots show boxes.
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || missing+=(fonts-noto-color-emoji)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
PG_BIN=$(find_pg_bin)

work=$(mktemp -d /tmp/ip-test.XXXXXX)
chmod 755 "$work"
redis_port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  status=$?
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  if [ -f "$work/redis.pid" ]; then
    redis_pid=$(cat "$work/redis.pid")
    kill "$redis_pid" 2>/dev/null || true
    # Redis (or a test process still exiting) may write its last lines while the folder goes.
    for _ in $(seq 50); do kill -0 "$redis_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$work" 2>/dev/null || { sleep 1; rm -rf "$work" || true; }
  exit $status
}
trap cleanup EXIT INT TERM

as_postgres() {
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$work"; runuser -u postgres -- "$@"; else "$@"; fi
}

as_postgres "$PG_BIN/initdb" -D "$work/pg" -U postgres --auth=trust --encoding=UTF8 --no-sync >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start \
  -o "-c listen_addresses='' -k $work -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log"

export DATABASE_URL="postgres://postgres@/influencer_platform?host=$work"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
export DJANGO_SETTINGS_MODULE=influencer_platform.settings.test
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

# The direction of imports between the apps (.importlinter) holds before any test runs.
.venv/bin/lint-imports --no-logo

# Most of the suite's time is spent waiting (on workers, servers, the browser), so several test
# processes share the two cores well; each gets its own PostgreSQL and Redis database
# (influencer_platform/settings/test.py). TEST_WORKERS=0, or -n / -p no:xdist in the arguments, decides otherwise.
workers=(-n "${TEST_WORKERS:-3}")
for arg in "$@"; do
  case "$arg" in -n|-n*|--numprocesses*|no:xdist) workers=() ;; esac
done
[ "${TEST_WORKERS:-3}" = 0 ] && workers=()
.venv/bin/python -m pytest "${workers[@]}" "$@"
