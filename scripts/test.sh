#!/usr/bin/env bash
# The one test command: installs what the tests need, lints, runs pytest.
#   bash scripts/test.sh                  # everything (unit + real-browser e2e)
#   bash scripts/test.sh -m "not e2e"     # extra arguments go to pytest
#   bash scripts/test.sh tests/test_contracts.py
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

section() { printf '\n==== %s ====\n' "$*"; }

export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_ROOT_USER_ACTION=ignore

section "python: $(python3 --version 2>&1) at $(command -v python3)"

section "pip install -r requirements-dev.txt"
pip_args=(-q -r requirements-dev.txt)
stdlib_dir="$(python3 -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')"
if [ -f "$stdlib_dir/EXTERNALLY-MANAGED" ]; then
    if [ -n "${CI:-}" ]; then
        pip_args+=(--break-system-packages)   # throwaway CI machine
    else
        echo "This python3 is externally managed (PEP 668): activate a virtualenv first." >&2
        exit 1
    fi
fi
python3 -m pip install "${pip_args[@]}"

section "browser: chromium"
if command -v chromium >/dev/null 2>&1; then
    echo "found $(command -v chromium)"
elif [ "$(id -u)" -eq 0 ]; then
    echo "chromium not found; installing Debian's package (waits for the dpkg lock if busy)"
    apt_log="$(mktemp)"
    if ! { apt-get -o DPkg::Lock::Timeout=600 update -qq \
           && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
                install -y -qq chromium; } >"$apt_log" 2>&1; then
        tail -n 40 "$apt_log" >&2
        echo "apt-get install chromium failed" >&2
        exit 1
    fi
    rm -f "$apt_log"
    echo "installed: $(command -v chromium || echo "chromium is still not on PATH")"
else
    echo "HINT: no 'chromium' command and not root. Install it with" >&2
    echo "      sudo apt-get install chromium" >&2
    echo "      Real-browser (e2e) tests will be skipped locally (they fail under CI=true)." >&2
fi

section "database: postgresql (a throwaway cluster for tests/test_store.py)"
# Debian keeps initdb and pg_ctl in /usr/lib/postgresql/<version>/bin, off PATH.
find_initdb() {
    command -v initdb 2>/dev/null \
        || ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1
}
if [ -n "$(find_initdb)" ]; then
    echo "found $(find_initdb)"
elif [ "$(id -u)" -eq 0 ]; then
    echo "initdb not found; installing Debian's postgresql (waits for the dpkg lock if busy)"
    apt_log="$(mktemp)"
    # The package's own cluster is not wanted: the tests start their own on a free port.
    if ! { apt-get -o DPkg::Lock::Timeout=600 update -qq \
           && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
                install -y -qq postgresql; } >"$apt_log" 2>&1; then
        tail -n 40 "$apt_log" >&2
        echo "apt-get install postgresql failed" >&2
        exit 1
    fi
    rm -f "$apt_log"
    echo "installed: $(find_initdb || echo "initdb is still not found")"
else
    echo "HINT: no PostgreSQL (initdb) and not root. Install it with" >&2
    echo "      sudo apt-get install postgresql" >&2
    echo "      PostgreSQL tests will be skipped locally (they fail under CI=true)." >&2
fi

section "numba cache warm-up"
mlp_help="$(python3 -m mlp_core --help 2>/dev/null || true)"
if grep -q warmup <<<"$mlp_help"; then
    python3 -m mlp_core warmup
else
    echo "skipped: 'python3 -m mlp_core warmup' is not available"
fi

section "ruff check ."
python3 -m ruff check .

section "pytest $*"
python3 -m pytest "$@"
