# Sourced by scripts/test and scripts/bench-*.sh: start a throwaway Postgres
# cluster on a unix socket in a temp dir (as the postgres user when root) and
# stop + remove it on exit. Sets PG_BINDIR, PG_DIR and PG_ADMIN_URL.
# With PG_KEEP=DIR the cluster lives in DIR instead, is reused when DIR
# already holds one (PG_REUSED=1), and is stopped but kept on exit.

pg_find_bindir() {
  if [ -n "${TRACETOP_PG_BINDIR:-}" ]; then echo "$TRACETOP_PG_BINDIR"; return; fi
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

# pg_start [extra server options...]
pg_start() {
  PG_BINDIR="$(pg_find_bindir)"
  [ -x "$PG_BINDIR/initdb" ] || { echo "Postgres server binaries not found (apt-get install -y postgresql)" >&2; return 1; }
  PG_REUSED=0
  if [ -n "${PG_KEEP:-}" ]; then
    mkdir -p "$PG_KEEP"
    PG_DIR="$(cd "$PG_KEEP" && pwd)"
    [ -f "$PG_DIR/data/PG_VERSION" ] && PG_REUSED=1
  else
    PG_DIR="$(mktemp -d /tmp/tracetop-pg.XXXXXX)"
  fi
  PG_AS=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PG_DIR"
    PG_AS=(runuser -u postgres --)
  fi
  local port=$(( 30000 + $$ % 20000 ))
  trap pg_stop EXIT INT TERM
  if [ "$PG_REUSED" = 0 ]; then
    "${PG_AS[@]}" "$PG_BINDIR/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >/dev/null
  fi
  "${PG_AS[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o \
    "-k $PG_DIR -p $port -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 $*" \
    start >/dev/null
  PG_ADMIN_URL="postgres://postgres@${PG_DIR//\//%2F}:$port/postgres"
  PG_PORT=$port
  export PG_BINDIR PG_DIR PG_ADMIN_URL PG_PORT PG_REUSED
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
    if [ -n "${PG_KEEP:-}" ]; then
      "${PG_AS[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
      return
    fi
    "${PG_AS[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
