#!/usr/bin/env bash
# Power-loss proof without a power cut (SQLite, synchronous = FULL): runs the release
# `marquee serve` under strace during a short intake load (pre-signed distinct deliveries,
# bench/intake.lua) and checks, from the system calls themselves, that
#   1. every HTTP 200 written on a socket was preceded by an fsync/fdatasync of the database's
#      write-ahead log that completed after that request was read: no 200 goes out before the
#      commit holding its event is on disk;
#   2. there were at least as many WAL syncs as group commits (the service logs each batch it
#      commits at debug level), so every batch paid its own sync;
#   3. no acknowledged event is missing: rows stored ≥ 200s written (the few more are requests
#      in flight when wrk stopped, stored but never answered).
# Prints the evidence and PASS or FAIL (exit 1).
#
#   bench/power_loss.sh     knobs: DURATION=3s CONNECTIONS=16 REQUESTS=30000
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-3s}
CONNECTIONS=${CONNECTIONS:-16}
REQUESTS=${REQUESTS:-30000}
OUT=bench/out/power_loss
PORT=18092
SECRET=bench-webhook-secret-token
export DEBIAN_FRONTEND=noninteractive
need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need curl curl
need strace strace
need sqlite3 sqlite3

rm -rf "$OUT" && mkdir -p "$OUT"
echo "== building (release)"
[ "${BUILD:-1}" = 0 ] || cargo build --release -q --bin marquee
BIN=${CARGO_TARGET_DIR:-target}/release
TS=$(date +%s)
python3 bench/intake_requests.py "$SECRET" "$TS" "$REQUESTS" "$OUT/requests.tsv"

KEYS="bench:$(head -c 32 /dev/urandom | base64)"
MARQUEE_DATABASE_URL="sqlite://$OUT/intake.db" MARQUEE_LISTEN="127.0.0.1:$PORT" MARQUEE_WORKERS=false \
MARQUEE_PLATFORM_KEY=bench-platform-key-0123456789abcdef MARQUEE_ZOOM_CLIENT_ID=x \
MARQUEE_ZOOM_CLIENT_SECRET=x MARQUEE_ZOOM_WEBHOOK_SECRET=$SECRET MARQUEE_ENCRYPTION_KEYS="$KEYS" \
MARQUEE_WEBHOOK_TOLERANCE_SECS=3600 MARQUEE_TEMPLATES_DIR=tenant-templates \
MARQUEE_LOG=warn,marquee::service::webhooks::group_commit=debug \
  strace -f -qq -ttt -yy -s 24 -o "$OUT/strace.txt" \
    -e trace=fsync,fdatasync,read,recvfrom,recvmsg,write,writev,sendto,sendmsg \
    "$BIN/marquee" serve > "$OUT/marquee.log" 2>&1 &
STRACE_PID=$!
trap 'kill $STRACE_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done

echo "== $DURATION of intake at $CONNECTIONS connections, under strace"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s bench/intake.lua "http://127.0.0.1:$PORT" -- \
  "$PWD/$OUT/requests.tsv" "$TS" /webhooks/zoom 2 | grep '^INTAKE' | tee "$OUT/wrk.txt"
sleep 1
# Stop marquee itself (strace exits with it): detaching strace from a busy tracee can hang.
kill -TERM "$(pgrep -P "$STRACE_PID" | head -1)"; wait "$STRACE_PID" 2>/dev/null || true
rows=$(sqlite3 "$OUT/intake.db" "select count(*) from webhook_events")
batches=$(grep -c 'webhook intake batch committed' "$OUT/marquee.log" || true)
echo "sqlite synchronous: $(grep -o 'synchronous = [A-Z]*' src/store.rs | head -1)"

python3 - "$OUT/strace.txt" "$PORT" "$rows" "$batches" "$CONNECTIONS" <<'PY'
import re, sys
path, port, rows, batches = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
connections = int(sys.argv[5])
# "<pid> <epoch.us> call(fd<desc>, "data"..., ...) = ret", possibly split into
# "<unfinished ...>" and "<... call resumed> ...) = ret" when threads interleave.
line_re = re.compile(r'^(\d+)\s+(\d+\.\d+)\s+(.*)$')
call_re = re.compile(r'^(\w+)\((\d+)<(.*?)>([,) ].*)$')  # a socket's <TCP:[a->b]> holds a '>'
resumed_re = re.compile(r'^<\.\.\. (\w+) resumed>(.*)$')
pending = {}  # pid -> (call, fd, desc, rest, start time)
events = []   # (time, kind, fd)
def classify(call, desc, rest, start, end):
    if call in ("fsync", "fdatasync"):
        if desc.endswith("-wal") and rest.strip().endswith("= 0"):
            events.append((end, "sync", desc))
        return
    if not desc.startswith("TCP:[") or f"127.0.0.1:{port}->" not in desc:
        return
    if call in ("read", "recvfrom", "recvmsg") and '"POST /webhooks/zoom' in rest:
        events.append((end, "request", desc))
    elif call in ("write", "writev", "sendto", "sendmsg") and 'HTTP/1.1 200' in rest:
        events.append((start, "ok", desc))
for raw in open(path):
    m = line_re.match(raw.rstrip("\n"))
    if not m:
        continue
    pid, t, text = m.group(1), float(m.group(2)), m.group(3)
    r = resumed_re.match(text)
    if r:
        if pid in pending:
            call, fd, desc, rest, start = pending.pop(pid)
            classify(call, desc, rest + r.group(2), start, t)
        continue
    c = call_re.match(text)
    if not c:
        continue
    call, fd, desc, rest = c.groups()
    if rest.endswith("<unfinished ...>"):
        pending[pid] = (call, fd, desc, rest, t)
    else:
        classify(call, desc, rest, t, t)
events.sort(key=lambda e: (e[0], {"request": 0, "sync": 1, "ok": 2}[e[1]]))
last_sync = None
waiting = {}  # connection -> time its request was read
oks = early = syncs = 0
for t, kind, desc in events:
    if kind == "sync":
        syncs += 1; last_sync = t
    elif kind == "request":
        waiting[desc] = t
    else:
        read_at = waiting.pop(desc, None)
        if read_at is None:
            continue  # not a webhook's answer (the script's /healthz polls)
        oks += 1
        if last_sync is None or last_sync < read_at:
            early += 1
print(f"HTTP 200s written: {oks}; rows stored: {rows}")
print(f"WAL fsync/fdatasync calls: {syncs}; group commits logged: {batches}; events per commit: {oks / max(batches, 1):.1f}")
print(f"200s without a WAL sync between their request and their answer: {early}")
ok = oks > 0 and early == 0 and syncs >= batches > 0 and oks <= rows <= oks + connections
print("PASS: every 200 followed the durable commit of its event" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY
