#!/usr/bin/env bash
# Grades the uniws client with the Autobahn|Testsuite fuzzing server (all 517 cases), through the
# Rust API, the Swift layer and the Kotlin layer, each with a driver written the way application
# code is (it lets a session go as soon as an error arrives). Fails on any FAILED case or any
# difference from autobahn/expected-results.json, so the three languages get identical results.
#
#   bash autobahn/run.sh [rust] [swift] [kotlin]   # from the repository root; default: all three
#
# Needs ../shared/autobahn. The suite's venv is built once under target/ (about 40 s, from PyPI)
# and reused; the Swift driver runs in the Swift chroot (`cargo xtask swift-test` makes it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${AUTOBAHN_SHARED:-$root/../shared/autobahn}
venv=$root/target/autobahn-venv
cd "$root"
languages=("$@")
((${#languages[@]})) || languages=(rust swift kotlin)

if [ ! -x "$venv/bin/wstest" ]; then
  VENV="$venv" SRC="$root/target/autobahn-src" bash "$shared/setup.sh"
fi

for language in "${languages[@]}"; do
  echo "== autobahn: the $language driver"
  work=$root/target/autobahn-run/$language
  agent=uniws-$language
  rm -rf "$work"
  export AUTOBAHN_SHARED="$shared" WSTEST="$venv/bin/wstest" AGENT="$agent" WORKDIR="$work" \
    PORT="${AUTOBAHN_PORT:-9001}"
  case $language in
    rust)
      cargo build --release --example autobahn_client
      bash "$shared/run-client.sh" "$root/target/release/examples/autobahn_client"
      ;;
    swift | kotlin) cargo xtask autobahn "$language" ;;
    *) echo "autobahn: unknown language $language" >&2; exit 2 ;;
  esac
  index=$work/reports/clients/index.json
  failed=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1]))[sys.argv[2]]; print(' '.join(k for k,v in d.items() if 'FAILED' in (v['behavior'], v['behaviorClose'])))" "$index" "$agent")
  if [ -n "$failed" ]; then
    echo "autobahn: the $language driver FAILED cases: $failed" >&2
    exit 1
  fi
  python3 "$shared/compare.py" "$root/autobahn/expected-results.json:uniws" "$index:$agent"
  echo "autobahn: $language: no FAILED case; every case matches autobahn/expected-results.json"
done
