#!/usr/bin/env bash
# Benchmark of time travel (benches/timetravel.rs) on a loaded database:
# starts a throwaway cluster, loads `simulate --users $USERS --days $DAYS`
# (default 2000 × 30, the size the issue names; the rows per hour depend on
# USERS only, so a smaller DAYS keeps an hour's load the same with smaller
# tables), into a real deployment's tables with SHAPE=real (and `tracetop
# migrate`'s indexes), then times, for the busiest and a typical hour, the
# first events in the live view, the whole hour, seeks back (from the
# nearest checkpoint) and forward, the frame after a seek, and memory.
#
# Usage: scripts/bench-timetravel.sh  (USERS=2000 DAYS=3 SHAPE=real for a
#        quicker run on a busy machine)
set -euo pipefail
cd "$(dirname "$0")/.."
USERS="${USERS:-2000}" DAYS="${DAYS:-30}" SHAPE="${SHAPE:-real}"
. scripts/pg-cluster.sh
pg_start -c shared_buffers=512MB -c work_mem=64MB
cargo build --release --quiet --bin tracetop
bin=target/release/tracetop
"${PG_AS[@]}" "$PG_BINDIR/psql" -X -q -d "$PG_ADMIN_URL" \
  -c "CREATE DATABASE bench TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" >/dev/null
url="${PG_ADMIN_URL%/postgres}/bench"
if [ "$SHAPE" = real ]; then
  "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d "$url" -f tests/shapes/systemprompt_v034.sql >/dev/null
fi
echo "== simulate --users $USERS --days $DAYS ($SHAPE shape)"
/usr/bin/time -f "simulate wall %e s, max RSS %M KB" "$bin" simulate --database-url "$url" --seed 42 --users "$USERS" --days "$DAYS"
"$PG_BINDIR/psql" -X -q -d "$url" -c "VACUUM ANALYZE" >/dev/null
"$PG_BINDIR/psql" -X -At -d "$url" -c "SELECT 'rows: ai_requests=' || (SELECT count(*) FROM ai_requests) || ' logs=' || (SELECT count(*) FROM logs) || ' mcp=' || (SELECT count(*) FROM mcp_tool_executions)"
echo "== time travel: a one-hour window"
BENCH_DATABASE_URL="$url" cargo bench --quiet --bench timetravel
