#!/usr/bin/env bash
# Does `scripts/test` work on a bare Debian machine (issue 14, item 11)?
#   sudo scripts/bare-machine-check.sh [--all | CARGO TEST FILTERS...]
# Needs root, unshare and network for apt-get. Nothing on this machine is
# changed: in a private mount namespace a copy-on-write root (overlayfs of
# / over a tmpfs) is made bare of what ensure-deps.sh installs (Postgres
# server and client, tmux, procps, gcc), then, inside it, ensure_deps runs
# as `nobody` (must say in one line what to install and fail) and
# `scripts/test --test it -- FILTERS` as root (must install it and pass;
# with --all, `scripts/test` itself: fmt, clippy and every test). The
# worktree is bound in, so the build in target/ is reused. Default
# filters: the tests that need those packages (tail_pipe:: e2e_tmux::).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "bare-machine-check: run it as root (it mounts an overlay root)" >&2; exit 2; }
if [ "${BARE_INSIDE:-}" != 1 ]; then
  BARE_INSIDE=1 exec unshare -m --propagation private "$0" "$@"
fi
REPO="$(realpath "$(dirname "$0")/..")"
FILTERS="${*:-tail_pipe:: e2e_tmux::}"
B="$(mktemp -d /tmp/tracetop-bare.XXXXXX)"
trap 'umount -R "$B" 2>/dev/null; rmdir "$B" 2>/dev/null' EXIT
mount -t tmpfs -o size=6g tmpfs "$B"
mkdir "$B/u" "$B/w" "$B/r"
mount -t overlay overlay -o "lowerdir=/,upperdir=$B/u,workdir=$B/w" "$B/r"
for d in proc sys dev; do mount --rbind "/$d" "$B/r/$d"; done
mount -t tmpfs -o size=3g tmpfs "$B/r/tmp"
mkdir -p "$B/r$REPO"
mount --bind "$REPO" "$B/r$REPO"
chroot "$B/r" /usr/bin/env -u TRACETOP_PG_BINDIR -u TRACETOP_TEST_ADMIN_URL -u DATABASE_URL \
  REPO="$REPO" FILTERS="$FILTERS" PATH="$HOME/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  /bin/bash -s <<'IN'
set -u
# no service of the copy may start on this machine's ports
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
export DEBIAN_FRONTEND=noninteractive
apt-get purge -y -q 'postgresql*' tmux procps gcc gcc-12 cpp cpp-12 libc6-dev >/dev/null 2>&1
apt-get autoremove --purge -y -q >/dev/null 2>&1
for c in initdb tmux psql pgrep cc; do
  found=$(command -v $c || ls /usr/lib/postgresql/*/bin/$c 2>/dev/null || echo missing)
  echo "bare root: $c: $found"
done
cd "$REPO"
echo "== as nobody: ensure_deps"
runuser -u nobody -- bash -c '. scripts/ensure-deps.sh && ensure_deps'
echo "   exit $? (1 expected)"
if [ "$FILTERS" = --all ]; then
  echo "== as root: scripts/test"
  scripts/test 2>&1 | grep -E '^(installing|test result|error|failures:|---- )|FAILED|panicked'
  rc=${PIPESTATUS[0]}
else
  echo "== as root: scripts/test --test it -- $FILTERS"
  scripts/test --test it -- $FILTERS 2>&1 | grep -E '^(installing|test |test result|error)'
  rc=${PIPESTATUS[0]}
fi
echo "== scripts/test exit: $rc"
exit "$rc"
IN
