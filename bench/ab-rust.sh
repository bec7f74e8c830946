#!/usr/bin/env bash
# Compares two builds of bench-rust (the uniws-rust contender) against one echo server, alternating
# them for three processes each of three rounds per size, and prints every round as a JSON line
# prefixed with `old` or `new`. Run nothing else meanwhile.
#
#   git worktree add /tmp/old <commit> && (cd /tmp/old && CARGO_TARGET_DIR=/tmp/old-target \
#     cargo build --release -p uniws-bench)
#   cargo build --release -p uniws-bench
#   bash bench/ab-rust.sh /tmp/old-target/release/bench-rust target/release/bench-rust 32 1024 1048576
set -euo pipefail
old=$1 new=$2
shift 2
sizes=("${@:-32}")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
(sleep 3600 | "$root/target/release/bench-echo-server" "$work/ca.pem" > "$work/server.txt") &
server=$!
trap 'pkill -P $server 2>/dev/null; kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/server.txt" ] && [ "$(wc -l < "$work/server.txt")" -ge 3 ] && break; sleep 0.1; done
ws=$(sed -n 1p "$work/server.txt" | cut -d' ' -f2)
wss=$(sed -n 2p "$work/server.txt" | cut -d' ' -f2)
for _ in 1 2 3; do
  for build in old new; do
    binary=$old
    [ "$build" = new ] && binary=$new
    for size in "${sizes[@]}"; do
      "$binary" --ws "$ws" --wss "$wss" --ca "$work/ca.pem" --contender uniws-rust --only "$size" \
        --repeat 3 2>/dev/null | sed "s/^/$build /"
    done
  done
done
