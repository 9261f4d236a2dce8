#!/usr/bin/env bash
# Console figures from the real binary in tmux (release build):
#  1. `tracetop demo --rate RATE` for MINUTES: resident memory and CPU
#     sampled every 30 s (is memory flat once the store is warm?);
#  2. idle CPU: the console on a replay that has ended (nothing changes),
#     CPU time used over 20 s;
#  3. first frame: time from launch to the first drawn screen.
# Usage: scripts/bench-console.sh [MINUTES] [RATE]   (defaults 10, 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-10}
RATE=${2:-1000}
cargo build --release --quiet
BIN=$PWD/target/release/tracetop
WORK=$(mktemp -d /tmp/tracetop-bench-console.XXXXXX)
SESSION=tracetop-bench-$$
cleanup() { tmux kill-session -t "$SESSION" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
tick() { getconf CLK_TCK; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
pid_of() { # the tracetop process: it replaced the pane's shell (exec)
  local p
  for _ in $(seq 50); do
    p=$(tmux display-message -p -t "$SESSION" '#{pane_pid}')
    if grep -q tracetop "/proc/$p/comm" 2>/dev/null; then echo "$p"; return; fi
    sleep 0.1
  done
  echo "tracetop did not start" >&2; exit 1
}

tmux new-session -d -x 200 -y 50 -s "$SESSION" sh

# --- 3. first frame ------------------------------------------------------------
t0=$(date +%s%N)
tmux send-keys -t "$SESSION" "exec $BIN demo --rate $RATE --seed 42" Enter
until tmux capture-pane -p -t "$SESSION" | grep -q "Feed ·"; do sleep 0.005; done
t1=$(date +%s%N)
echo "first frame visible after $(( (t1 - t0) / 1000000 )) ms (launch through tmux capture, upper bound)"

# --- 1. memory and CPU over time ----------------------------------------------
pid=$(pid_of)
hz=$(tick)
echo "demo --rate $RATE for $MINUTES min (pid $pid):"
prev=$(cpu_ticks "$pid")
for i in $(seq 1 $((MINUTES * 2))); do
  sleep 30
  now=$(cpu_ticks "$pid")
  echo "  t=$((i * 30))s rss=$(( $(rss_kb "$pid") / 1024 )) MiB cpu=$(( (now - prev) * 100 / (30 * hz) ))% of one core"
  prev=$now
done
tmux send-keys -t "$SESSION" q
sleep 1

# --- 2. idle CPU ------------------------------------------------------------------
python3 - > "$WORK/rec.jsonl" <<'PY'
import json, datetime
t0 = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.timezone.utc)
for i in range(2000):
    at = (t0 + datetime.timedelta(milliseconds=50 * i)).isoformat().replace("+00:00", "Z")
    print(json.dumps({"type": "log", "log": {"id": f"log-{i}", "level": "INFO",
        "module": "bench", "message": f"line {i}", "timestamp": at, "trace_id": f"t{i % 50}"}}))
PY
tmux kill-session -t "$SESSION" 2>/dev/null || true
tmux new-session -d -x 200 -y 50 -s "$SESSION" sh
tmux send-keys -t "$SESSION" "exec $BIN --replay $WORK/rec.jsonl --speed 0" Enter
pid=$(pid_of)
sleep 5
a=$(cpu_ticks "$pid")
sleep 20
b=$(cpu_ticks "$pid")
echo "idle (replay ended, nothing changes): $(( (b - a) * 1000 / (20 * hz) ))‰ of one core over 20 s ($((b - a)) ticks of 1/$hz s)"
tmux send-keys -t "$SESSION" q
