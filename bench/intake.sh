#!/usr/bin/env bash
# Signed webhook intake over HTTP: the release `marquee serve` (workers off, so only intake
# runs) next to Zoom's own Node sample (../shared/anchors/zoom-webhook-sample, which verifies
# and stores nothing), both receiving the same distinct pre-signed deliveries from the same wrk
# (2 threads, 64 connections) in the same run. Marquee runs once on SQLite and once on
# PostgreSQL (a fresh database, when PG_URL answers). Prints req/s, p50/p99, the ratio to the
# sample, and then the stored count against the acknowledged count. Prints figures; not a test.
#
#   bench/intake.sh     knobs: DURATION=10s CONNECTIONS=64 REQUESTS=200000 SAMPLE_DIR=…
#                       PG_URL=postgres://postgres@127.0.0.1:5432/postgres (admin URL; "" skips)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
REQUESTS=${REQUESTS:-200000}
SAMPLE_DIR=${SAMPLE_DIR:-/work/shared/anchors/zoom-webhook-sample}
PG_URL=${PG_URL-postgres://postgres@127.0.0.1:5432/postgres}
OUT=bench/out/intake
MQ_PORT=18090
SAMPLE_PORT=18091
SECRET=bench-webhook-secret-token
export DEBIAN_FRONTEND=noninteractive
need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need curl curl
need sqlite3 sqlite3
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are required" >&2; exit 1; }

rm -rf "$OUT" && mkdir -p "$OUT"
echo "== building (release)"
[ "${BUILD:-1}" = 0 ] || cargo build --release -q --bin marquee
BIN=${CARGO_TARGET_DIR:-target}/release

# The sample is Zoom's code: copied into bench/out/ (ignored), never committed.
SAMPLE=bench/out/zoom-webhook-sample
if [ ! -d "$SAMPLE/node_modules" ]; then
  rm -rf "$SAMPLE" && mkdir -p "$SAMPLE"
  cp "$SAMPLE_DIR"/index.js "$SAMPLE_DIR"/package.json "$SAMPLE_DIR"/package-lock.json "$SAMPLE/"
  (cd "$SAMPLE" && npm ci --silent --no-audit --no-fund >/dev/null)
fi

TS=$(date +%s)
echo "== signing $REQUESTS distinct deliveries (timestamp $TS)"
python3 bench/intake_requests.py "$SECRET" "$TS" "$REQUESTS" "$OUT/requests.tsv"

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
wait_up() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "$1 did not come up" >&2; exit 1; }
load() { # name url path → the INTAKE line of intake.lua's done()
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s bench/intake.lua "$2" -- \
    "$PWD/$OUT/requests.tsv" "$TS" "$3" 2 > "$OUT/$1.txt"
  grep '^INTAKE' "$OUT/$1.txt"
}
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo "== Zoom's Node sample (node $(node --version))"
(cd "$SAMPLE" && ZOOM_WEBHOOK_SECRET_TOKEN=$SECRET PORT=$SAMPLE_PORT exec node index.js > /dev/null 2>&1) &
SAMPLE_PID=$!; PIDS+=("$SAMPLE_PID")
wait_up "http://127.0.0.1:$SAMPLE_PORT/"
SAMPLE_LINE=$(load sample "http://127.0.0.1:$SAMPLE_PORT" /webhook)
kill "$SAMPLE_PID"; wait "$SAMPLE_PID" 2>/dev/null || true
[ "$(field non2xx "$SAMPLE_LINE")" = 0 ] || { echo "the sample refused deliveries: $SAMPLE_LINE" >&2; exit 1; }

KEYS="bench:$(head -c 32 /dev/urandom | base64)"
marquee() { # name database-url → runs the load, prints a result row
  MARQUEE_DATABASE_URL="$2" MARQUEE_LISTEN="127.0.0.1:$MQ_PORT" MARQUEE_WORKERS=false \
  MARQUEE_PLATFORM_KEY=bench-platform-key-0123456789abcdef MARQUEE_ZOOM_CLIENT_ID=x \
  MARQUEE_ZOOM_CLIENT_SECRET=x MARQUEE_ZOOM_WEBHOOK_SECRET=$SECRET MARQUEE_ENCRYPTION_KEYS="$KEYS" \
  MARQUEE_WEBHOOK_TOLERANCE_SECS=3600 MARQUEE_LOG=warn MARQUEE_TEMPLATES_DIR=tenant-templates \
    "$BIN/marquee" serve > "$OUT/marquee-$1.log" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  wait_up "http://127.0.0.1:$MQ_PORT/healthz"
  local line; line=$(load "marquee-$1" "http://127.0.0.1:$MQ_PORT" /webhooks/zoom)
  # What the service answered "stored" (a client that gave up at wrk's stop still counts).
  local answered; answered=$(curl -s "http://127.0.0.1:$MQ_PORT/metrics" \
    | awk '/^marquee_webhooks_received_total/ && /"stored"/ {print $2}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$1 $line answered_stored=${answered:-0}"
}

rows=()
rows+=("$(marquee sqlite "sqlite://$OUT/intake.db")")
sqlite_rows=$(sqlite3 "$OUT/intake.db" "select count(*) from webhook_events")
rows[0]="${rows[0]} rows=$sqlite_rows"
if [ -n "$PG_URL" ] && psql "$PG_URL" -qtAc "select 1" >/dev/null 2>&1; then
  DB=marquee_intake_bench_$$
  psql "$PG_URL" -qc "create database $DB" >/dev/null
  PG_DB_URL="${PG_URL%/*}/$DB"
  row=$(marquee postgres "$PG_DB_URL")
  pg_rows=$(psql "$PG_DB_URL" -qtAc "select count(*) from webhook_events")
  psql "$PG_URL" -qc "drop database $DB" >/dev/null
  rows+=("$row rows=$pg_rows")
else
  echo "(PostgreSQL at $PG_URL does not answer: skipped)"
fi

echo
printf "%-28s %10s %9s %9s %7s\n" "target" "req/s" "p50 ms" "p99 ms" "ratio"
s_rps=$(field rps "$SAMPLE_LINE")
printf "%-28s %10s %9s %9s %7s\n" "zoom node sample" "$s_rps" "$(field p50_ms "$SAMPLE_LINE")" "$(field p99_ms "$SAMPLE_LINE")" "1.00"
for row in "${rows[@]}"; do
  rps=$(field rps "$row")
  printf "%-28s %10s %9s %9s %7s\n" "marquee ${row%% *}" "$rps" "$(field p50_ms "$row")" "$(field p99_ms "$row")" \
    "$(awk -v a="$rps" -v b="$s_rps" 'BEGIN {printf "%.2f", a/b}')"
done
echo
status=0
for row in "${rows[@]}"; do
  acked=$(( $(field completed "$row") - $(field non2xx "$row") ))
  stored=$(field rows "$row"); answered=$(field answered_stored "$row"); wrapped=$(field wrapped "$row")
  verdict=OK
  # Every 200 is a stored row; rows beyond the 200s are requests in flight when wrk stopped.
  if [ "$wrapped" -gt 0 ]; then
    verdict="INCONCLUSIVE (deliveries repeated: raise REQUESTS)"
  elif [ "$stored" -lt "$acked" ] || [ "$stored" -ne "${answered%.*}" ] || [ $((stored - acked)) -gt "$CONNECTIONS" ]; then
    verdict=MISMATCH; status=1
  fi
  echo "marquee ${row%% *}: acknowledged (200) $acked, stored rows $stored, answered \"stored\" by the service ${answered%.*}, non-2xx $(field non2xx "$row"), socket errors $(field socket_errors "$row"), request list wrapped $wrapped× → $verdict"
done
exit $status
