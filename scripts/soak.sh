#!/usr/bin/env bash
# Soak test of the remote path (issue 14, build 9), not part of CI:
#   scripts/soak.sh [MINUTES]        (default 10, at least 2)
# A throwaway Postgres cluster gets live simulated traffic (`simulate
# --live`), `tracetop serve` relays it to 50 remote tails (`tail --remote
# --format jsonl`, one file each). Postgres is restarted every minute and
# `serve` twice. At the end every tail's events are checked against the
# database (scripts/soak_check.py: each row's final state received exactly
# once per tail, no state twice, no gap), serve's RSS (sampled every 5 s)
# must stay flat (the criterion is in soak_check.py and printed with the
# figures). Prints PASS/FAIL with the figures; exits 1 on FAIL.
# Env: SOAK_TAILS (50), SOAK_RATE (events/s, 20), TRACETOP_BIN (default:
# target/debug/tracetop, built if missing), SOAK_KEEP=1 keeps the work dir.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${1:-10}"
[[ "$MINUTES" =~ ^[0-9]+$ ]] && [ "$MINUTES" -ge 2 ] || { echo "soak: MINUTES must be a whole number ≥ 2 (got ${1:-})" >&2; exit 2; }
TAILS="${SOAK_TAILS:-50}"
RATE="${SOAK_RATE:-20}"
BIN="${TRACETOP_BIN:-target/debug/tracetop}"
[ -x "$BIN" ] || cargo build --quiet
BIN="$(realpath "$BIN")"

. scripts/pg-cluster.sh
WORK="$(mktemp -d /tmp/tracetop-soak.XXXXXX)"
PIDS_TAILS=()
SERVE_PID=""
SIM_LOOP_PID=""
SAMPLER_PID=""
cleanup() {
  set +e
  [ -n "$SIM_LOOP_PID" ] && touch "$WORK/stop-sim" && kill "$(cat "$WORK/simulate.pid" 2>/dev/null)" 2>/dev/null
  for p in "${PIDS_TAILS[@]}" $SAMPLER_PID $SIM_LOOP_PID $SERVE_PID; do kill "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${PIDS_TAILS[@]}" $SAMPLER_PID $SIM_LOOP_PID $SERVE_PID; do kill -9 "$p" 2>/dev/null; done
  pg_stop
  if [ "${SOAK_KEEP:-0}" = 1 ]; then echo "soak: work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
pg_start
trap cleanup EXIT INT TERM
DB_URL="$PG_ADMIN_URL"
PORT=$(( 20000 + $$ % 10000 ))
URL="http://127.0.0.1:$PORT"
printf 'soak-token-0123456789abcdef\n' >"$WORK/tokens"
printf 'soak-token-0123456789abcdef\n' >"$WORK/client-token"
chmod 600 "$WORK/tokens" "$WORK/client-token"

"$BIN" migrate --database-url "$DB_URL" >/dev/null
START_ISO="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)"
START_S=$(date +%s)
echo "soak: $MINUTES min, $TAILS tails, $RATE events/s, Postgres at $PG_DIR, serve on $URL"

# simulate --live stops at a lost connection: restart it (a new seed each
# time, so ids never repeat) until the end
(
  seed=1
  while :; do
    "$BIN" simulate --database-url "$DB_URL" --days 0 --live --rate "$RATE" --users 40 --seed $((seed * 1000)) \
      >>"$WORK/simulate.log" 2>&1 &
    echo $! >"$WORK/simulate.pid"
    wait $! || true
    [ -e "$WORK/stop-sim" ] && exit 0
    seed=$((seed + 1)); sleep 0.3
  done
) &
SIM_LOOP_PID=$!

start_serve() {
  "$BIN" serve --database-url "$DB_URL" --listen "127.0.0.1:$PORT" --token-file "$WORK/tokens" \
    --backfill 2h --ring-events 3000 --max-connections-per-token $((TAILS + 10)) --heartbeat 5s \
    >>"$WORK/serve.log" 2>&1 &
  SERVE_PID=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "$URL/" && return 0
    sleep 0.1
  done
  echo "soak: serve did not start (see $WORK/serve.log)" >&2; return 1
}
start_serve
for i in $(seq 1 "$TAILS"); do
  "$BIN" tail --remote "$URL" --token-file "$WORK/client-token" --format jsonl --backfill 1h --heartbeat 5s \
    >"$WORK/tail-$i.jsonl" 2>"$WORK/tail-$i.err" &
  PIDS_TAILS+=($!)
done

# serve's RSS every 5 s: "instance seconds rss_kb"
(
  while :; do
    pid=$(cat "$WORK/serve.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && rss=$(ps -o rss= -p "$pid" 2>/dev/null); then
      echo "$pid $(( $(date +%s) - START_S )) $rss" >>"$WORK/rss.txt"
    fi
    sleep 5
  done
) &
SAMPLER_PID=$!
echo "$SERVE_PID" >"$WORK/serve.pid"

# schedule: Postgres restart at every minute mark, serve at two half-minute marks
S1=$(( 30 + 60 * ((MINUTES - 1) / 3) ))
S2=$(( 30 + 60 * ((2 * (MINUTES - 1)) / 3) ))
[ "$S2" -le "$S1" ] && S2=$(( S1 + 45 ))
END=$(( MINUTES * 60 ))
PG_RESTARTS=0; SERVE_RESTARTS=0; next_pg=60
while :; do
  t=$(( $(date +%s) - START_S ))
  [ "$t" -ge "$END" ] && break
  if [ "$t" -ge "$next_pg" ]; then
    "${PG_AS[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m fast -w restart >/dev/null
    PG_RESTARTS=$((PG_RESTARTS + 1)); next_pg=$((next_pg + 60))
    echo "soak: t=${t}s $(date -u +%T) Postgres restarted ($PG_RESTARTS)"
  fi
  if { [ "$t" -ge "$S1" ] && [ "$SERVE_RESTARTS" = 0 ]; } || { [ "$t" -ge "$S2" ] && [ "$SERVE_RESTARTS" = 1 ]; }; then
    kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
    start_serve
    echo "$SERVE_PID" >"$WORK/serve.pid"
    SERVE_RESTARTS=$((SERVE_RESTARTS + 1))
    echo "soak: t=${t}s $(date -u +%T) serve restarted ($SERVE_RESTARTS)"
  fi
  sleep 1
done

# stop writing, let serve and the tails catch up (lookback 5 s, poll 0.5 s)
touch "$WORK/stop-sim"
kill "$(cat "$WORK/simulate.pid")" 2>/dev/null || true
wait "$SIM_LOOP_PID" 2>/dev/null || true
SIM_LOOP_PID=""
sleep 15
for p in "${PIDS_TAILS[@]}"; do kill "$p" 2>/dev/null || true; done
for p in "${PIDS_TAILS[@]}"; do wait "$p" 2>/dev/null || true; done
PIDS_TAILS=()
kill "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""

set +e
echo "soak: simulate was started $(grep -c "^writing live traffic" "$WORK/simulate.log") time(s) (1 = it rode out every Postgres restart)"
python3 scripts/soak_check.py --psql "$PG_BINDIR/psql" --database-url "$DB_URL" --since "$START_ISO" \
  --rss "$WORK/rss.txt" --lost-out "$WORK/lost.txt" --pg-restarts "$PG_RESTARTS" --serve-restarts "$SERVE_RESTARTS" "$WORK"/tail-*.jsonl
rc=$?
set -e
if [ "$rc" != 0 ]; then
  echo "soak: logs: serve $(grep -c . "$WORK/serve.log") lines, simulate $(grep -c . "$WORK/simulate.log") lines"
  tail -5 "$WORK/serve.log" | sed 's/^/  serve: /'
fi
exit "$rc"
