#!/usr/bin/env bash
# Start N replicas of the app behind nginx (sticky sessions by cookie) on loopback,
# then run the classroom load test through nginx, then stop everything.
#   bash scripts/replicas.sh                 # 2 replicas, 40 sessions
#   REPLICAS=3 SESSIONS=60 bash scripts/replicas.sh
#   KEEP=1 bash scripts/replicas.sh          # leave it running (Ctrl-C stops it)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REPLICAS="${REPLICAS:-2}"
SESSIONS="${SESSIONS:-40}"
PORT="${PORT:-8600}"
RUNDIR="$(mktemp -d /tmp/mlp-replicas.XXXXXX)"
pids=()

cleanup() {
    [ -f "$RUNDIR/nginx.pid" ] && kill "$(cat "$RUNDIR/nginx.pid")" 2>/dev/null || true
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

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
fi
