# Shared by the scripts: start a throwaway shopmcp server in the background and stop it again.
# Source it; it sets SHOPMCP_PORT and SHOPMCP_PID. Everything is bounded: the server must answer
# /healthz within 60 s.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="$root/.venv/bin/python"

free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server DATA_DIR TRANSPORT [extra env assignments...]   (port: $SERVE_PORT, else a free one)
start_server() {
    local data_dir="$1" transport="$2"
    shift 2
    SHOPMCP_PORT="${SERVE_PORT:-$(free_port)}"
    mkdir -p "$data_dir"
    env SHOPMCP_ENV=development SHOPMCP_DATA_DIR="$data_dir" SHOPMCP_DATABASE_URL= \
        SHOPMCP_DEMO_PRODUCTS="${SHOPMCP_DEMO_PRODUCTS:-300}" SHOPMCP_LOG_FORMAT=json "$@" \
        "$python" -m shopmcp serve --transport "$transport" --port "$SHOPMCP_PORT" \
        >/dev/null 2>"$data_dir/server.log" &
    SHOPMCP_PID=$!
    for _ in $(seq 1 600); do
        if "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
            "http://127.0.0.1:$SHOPMCP_PORT/healthz" >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$SHOPMCP_PID" 2>/dev/null; then
            echo "server exited early:" >&2
            tail -n 40 "$data_dir/server.log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "server did not become healthy in 60 s" >&2
    tail -n 40 "$data_dir/server.log" >&2
    return 1
}

stop_server() {
    if [ -n "${SHOPMCP_PID:-}" ] && kill -0 "$SHOPMCP_PID" 2>/dev/null; then
        kill -INT "$SHOPMCP_PID"
        for _ in $(seq 1 100); do kill -0 "$SHOPMCP_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SHOPMCP_PID" 2>/dev/null || true
    fi
    SHOPMCP_PID=
}
