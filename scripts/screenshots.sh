#!/usr/bin/env bash
# Screenshots of every console view: runs the real `tracetop demo` in a
# 200x50 tmux session, captures each view with `capture-pane -e` (ANSI
# colours kept), turns it into HTML with `aha` and into PNG with headless
# Chromium. Installs aha and chromium from Debian when missing.
# Usage: scripts/screenshots.sh [path/to/tracetop]   (default: cargo build)
set -euo pipefail
cd "$(dirname "$0")/.."
out=screenshots
mkdir -p "$out"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need aha || ! need chromium || ! need tmux; then
  apt-get update -qq && apt-get install -y -qq aha chromium tmux >/dev/null
fi

bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --quiet
  bin=target/debug/tracetop
fi

session="tracetop-shots-$$"
tmux new-session -d -x 200 -y 50 -s "$session" sh
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
tmux send-keys -t "$session" "TERM=xterm-256color $bin demo --seed 42 --rate 100" Enter
sleep 4

shot() { # name, keys...
  local name=$1; shift
  for k in "$@"; do tmux send-keys -t "$session" "$k"; sleep 0.4; done
  sleep 1.5
  tmux capture-pane -e -p -t "$session" > "$out/$name.ansi"
  aha --black --title "tracetop $name" < "$out/$name.ansi" > "$out/$name.html"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1700,1000 --screenshot="$PWD/$out/$name.png" "file://$PWD/$out/$name.html" \
    >/dev/null 2>&1
  rm -f "$out/$name.ansi" "$out/$name.html"
  echo "wrote $out/$name.png"
}

shot live
shot trace Space j Enter
shot costs Escape 3
shot leaderboards 4
shot audit 5
shot logs 6
shot help 1 '?'
tmux send-keys -t "$session" Escape q
