#!/usr/bin/env bash
# A throw-away PostgreSQL server for running the test suite on PostgreSQL.
#
#   scripts/pg-test-server.sh start    # start it (idempotent) and print its DATABASE_URL
#   scripts/pg-test-server.sh url      # print the DATABASE_URL of the running server
#   scripts/pg-test-server.sh status   # exit 0 if it is running
#   scripts/pg-test-server.sh stop     # stop it and delete its data (idempotent)
#
#   DATABASE_URL=$(scripts/pg-test-server.sh start) make test
#
# The cluster lives in .pgtest/ (git-ignored; PGTEST_DIR to change), listens only on 127.0.0.1
# (first free port from 54329; PGTEST_PORT to choose) and on a socket inside that directory, with
# fsync off: it is for tests only. The app's role `eczema` has CREATEDB so that Django can create
# its test database. Run as root, the server runs as the `postgres` user (PostgreSQL refuses to
# run as root). Needs PostgreSQL's server binaries: initdb on PATH, or Debian's
# /usr/lib/postgresql/<version>/bin (apt-get install postgresql).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${PGTEST_DIR:-$REPO/.pgtest}"
DATA="$DIR/data"
SOCKET_DIR="$DIR/socket"
LOG="$DIR/server.log"
URL_FILE="$DIR/database-url"
ROLE=eczema
DATABASE=eczema

die() {
    echo "pg-test-server: $*" >&2
    exit 1
}

find_bindir() {
    local initdb
    if initdb="$(command -v initdb 2>/dev/null)"; then
        dirname "$(readlink -f "$initdb")"
        return
    fi
    # Debian keeps the server binaries off PATH, one directory per major version.
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$dir" && -x "$dir/initdb" ]] || die "initdb not found: install PostgreSQL (apt-get install postgresql)"
    echo "$dir"
}

# Run a PostgreSQL program as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

owner() {
    if [[ "$(id -u)" == 0 ]]; then echo postgres; else id -un; fi
}

is_running() {
    [[ -f "$DATA/PG_VERSION" ]] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

port_is_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

choose_port() {
    if [[ -n "${PGTEST_PORT:-}" ]]; then
        echo "$PGTEST_PORT"
        return
    fi
    local port
    for port in $(seq 54329 54399); do
        if port_is_free "$port"; then
            echo "$port"
            return
        fi
    done
    die "no free port between 54329 and 54399"
}

psql_admin() {
    as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$(cat "$DIR/port")" \
        -U "$(owner)" -d postgres "$@"
}

start() {
    BIN="$(find_bindir)"
    if is_running; then
        cat "$URL_FILE"
        return
    fi
    mkdir -p "$DIR"
    chmod 700 "$DIR"
    if [[ "$(id -u)" == 0 ]]; then
        chown postgres: "$DIR"
        runuser -u postgres -- test -w "$DIR" ||
            die "the postgres user cannot write to $DIR (set PGTEST_DIR, e.g. under /tmp)"
    fi
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
        rm -rf "$DATA"
        as_owner mkdir -p "$SOCKET_DIR"
        # Local socket: peer authentication (only the owner administers it).
        # TCP on 127.0.0.1: password (scram-sha-256) for the app's role.
        as_owner "$BIN/initdb" -D "$DATA" -U "$(owner)" --auth-local=peer \
            --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
            { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
    fi
    choose_port >"$DIR/port"
    local port
    port="$(cat "$DIR/port")"
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$SOCKET_DIR" \
        -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || { cat "$LOG" >&2 2>/dev/null || true; die "the server did not start"; }

    local password
    if [[ -f "$DIR/password" ]]; then
        password="$(cat "$DIR/password")"
    else
        password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
        (umask 077 && echo "$password" >"$DIR/password")
    fi
    psql_admin -v role="$ROLE" -v password="$password" -v database="$DATABASE" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'role', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
SQL
    (umask 077 && echo "postgres://$ROLE:$password@127.0.0.1:$port/$DATABASE" >"$URL_FILE")
    cat "$URL_FILE"
}

stop() {
    [[ -d "$DIR" ]] || return 0
    BIN="$(find_bindir)"
    if is_running; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    fi
    rm -rf "$DIR"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url)
        BIN="$(find_bindir)"
        is_running || die "not running (scripts/pg-test-server.sh start)"
        cat "$URL_FILE"
        ;;
    status)
        BIN="$(find_bindir)"
        is_running
        ;;
    *) echo "usage: $0 start|stop|url|status" >&2; exit 2 ;;
esac
