#!/usr/bin/env bash
# Installs the external test peers: Python `websockets` in a venv under target/, Node `ws` here.
# Idempotent and quick when already done. Used by .ci/run and by developers before `cargo test`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv="$root/target/peers-venv"
if ! "$venv/bin/python" -c 'import websockets, cryptography' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
if [ ! -d "$here/node_modules/ws" ]; then
  (cd "$here" && npm install --no-audit --no-fund --silent)
fi
echo "test peers ready: $venv/bin/python ($("$venv/bin/python" -c 'import websockets; print("websockets", websockets.__version__)')), node ws $(node -p 'require("'"$here"'/node_modules/ws/package.json").version')"
