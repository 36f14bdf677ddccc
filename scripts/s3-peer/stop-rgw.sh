#!/usr/bin/env bash
# Stop the daemons that start-rgw.sh DIR started, by their recorded PIDs (rgw -> osd -> mon), and its
# watchdog. Never matches processes by name, so other clusters on the host are left alone.
# Usage: stop-rgw.sh DIR [--rm]   (--rm also deletes DIR)
# Idempotent: stopping an already stopped (or half-started) cluster is fine.
set -uo pipefail
DIR=${1:?usage: stop-rgw.sh DIR [--rm]}
alive() { # running and not a zombie
  local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}
stop_pid() { # stop_pid PID LABEL: SIGTERM, up to 5 s, then SIGKILL
  local pid=$1
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do alive "$pid" || return 0; sleep 0.1; done
  echo "pid $pid ($2) ignored SIGTERM; SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null
}
# The watchdog execs this script when its owner dies: then the watchdog's PID is our own.
if [ -f "$DIR/run/watchdog.pid" ]; then
  wd=$(cat "$DIR/run/watchdog.pid")
  if [ "$wd" != "$$" ] && [ "$wd" != "$PPID" ]; then stop_pid "$wd" watchdog; fi
  rm -f "$DIR/run/watchdog.pid"
fi
for f in $(ls "$DIR"/run/*.fgpid 2>/dev/null | sort -r); do
  stop_pid "$(cat "$f")" "$f"
  rm -f "$f"
done
if [ "${2:-}" = --rm ]; then rm -rf "$DIR"; fi
exit 0
