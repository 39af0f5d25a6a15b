#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests: `start DIR` (prints the URL), `stop DIR`.
# initdb on DIR (a fresh folder), listening on 127.0.0.1 only, trust auth on loopback, fsync off.
# initdb refuses to run as root: as root, the server runs as the `postgres` user (or `nobody`).
set -euo pipefail

bindir() {
    local found
    found="$(command -v pg_ctl 2>/dev/null || true)"
    if [ -n "$found" ]; then dirname "$found"; return; fi
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [ -n "$found" ] && [ -x "$found/initdb" ] && { echo "$found"; return; }
    return 1
}

as_owner() {  # run "$@" as the server's owner
    if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

cmd="${1:-}"; dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
BIN="$(bindir)" || { echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; }
PG_USER=postgres
id -u postgres >/dev/null 2>&1 || PG_USER=nobody

case "$cmd" in
start)
    port="${PGPORT_THROWAWAY:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown "$PG_USER" "$dir"
    chmod 700 "$dir"
    as_owner "$BIN/initdb" -D "$dir/data" -U attune --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o \
        "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://attune@127.0.0.1:$port/postgres"
    ;;
stop)
    [ -d "$dir/data" ] && as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
