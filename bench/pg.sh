# A throwaway PostgreSQL for bench/pgstore and bench/pgscale (sourced after bench/lib.sh, not run).
#
# start_postgres DIR: initdb in DIR/pg/data (as the `postgres` user when run as root), a free loopback port, the
# socket in DIR/pg, the server's defaults (fsync and synchronous_commit on) plus $PG_SERVER_OPTS (e.g.
# "-c log_min_duration_statement=0" to log every statement's duration); sets PGPORT, PGDIR, PG_VERSION.
# stop_postgres: stops it by the postmaster's PID (call it from the script's EXIT trap).
# pg_sql DB ARGS…: psql as the `weir` superuser on database DB (e.g. pg_sql bench -Atc "SELECT 1").
# pg_url DB: the postgres:// URL of database DB.
# pg_cpu_s: CPU seconds the server has used so far (the postmaster with its reaped children, and its live
#   children: backends, background workers), from /proc; subtract two readings to get a run's share.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

as_pg() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups --reset-env "$@"; else "$@"; fi; }

start_postgres() {
    [ -x "$PG_BIN/initdb" ] || { echo "bench: no $PG_BIN/initdb (apt-get install postgresql-15)" >&2; exit 2; }
    PGDIR=$(cd "$1" && pwd)/pg
    mkdir -p "$PGDIR"
    [ "$(id -u)" = 0 ] && chown -R postgres: "$PGDIR"
    PGPORT=$("$PY" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
    as_pg "$PG_BIN/initdb" -D "$PGDIR/data" -U weir --auth=trust -E UTF8 >"$1/initdb.log" 2>&1
    # shellcheck disable=SC2086
    as_pg "$PG_BIN/postgres" -D "$PGDIR/data" -p "$PGPORT" -k "$PGDIR" -c listen_addresses=127.0.0.1 ${PG_SERVER_OPTS:-} \
        >"$1/postgres-server.log" 2>&1 &
    PG_SHELL_PID=$!
    for _ in $(seq 1 100); do "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 0.2; done
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" || { echo "bench: PostgreSQL did not start" >&2; cat "$1/postgres-server.log" >&2; exit 1; }
    PG_VERSION=$(as_pg "$PG_BIN/postgres" --version)
}

stop_postgres() {
    # $PG_SHELL_PID is the background shell's; the postmaster's own PID is the first line of postmaster.pid.
    [ -n "${PGDIR:-}" ] || return 0
    local pid
    pid=$(head -n1 "$PGDIR/data/postmaster.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -INT "$pid"
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    wait "$PG_SHELL_PID" 2>/dev/null || true
}

pg_sql() { local db=$1; shift; as_pg "$PG_BIN/psql" -h "$PGDIR" -p "$PGPORT" -U weir -d "$db" -v ON_ERROR_STOP=1 "$@"; }
pg_url() { echo "postgres://weir@127.0.0.1:$PGPORT/$1"; }
pg_cpu_s() {
    local pid ticks
    pid=$(head -n1 "$PGDIR/data/postmaster.pid")
    ticks=$(getconf CLK_TCK)
    # /proc/PID/stat: the command is in parentheses (no spaces for postgres), then state, ppid (field 4), …,
    # utime 14, stime 15, cutime 16, cstime 17.
    # Processes that end while this reads are skipped (cat's failure on them is expected).
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$pid" -v hz="$ticks" '
        $1 == pm { t += $14 + $15 + $16 + $17 } $4 == pm { t += $14 + $15 } END { printf "%.2f", t / hz }'
}
