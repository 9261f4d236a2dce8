#!/usr/bin/env bash
# Benchmark of the local query engine against psql, side by side in one run.
#
#  1. starts a throwaway cluster and loads `simulate --users $USERS --days $DAYS`
#     (default 2000 × 30: ≈1M ai_requests, ≈5M logs), printing rows/s;
#  2. runs each analytics report once with statement logging on, and rebuilds
#     the exact SQL it sent (bound parameters inlined as literals);
#  3. times each report as `tracetop analytics …` and the same SQL as
#     `psql -f` (both whole processes, median of $RUNS), prints the ratio;
#  4. times `tracetop audit PREFIX` end to end against psql's single
#     `LIKE 'prefix%'` (scripts/bench_audit.py, with EXPLAIN of the lookups);
#  5. runs the in-process bench for trace detail and audit prefix lookups.
#
# The bench database uses the collation of a real deployment (C.UTF-8 by
# default; COLLATION=C for the old figures): under it only text_pattern_ops
# indexes serve LIKE 'prefix%'.
#
# Usage: scripts/bench-pg.sh  (USERS=200 DAYS=7 RUNS=5 for a quick run;
#        SHAPE=real to load into a real deployment's tables,
#        tests/shapes/systemprompt_v034.sql, instead of tracetop's own;
#        ONLY=audit for steps 1 and 4 only;
#        PG_KEEP=DIR to keep the cluster and its loaded `bench` database in
#        DIR, and reuse them on the next run with the same DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
USERS="${USERS:-2000}" DAYS="${DAYS:-30}" RUNS="${RUNS:-5}" SHAPE="${SHAPE:-ours}" ONLY="${ONLY:-}"
COLLATION="${COLLATION:-C.UTF-8}"
. scripts/pg-cluster.sh
pg_start -c logging_collector=on -c log_destination=csvlog -c log_directory=log -c shared_buffers=1GB -c work_mem=64MB
cargo build --release --quiet
bin=target/release/tracetop
url="${PG_ADMIN_URL%/postgres}/bench"
out="${BENCH_OUT:-target/bench-pg}"
mkdir -p "$out"
loaded=$("$PG_BINDIR/psql" -X -At -d "$PG_ADMIN_URL" -c "SELECT count(*) FROM pg_database WHERE datname = 'bench'")
if [ "$loaded" = 1 ]; then
  echo "== reusing the bench database kept in $PG_DIR: $(psql -X -At -d "$url" -c "SELECT count(*) || ' ai_requests' FROM ai_requests")"
else
  "${PG_AS[@]}" "$PG_BINDIR/psql" -X -q -d "$PG_ADMIN_URL" \
    -c "CREATE DATABASE bench TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE '$COLLATION' LC_CTYPE '$COLLATION'" >/dev/null
  if [ "$SHAPE" = real ]; then
    psql -X -q -v ON_ERROR_STOP=1 -d "$url" -f tests/shapes/systemprompt_v034.sql >/dev/null
  fi

  echo "== simulate --users $USERS --days $DAYS ($SHAPE shape)"
  /usr/bin/time -f "simulate wall %e s, max RSS %M KB" "$bin" simulate --database-url "$url" --seed 42 --users "$USERS" --days "$DAYS"
  psql -X -q -d "$url" -c "VACUUM ANALYZE" >/dev/null
fi
psql -X -At -d "$url" -c "SELECT 'rows: ai_requests=' || (SELECT count(*) FROM ai_requests) || ' logs=' || (SELECT count(*) FROM logs) || ' mcp=' || (SELECT count(*) FROM mcp_tool_executions)"

if [ "$ONLY" = audit ]; then
  echo "== audit PREFIX end to end vs psql's LIKE 'prefix%' (whole processes, median of $RUNS)"
  PSQL="$PG_BINDIR/psql" python3 scripts/bench_audit.py "$bin" "$url" "$RUNS" 5
  exit 0
fi

reports=(
  "overview" "conversations" "agents" "tools" "requests" "sessions" "content" "traffic"
  "costs" "costs --by model" "costs --by provider" "costs --by agent" "costs --trend day"
)
python3 scripts/bench_pg_report.py "$bin" "$url" "$PG_DIR/data/log" "$out" "$RUNS" "${reports[@]}"

echo "== audit PREFIX end to end vs psql's LIKE 'prefix%' (whole processes, median of $RUNS)"
PSQL="$PG_BINDIR/psql" python3 scripts/bench_audit.py "$bin" "$url" "$RUNS" 5

echo "== in-process: trace detail and audit prefix lookup"
BENCH_DATABASE_URL="$url" cargo bench --quiet --bench pg_queries
