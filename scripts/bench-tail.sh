#!/usr/bin/env bash
# Benchmark of the live plane (issue 4), side by side in one run:
#  1. the same recorded stream served over SSE by `tracetop serve --replay`,
#     read by `tracetop tail --format jsonl`, by `curl -N`, and by
#     `curl | jq -c` (wall time, best of 5; this machine is noisy);
#  2. a row inserted in Postgres → a remote `tail` client behind `serve`:
#     p50/p95 latency over N rows.
# Usage: scripts/bench-tail.sh [EVENTS] [LATENCY_ROWS]   (release build)
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-200000}
ROWS=${2:-200}
cargo build --release --quiet
BIN=target/release/tracetop
WORK=$(mktemp -d /tmp/tracetop-bench-tail.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
TOKEN=bench-token-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$TOKEN" > "$WORK/tokens"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ms() { date +%s%N; }

# --- 1. throughput over SSE -------------------------------------------------
python3 - "$EVENTS" > "$WORK/rec.jsonl" <<'PY'
import json, sys, datetime
n = int(sys.argv[1]); t0 = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.timezone.utc)
for i in range(n):
    at = (t0 + datetime.timedelta(microseconds=1000 * i)).isoformat().replace("+00:00", "Z")
    if i % 4 == 0:
        print(json.dumps({"type": "ai_request_completed", "request": {
            "id": f"req-{i}", "request_id": f"r{i}", "user_id": f"u{i%50}", "session_id": None, "task_id": None,
            "context_id": None, "trace_id": f"t{i//8}", "mcp_execution_id": None, "provider": "openai",
            "model": "gpt-4o", "tokens_used": 900, "input_tokens": 700, "output_tokens": 200,
            "cost_microdollars": 4200, "latency_ms": 812, "cache_hit": False, "status": "completed",
            "error_message": None, "created_at": at, "updated_at": at, "completed_at": at},
            "messages": [{"request_id": f"req-{i}", "role": "assistant", "content": "Sure, here is the summary you asked for.",
                          "sequence_number": 0, "name": None, "tool_call_id": None}], "tool_calls": []}))
    else:
        print(json.dumps({"type": "log", "log": {"id": f"log-{i}", "timestamp": at, "level": "INFO",
            "module": "gateway::router", "message": f"routed request {i} to upstream", "metadata": None,
            "user_id": f"u{i%50}", "session_id": None, "task_id": None, "trace_id": f"t{i//8}",
            "context_id": None, "client_id": None}}))
PY
P=$(port)
"$BIN" serve --replay "$WORK/rec.jsonl" --speed 0 --ring-events $((EVENTS + 10)) --ring-mb 2048 \
  --close-when-done --listen 127.0.0.1:$P --token-file "$WORK/tokens" 2>"$WORK/serve.log" &
PIDS+=($!)
URL=http://127.0.0.1:$P/api/v1/stream
until grep -q "source stopped" "$WORK/serve.log"; do sleep 0.2; done
BYTES=$(curl -sN -H "Authorization: Bearer $TOKEN" -H "Last-Event-ID: 0" "$URL" | wc -c)
run() { # name, command: best wall time of 5 in ms
  local best=999999999
  for _ in 1 2 3 4 5; do local s=$(ms); bash -c "$2" >/dev/null; local e=$(( ($(ms) - s) / 1000000 )); (( e < best )) && best=$e; done
  printf '%-34s %6d ms  %8.0f events/s\n' "$1" "$best" "$(echo "$EVENTS * 1000 / $best" | bc -l)"
  eval "T_$3=$best"
}
echo "== $EVENTS recorded events served over SSE ($((BYTES / 1048576)) MiB) =="
run "curl -N > /dev/null" "curl -sN -H 'Authorization: Bearer $TOKEN' -H 'Last-Event-ID: 0' $URL > /dev/null" curl
run "tracetop tail --format jsonl" "TRACETOP_TOKEN=$TOKEN $BIN tail --remote $URL --from-cursor 0 --format jsonl --count $EVENTS > /dev/null" tail
run "curl | jq -c" "curl -sN -H 'Authorization: Bearer $TOKEN' -H 'Last-Event-ID: 0' $URL | sed -n 's/^data: //p' | jq -c . > /dev/null" jq
echo "tail / curl = $(echo "scale=2; $T_tail / $T_curl" | bc)x   (target <= 1.5x)"
echo "curl|jq / tail = $(echo "scale=2; $T_jq / $T_tail" | bc)x   (target >= 5x)"

# --- 2. Postgres row -> remote client latency --------------------------------
source scripts/pg-cluster.sh
pg_start
# pg_start installs its own EXIT trap (pg_stop); chain ours back in front.
trap 'cleanup; pg_stop' EXIT INT TERM
DB_URL="${PG_ADMIN_URL%/postgres}/benchtail"
psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE benchtail"
"$BIN" migrate --database-url "$DB_URL" >/dev/null
P2=$(port)
"$BIN" serve --database-url "$DB_URL" --listen 127.0.0.1:$P2 --token-file "$WORK/tokens" 2>"$WORK/serve2.log" &
PIDS+=($!)
until grep -q listening "$WORK/serve2.log"; do sleep 0.2; done
URL2=http://127.0.0.1:$P2/api/v1/stream
(TRACETOP_TOKEN=$TOKEN "$BIN" tail --remote "$URL2" --kind log --format jsonl --count "$ROWS" \
  | python3 -c '
import sys, json, datetime
lat = []
for line in sys.stdin:
    now = datetime.datetime.now(datetime.timezone.utc)
    ts = json.loads(line)["log"]["timestamp"].replace("Z", "+00:00")
    lat.append((now - datetime.datetime.fromisoformat(ts)).total_seconds() * 1000)
lat.sort()
print(f"== Postgres insert -> remote tail (serve, 500 ms poll), {len(lat)} rows ==")
print(f"p50 {lat[len(lat)//2]:.0f} ms   p95 {lat[int(len(lat)*0.95)-1]:.0f} ms   max {lat[-1]:.0f} ms   (target p50 < 1000 ms)")
') &
READER=$!
sleep 1
for i in $(seq 1 "$ROWS"); do
  psql -q "$DB_URL" -c "INSERT INTO logs (id, level, module, message) VALUES ('lat-$i', 'INFO', 'bench', 'x')"
  sleep 0.02
done
wait $READER
