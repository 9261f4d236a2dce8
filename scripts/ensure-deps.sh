# Sourced by scripts/test and .ci/run: make sure what the test suite needs
# is on the machine (Postgres server and client binaries, tmux, procps for
# the console tests' pgrep and kill, a C compiler and linker for the build,
# a C++ compiler for the fuzz targets' libFuzzer,
# rustfmt and clippy). As root on Debian/Ubuntu it installs what is missing
# through apt-get; otherwise it says in one line what to install and fails.

ensure_deps() {
  local need=()
  command -v tmux >/dev/null || need+=(tmux)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ -n "${TRACETOP_PG_BINDIR:-}" ] || need+=(postgresql)
  command -v psql >/dev/null || need+=(postgresql-client)
  command -v pgrep >/dev/null || need+=(procps)
  command -v cc >/dev/null || need+=(gcc libc6-dev)
  # libfuzzer-sys (the fuzz targets, checked by scripts/test) builds C++
  command -v c++ >/dev/null || need+=(g++)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing ${need[*]} (apt-get)" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q >/dev/null
      apt-get install -y -q "${need[@]}" >/dev/null
    else
      echo "scripts/test needs ${need[*]}: install them (Debian: sudo apt-get install -y ${need[*]}) and run it again" >&2
      return 1
    fi
  fi
  if command -v rustup >/dev/null; then
    rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt >/dev/null 2>&1 || true
  fi
}
