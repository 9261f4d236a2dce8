#!/usr/bin/env bash
# Benchmark of `analytics costs --reprice` against psql running a hand-written
# join of ai_requests against the same prices as a VALUES list, side by side.
#
#  1. starts a throwaway cluster and loads `simulate --users $USERS --days $DAYS`
#     (its planted mispriced window and unpriced model included);
#  2. copies the simulated AI requests back in time ($COPIES copies, each one
#     30 days earlier, ids suffixed) until ai_requests holds about $TARGET rows:
#     real token, cache and cost mixes without simulating millions of logs;
#  3. times `tracetop analytics costs --reprice -o json` (whole process) and
#     `psql -f` of the hand join (scripts/bench_reprice.py writes it from
#     data/prices.toml), median of $RUNS each, and prints the ratio
#     (target: ≤ 1.5×); both answers are checked to agree on the totals.
#
# Measured 2026-12-01 (2 shared cores, ~1.16M AI requests, 400 users × 30 days
# and 4 copies), three runs each: ours shape 1.22×, 1.19×, 1.51× (first run
# after a restart; e.g. 362 ms vs 296 ms), real shape 1.22×, 1.21×, 1.21×
# (372 ms vs 308 ms). Before each request was priced once: 1.69× and 1.60×.
#
# Usage: scripts/bench-reprice.sh   (defaults: USERS=400 DAYS=30 TARGET=1000000 RUNS=5;
#        SHAPE=real for a real deployment's tables;
#        PG_KEEP=DIR to keep the cluster and its loaded `bench` database in
#        DIR, and reuse them on the next run with the same DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
USERS="${USERS:-400}" DAYS="${DAYS:-30}" TARGET="${TARGET:-1000000}" RUNS="${RUNS:-5}" SHAPE="${SHAPE:-ours}"
. scripts/pg-cluster.sh
pg_start -c shared_buffers=1GB -c work_mem=64MB
cargo build --release --quiet
bin=target/release/tracetop
url="${PG_ADMIN_URL%/postgres}/bench"
loaded=$("$PG_BINDIR/psql" -X -At -d "$PG_ADMIN_URL" -c "SELECT count(*) FROM pg_database WHERE datname = 'bench'")
if [ "$loaded" = 1 ]; then
  echo "== reusing the bench database kept in $PG_DIR"
else
  "${PG_AS[@]}" "$PG_BINDIR/psql" -X -q -d "$PG_ADMIN_URL" -c "CREATE DATABASE bench" >/dev/null
  if [ "$SHAPE" = real ]; then
    psql -X -q -v ON_ERROR_STOP=1 -d "$url" -f tests/shapes/systemprompt_v034.sql >/dev/null
  fi
  echo "== simulate --users $USERS --days $DAYS ($SHAPE shape)"
  "$bin" simulate --database-url "$url" --seed 42 --users "$USERS" --days "$DAYS" | tail -1
  n=$(psql -X -At -d "$url" -c "SELECT count(*) FROM ai_requests")
  copies=$(( (TARGET + n - 1) / n - 1 ))
  echo "== $n simulated AI requests; $copies copies back in time"
  # every column copied as it is, ids suffixed, times shifted k × 30 days back
  cols=$(psql -X -At -d "$url" -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'ai_requests'::regclass AND attnum > 0 AND NOT attisdropped")
  exprs=$(psql -X -At -d "$url" -c "SELECT string_agg(CASE WHEN attname IN ('id', 'request_id') THEN quote_ident(attname) || ' || ''~'' || k' WHEN atttypid = 'timestamptz'::regtype THEN quote_ident(attname) || ' - k * interval ''30 days''' ELSE quote_ident(attname) END, ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'ai_requests'::regclass AND attnum > 0 AND NOT attisdropped")
  if [ "$copies" -gt 0 ]; then
    psql -X -q -v ON_ERROR_STOP=1 -d "$url" -c "ALTER TABLE ai_requests DISABLE TRIGGER ALL" \
      -c "INSERT INTO ai_requests ($cols) SELECT $exprs FROM ai_requests, generate_series(1, $copies) AS k" \
      -c "ALTER TABLE ai_requests ENABLE TRIGGER ALL" >/dev/null
  fi
  psql -X -q -d "$url" -c "VACUUM ANALYZE ai_requests" >/dev/null
fi
echo "== $(psql -X -At -d "$url" -c "SELECT count(*) || ' AI requests, ' || pg_size_pretty(pg_total_relation_size('ai_requests')) FROM ai_requests")"
python3 scripts/bench_reprice.py "$bin" "$url" "$RUNS"
