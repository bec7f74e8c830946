#!/usr/bin/env bash
# Grades the uniws client with the Autobahn|Testsuite fuzzing server (all 517 cases) and fails on
# any FAILED case or any difference from autobahn/expected-results.json.
#
#   bash autobahn/run.sh            # from the repository root; needs ../shared/autobahn
#
# The suite's venv is built once under target/ (about 40 s, from PyPI) and reused.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${AUTOBAHN_SHARED:-$root/../shared/autobahn}
venv=$root/target/autobahn-venv
work=$root/target/autobahn-run
cd "$root"

if [ ! -x "$venv/bin/wstest" ]; then
  VENV="$venv" SRC="$root/target/autobahn-src" bash "$shared/setup.sh"
fi
cargo build --release --example autobahn_client
rm -rf "$work"
WSTEST="$venv/bin/wstest" AGENT=uniws WORKDIR="$work" PORT="${AUTOBAHN_PORT:-9001}" \
  bash "$shared/run-client.sh" "$root/target/release/examples/autobahn_client"

index=$work/reports/clients/index.json
failed=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['uniws']; print(' '.join(k for k,v in d.items() if 'FAILED' in (v['behavior'], v['behaviorClose'])))" "$index")
if [ -n "$failed" ]; then
  echo "autobahn: FAILED cases: $failed" >&2
  exit 1
fi
python3 "$shared/compare.py" "$root/autobahn/expected-results.json" "$index"
echo "autobahn: no FAILED case; every case matches autobahn/expected-results.json"
