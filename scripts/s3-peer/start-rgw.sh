#!/usr/bin/env bash
# Start a throw-away single-host Ceph cluster (1 mon, 1 memstore OSD, 1 radosgw, no mgr, no cephx)
# bound to 127.0.0.1, without systemd or Docker. All state lives under DIR.
#
# Usage: start-rgw.sh DIR RGW_PORT MON_PORT
# Needs: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common curl
#
# Once a SigV4-signed ListBuckets succeeds, prints exactly three lines on stdout:
#   S3_ENDPOINT=http://127.0.0.1:RGW_PORT
#   AWS_ACCESS_KEY_ID=...
#   AWS_SECRET_ACCESS_KEY=...
# Progress and errors go to stderr; daemon logs to DIR/log. Stop with stop-rgw.sh DIR [--rm].
#
# Environment (all optional):
#   RGW_ACCESS_KEY, RGW_SECRET_KEY   credentials of the S3 user "test"
#   RGW_OBJECTSTORE                  memstore (default, RAM, 2 GiB cap) or bluestore
#   RGW_START_TIMEOUT                seconds before giving up (default 120)
#   RGW_OWNER_PID                    if set, a watchdog stops the cluster (and deletes DIR) once
#                                    that process is gone, even if it was SIGKILLed
#
# Only one cluster per host at a time: the OSD binds the first free ports from 6800 up, and the test
# harness (test/helpers/global-setup.ts) starts one cluster per test run.
# Adapted from a measured recipe: about 2 s from nothing to a signed ListBuckets.
set -euo pipefail
DIR=${1:?usage: start-rgw.sh DIR RGW_PORT MON_PORT}
RGW_PORT=${2:?usage: start-rgw.sh DIR RGW_PORT MON_PORT}
MON_PORT=${3:?usage: start-rgw.sh DIR RGW_PORT MON_PORT}
ACCESS_KEY=${RGW_ACCESS_KEY:-testaccesskey}
SECRET_KEY=${RGW_SECRET_KEY:-testsecretkey}
OBJECTSTORE=${RGW_OBJECTSTORE:-memstore}
TIMEOUT=${RGW_START_TIMEOUT:-120}
HERE=$(cd "$(dirname "$0")" && pwd)
T0=$EPOCHREALTIME
ts() { awk -v a="$EPOCHREALTIME" -v b="$T0" -v m="$*" 'BEGIN{printf "[%6.2fs] %s\n", a-b, m}' >&2; }
fail() { echo "start-rgw.sh: $*" >&2; exit 1; }
wait_for() { # wait_for DESC PIDFILE CMD...: poll until CMD succeeds; give up on timeout or if the daemon died
  local desc=$1 pidfile=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      fail "$desc: the daemon exited; see $DIR/log/ (tail: $(tail -n 3 "$DIR"/log/*.out 2>/dev/null | tr '\n' ' '))"
    fi
    if awk -v a="$EPOCHREALTIME" -v b="$T0" -v t="$TIMEOUT" 'BEGIN{exit !(a-b>t)}'; then
      fail "timeout (${TIMEOUT}s) waiting for $desc; logs in $DIR/log"
    fi
    sleep 0.1
  done
}

for bin in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool ceph-authtool curl; do
  command -v "$bin" >/dev/null || fail "$bin not found (apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common curl)"
done
for port in "$RGW_PORT" "$MON_PORT"; do
  # Fail fast instead of timing out if something already listens there.
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port on 127.0.0.1 is already in use"; fi
done
CLASS_DIR=
for d in /usr/lib/*/rados-classes /usr/lib64/rados-classes /usr/lib/rados-classes; do
  if [ -d "$d" ]; then CLASS_DIR=$d; break; fi
done
[ -n "$CLASS_DIR" ] || fail "no rados-classes directory found (is ceph-osd installed?)"

if [ -e "$DIR/ceph.conf" ]; then fail "$DIR already holds a cluster: stop-rgw.sh it and rm -rf it"; fi
mkdir -p "$DIR"/{mon,osd,log,run,rgw,crash}
DIR=$(cd "$DIR" && pwd)
# On any failure, stop what we started (DIR is left for its logs).
trap 'rc=$?; if [ $rc -ne 0 ]; then echo "start-rgw.sh failed (rc=$rc); stopping daemons" >&2; "$HERE/stop-rgw.sh" "$DIR" >&2 || true; fi' EXIT

FSID=$(cat /proc/sys/kernel/random/uuid)
export CEPH_CONF="$DIR/ceph.conf"
cat > "$CEPH_CONF" <<CONF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
public network = 127.0.0.0/8
ms bind msgr1 = false
ms bind ipv6 = false
# no cephx, so no keyrings. radosgw still asks for a "secure" mon connection, which needs cephx:
# without "crc secure" it loops on "get_initial_auth_request returned -13".
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc secure
mon warn on insecure global id reclaim allowed = false
keyring = $DIR/keyring
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
log to stderr = false
err to stderr = false
mon cluster log file = $DIR/log/cluster.log
crash dir = $DIR/crash
# single OSD, no replication, few PGs, no autoscaler (there is no mgr anyway)
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
# faster map and pool-create commits (default 1 s per proposal): startup 13 s -> under 2 s
paxos propose interval = 0.05
paxos min wait = 0.01
[mon]
mon data = $DIR/mon/\$cluster-\$id
[osd]
osd data = $DIR/osd/\$cluster-\$id
osd objectstore = $OBJECTSTORE
memstore device bytes = 2147483648
osd class dir = $CLASS_DIR
[client.rgw.0]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $DIR/rgw
log file = $DIR/log/rgw.log
# path-style only: no rgw dns name, so bucket names never come from the Host header
# per-user request/byte counters ("radosgw-admin usage show"); cheap, and handy when debugging a test
rgw enable usage log = true
# the default, spelled out: as many CORS rules per bucket as AWS allows (100)
rgw cors rules max num = 100
# No lifecycle worker: lifecycle rules are still stored and returned, just never executed. Between 00:00 and
# 06:00 (rgw lifecycle work time) the worker made every SIGTERM wait 5-10 s for its next wake-up.
rgw enable lc threads = false
CONF

# --- mon ---
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
ceph-authtool --create-keyring "$DIR/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-mon --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/mon.keyring" >"$DIR/log/mon-mkfs.out" 2>&1
# stdin from /dev/null: a daemon must not hold the caller's stdin (or its stdout pipe) open
ceph-mon -i a -f </dev/null >"$DIR/log/mon.out" 2>&1 &
echo $! > "$DIR/run/1-mon.a.fgpid"
wait_for "mon" "$DIR/run/1-mon.a.fgpid" ceph -s --connect-timeout 2
ts "mon up"

# --- osd ---
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_ID=$(ceph osd new "$OSD_UUID")
mkdir -p "$DIR/osd/ceph-$OSD_ID"   # must exist before --mkfs
ceph-osd -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >"$DIR/log/osd-mkfs.out" 2>&1
ceph-osd -i "$OSD_ID" -f </dev/null >"$DIR/log/osd.out" 2>&1 &
echo $! > "$DIR/run/2-osd.$OSD_ID.fgpid"
osd_up() { ceph osd dump 2>/dev/null | grep -q "^osd.$OSD_ID up"; }
wait_for "osd" "$DIR/run/2-osd.$OSD_ID.fgpid" osd_up
ts "osd.$OSD_ID up ($OBJECTSTORE)"

# --- rgw ---
radosgw -n client.rgw.0 -f </dev/null >"$DIR/log/rgw.out" 2>&1 &
echo $! > "$DIR/run/3-rgw.0.fgpid"
# radosgw creates its pools itself; racing it with radosgw-admin is pointless: wait for HTTP first
wait_for "rgw http" "$DIR/run/3-rgw.0.fgpid" curl -sf -o /dev/null "http://127.0.0.1:$RGW_PORT/"
ts "rgw http up"
radosgw-admin user create --uid=test --display-name=test \
  --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >"$DIR/log/user-create.out" 2>&1
list_buckets() {
  curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "http://127.0.0.1:$RGW_PORT/" | grep -q "<ID>test</ID>"
}
wait_for "signed ListBuckets" "$DIR/run/3-rgw.0.fgpid" list_buckets
ts "signed ListBuckets OK"

if [ -n "${RGW_OWNER_PID:-}" ]; then
  # Watchdog: if the owner dies without stopping us (SIGKILL, OOM), stop the daemons and delete DIR.
  # It ends by itself once DIR is gone (stop-rgw.sh --rm), and stop-rgw.sh also kills it.
  setsid bash -c '
    while kill -0 "$1" 2>/dev/null && [ -e "$2/ceph.conf" ]; do sleep 1; done
    [ -e "$2/ceph.conf" ] && exec "$3/stop-rgw.sh" "$2" --rm
  ' rgw-watchdog "$RGW_OWNER_PID" "$DIR" "$HERE" </dev/null >>"$DIR/log/watchdog.out" 2>&1 &
  echo $! > "$DIR/run/watchdog.pid"
fi

trap - EXIT
echo "S3_ENDPOINT=http://127.0.0.1:$RGW_PORT"
echo "AWS_ACCESS_KEY_ID=$ACCESS_KEY"
echo "AWS_SECRET_ACCESS_KEY=$SECRET_KEY"
