#!/usr/bin/env bash
# The MCP Inspector CLI (@modelcontextprotocol/inspector 2.x, pinned, on Node 22) lists and calls
# shopmcp's tools over stdio, Streamable HTTP (with a bearer token) and legacy SSE.
# Exits non-zero if any listing or call fails or answers with an error.
#
# Usage: scripts/inspector.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"

tools="$("$here/node-tools.sh")"
node="$tools/node_modules/.bin/node"
inspector="$tools/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"
work="$(mktemp -d)"
trap 'stop_server; rm -rf "$work"' EXIT

checks=0
inspect() {
    local label="$1" out
    shift
    out="$work/out.json"
    local catalog=(env "MCP_CATALOG_PATH=$work/catalog.json")
    # A --config file and the writable catalog exclude each other.
    [[ " $* " == *" --config "* ]] && catalog=(env -u MCP_CATALOG_PATH)
    if ! timeout 120 "${catalog[@]}" "$node" "$inspector" --cli "$@" >"$out" 2>"$work/err.txt"; then
        echo "FAIL  $label" >&2
        cat "$work/err.txt" "$out" >&2
        exit 1
    fi
    if "$python" - "$out" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
sys.exit(1 if isinstance(result, dict) and result.get("isError") else 0)
PY
    then
        echo "PASS  $label: $(head -c 160 "$out" | tr '\n' ' ')..."
        checks=$((checks + 1))
    else
        echo "FAIL  $label answered with an error:" >&2
        cat "$out" >&2
        exit 1
    fi
}

inspect_all() {
    local transport="$1"
    shift
    inspect "$transport tools/list" "$@" --method tools/list
    inspect "$transport tools/call list_categories" "$@" --method tools/call --tool-name list_categories
    inspect "$transport tools/call search_products" "$@" --method tools/call --tool-name search_products \
        --tool-arg query=headphones --tool-arg limit=3
    inspect "$transport tools/call new_session" "$@" --method tools/call --tool-name new_session
}

# stdio: the Inspector starts the server itself.
stdio_data="$work/stdio"
mkdir -p "$stdio_data"
inspect_all stdio -e "SHOPMCP_DATA_DIR=$stdio_data" -e SHOPMCP_DEMO_PRODUCTS=300 \
    -e "SHOPMCP_DATABASE_URL=sqlite:///$stdio_data/shopmcp.db" \
    "$python" -m shopmcp serve

# Streamable HTTP with a static bearer token.
http_data="$work/http"
mkdir -p "$http_data"
port="$(free_port)"
token="$("$python" -m shopmcp token create --principal inspector --file "$http_data/tokens.json" \
    --audience "http://127.0.0.1:$port/mcp" 2>/dev/null)"
SERVE_PORT="$port" start_server "$http_data" http SHOPMCP_TOKENS_FILE="$http_data/tokens.json"
inspect_all http "http://127.0.0.1:$SHOPMCP_PORT/mcp" --transport http --header "Authorization: Bearer $token"

# The Claude Desktop configs of the README and docs/serving.md, as files in Claude Desktop's format: stdio, and the remote server
# through the mcp-remote bridge with the token in an env variable (the Inspector reads the same format).
remote="$tools/node_modules/mcp-remote/dist/proxy.js"
cat >"$work/claude_desktop_config.json" <<JSON
{
  "mcpServers": {
    "shopmcp-local": {
      "command": "$root/.venv/bin/shopmcp",
      "args": ["serve"],
      "env": {"SHOPMCP_DATA_DIR": "$stdio_data", "SHOPMCP_DATABASE_URL": "sqlite:///$stdio_data/shopmcp.db"}
    },
    "shopmcp-remote": {
      "command": "$node",
      "args": ["$remote", "http://127.0.0.1:$SHOPMCP_PORT/mcp", "--header", "Authorization:\${AUTH_HEADER}"],
      "env": {"AUTH_HEADER": "Bearer $token"}
    }
  }
}
JSON
for server in shopmcp-local shopmcp-remote; do
    inspect "claude_desktop_config.json $server tools/list" --config "$work/claude_desktop_config.json" \
        --server "$server" --method tools/list
    inspect "claude_desktop_config.json $server tools/call new_session" \
        --config "$work/claude_desktop_config.json" --server "$server" --method tools/call --tool-name new_session
done
stop_server

# Legacy SSE, on loopback without auth.
start_server "$work/sse" sse
inspect_all sse "http://127.0.0.1:$SHOPMCP_PORT/sse" --transport sse
stop_server

echo "inspector: $checks checks passed over stdio, Streamable HTTP, SSE and Claude Desktop configs"
