#!/usr/bin/env bash
# Start N replicas of the app behind nginx (sticky sessions by cookie) on loopback,
# then run the classroom load test through nginx, then stop everything.
#   bash scripts/replicas.sh                 # 2 replicas, 40 sessions
#   REPLICAS=3 SESSIONS=60 bash scripts/replicas.sh
#   KEEP=1 bash scripts/replicas.sh          # leave it running (Ctrl-C stops it)
#   MLP_PLAYGROUND_DB=postgresql://user:pw@host/db bash scripts/replicas.sh   # your own server
# Every replica keeps runs and classes in one PostgreSQL database (MLP_PLAYGROUND_DB), so a
# class joined through one replica is on the board served by another. Without
# MLP_PLAYGROUND_DB, a throwaway cluster is started here (Debian's postgresql, run as the
# postgres user on a free loopback port) and removed at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REPLICAS="${REPLICAS:-2}"
SESSIONS="${SESSIONS:-40}"
PORT="${PORT:-8600}"
RUNDIR="$(mktemp -d /tmp/mlp-replicas.XXXXXX)"
pids=()
PGDIR=""     # the throwaway cluster's folder, when this script started one
PGBIN=""

cleanup() {
    [ -f "$RUNDIR/nginx.pid" ] && kill "$(cat "$RUNDIR/nginx.pid")" 2>/dev/null || true
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ -n "$PGDIR" ]; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 \
            || true
        rm -rf "$PGDIR"
    fi
}
trap cleanup EXIT

# Debian keeps initdb and pg_ctl in /usr/lib/postgresql/<version>/bin, off PATH.
find_initdb() {
    command -v initdb 2>/dev/null \
        || ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1
}

start_postgres() {
    if [ -z "$(find_initdb)" ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1
        fi
        apt-get -o DPkg::Lock::Timeout=600 update -qq
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
            postgresql >/dev/null
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "starting a PostgreSQL cluster needs root (runuser -u postgres); or set" >&2
        echo "MLP_PLAYGROUND_DB to a server of yours" >&2
        exit 1
    fi
    PGBIN="$(dirname "$(readlink -f "$(find_initdb)")")"
    PGDIR="$(mktemp -d /tmp/mlp-replicas-pg.XXXXXX)"
    chown postgres:postgres "$PGDIR"
    local port
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 \
        >"$RUNDIR/postgres-initdb.log" 2>&1
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $PGDIR" start >/dev/null
    runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres playground
    export MLP_PLAYGROUND_DB="postgresql://postgres@127.0.0.1:$port/playground"
}

if [ -z "${MLP_PLAYGROUND_DB:-}" ]; then
    start_postgres
fi
export MLP_PLAYGROUND_DB
# Migrate once here, so the replicas start on a ready schema (they would also agree between
# themselves: migrations take a lock).
python3 -c 'import mlp_store; mlp_store.open_store()' \
    || { echo "the runs database is not reachable: $MLP_PLAYGROUND_DB" >&2; exit 1; }
echo "runs database: $(python3 -c 'import mlp_store.engine as e; print(e.resolve_url().render_as_string(hide_password=True))')"

if ! command -v nginx >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then echo "nginx is not installed (apt-get install nginx)" >&2; exit 1; fi
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq nginx-light \
        >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

# One cookie secret for all replicas, so a cookie issued by one is valid on every one.
SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
upstreams=""
for i in $(seq 1 "$REPLICAS"); do
    port=$((PORT + i))
    # Streamlit takes the cookie secret only from its config or the environment.
    STREAMLIT_SERVER_COOKIE_SECRET="$SECRET" python3 -m streamlit run app.py \
        --server.headless true --server.address 127.0.0.1 --server.port "$port" \
        >"$RUNDIR/replica-$i.log" 2>&1 &
    pids+=("$!")
    upstreams+="        server 127.0.0.1:$port;"$'\n'
done
for i in $(seq 1 "$REPLICAS"); do
    port=$((PORT + i))
    for _ in $(seq 1 120); do
        curl -fs "http://127.0.0.1:$port/_stcore/health" >/dev/null 2>&1 && break
        sleep 0.5
    done
    curl -fs "http://127.0.0.1:$port/_stcore/health" >/dev/null \
        || { echo "replica $i did not start:" >&2; tail -20 "$RUNDIR/replica-$i.log" >&2; exit 1; }
done

python3 - "$RUNDIR" "$PORT" "$upstreams" <<'PY'
import pathlib, sys
rundir, port, upstreams = sys.argv[1:4]
text = pathlib.Path("deploy/nginx.conf.template").read_text()
text = (text.replace("@RUNDIR@", rundir).replace("@LISTEN@", f"127.0.0.1:{port}")
            .replace("@UPSTREAMS@", upstreams.rstrip("\n")))
pathlib.Path(rundir, "nginx.conf").write_text(text)
PY
"$NGINX" -p "$RUNDIR" -c "$RUNDIR/nginx.conf"
curl -fs "http://127.0.0.1:$PORT/_stcore/health" >/dev/null || { echo "nginx did not answer" >&2; exit 1; }
echo "nginx on http://127.0.0.1:$PORT in front of $REPLICAS replicas (logs in $RUNDIR)"

if [ -n "${KEEP:-}" ]; then
    echo "running; Ctrl-C stops"
    wait
else
    # Memory and CPU are the replicas' together (nginx's own are not counted).
    pid_args=()
    for pid in "${pids[@]}"; do pid_args+=(--server-pid "$pid"); done
    # Each replica is warmed directly (through nginx the warm-up reaches only one).
    for i in $(seq 1 "$REPLICAS"); do pid_args+=(--warm-url "http://127.0.0.1:$((PORT + i))"); done
    python3 -m loadtest --url "http://127.0.0.1:$PORT" --sessions "$SESSIONS" \
        "${pid_args[@]}" "$@"
    echo "runs saved in the shared database: $(python3 -c 'import mlp_store; print(mlp_store.open_store().count_runs())')"
fi
