#!/usr/bin/env bash
# Public read throughput, side by side with nginx serving the very same bytes as static files
# in the same run (64 connections on loopback, wrk 2 threads):
#   1. a cached widget page and the meetings JSON, plain and gzip (nginx: `gzip_static on` with
#      the same bytes gzipped beside each file), with ratios and p99;
#   2. cold first views: a fresh server, every site's widget read once, then every site's
#      meetings JSON once (each request a cache miss), at TENANTS sites;
#   3. resident memory of that server afterwards (every site's widget and JSON served once);
#   4. the same cold passes and memory at BIG sites (0 skips it: seeding 100,000 takes a while).
# Prints figures; not a test. Absolute numbers depend on the machine: compare within one run.
#
#   bench/public.sh     (DURATION=10s CONNECTIONS=64 TENANTS=10000 BIG=100000 to change)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
TENANTS=${TENANTS:-10000}
BIG=${BIG:-100000}
OUT=bench/out
MQ_PORT=18080
NGINX_PORT=18081
export DEBIAN_FRONTEND=noninteractive
need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need nginx nginx
need curl curl

mkdir -p "$OUT" && rm -rf "$OUT/www" "$OUT"/*.txt "$OUT"/*.lua && mkdir -p "$OUT/www"
echo "== building (release)"
cargo build --release -q --bin marquee --example bench_seed
BIN=${CARGO_TARGET_DIR:-target}/release
seed() { # sites → database path (kept between runs: seeding is the slow part)
  local db="$OUT/bench-$1.db"
  if [ ! -f "$db.done" ]; then
    echo "== seeding $1 sites" >&2
    rm -f "$db" "$db-wal" "$db-shm"
    "$BIN/examples/bench_seed" "sqlite://$db" "$1" 50 >&2
    touch "$db.done"
  fi
  echo "$db"
}

KEYS="bench:$(head -c 32 /dev/urandom | base64)"
MQ_PID=
start_marquee() { # database path
  stop_marquee
  MARQUEE_DATABASE_URL="sqlite://$1" MARQUEE_LISTEN="127.0.0.1:$MQ_PORT" \
  MARQUEE_PLATFORM_KEY=bench-platform-key-0123456789abcdef MARQUEE_ZOOM_CLIENT_ID=x \
  MARQUEE_ZOOM_CLIENT_SECRET=x MARQUEE_ZOOM_WEBHOOK_SECRET=x MARQUEE_ENCRYPTION_KEYS="$KEYS" \
  MARQUEE_LOG=warn MARQUEE_TEMPLATES_DIR=tenant-templates \
    "$BIN/marquee" serve >> "$OUT/marquee.log" 2>&1 &
  MQ_PID=$!
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$MQ_PORT/healthz" >/dev/null && return; sleep 0.1; done
  echo "marquee did not start (see $OUT/marquee.log)" >&2; exit 1
}
stop_marquee() {
  if [ -n "$MQ_PID" ]; then kill "$MQ_PID" 2>/dev/null || true; wait "$MQ_PID" 2>/dev/null || true; MQ_PID=; fi
}
rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$MQ_PID/status"; }

cat > "$OUT/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $PWD/$OUT/nginx.pid;
error_log $PWD/$OUT/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  gzip_static on;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $PWD/$OUT/www;
    location = /widget.html { default_type "text/html; charset=utf-8"; }
    location = /meetings.json { default_type "application/json; charset=utf-8"; }
  }
}
CONF
nginx -c "$PWD/$OUT/nginx.conf" &
NGINX_PID=$!
trap 'stop_marquee; kill $NGINX_PID 2>/dev/null || true' EXIT

SMALL_DB=$(seed "$TENANTS")
start_marquee "$SMALL_DB"

WIDGET="/embed/bench/meetings"
JSON="/api/v1/sites/bench/meetings"
curl -sf "http://127.0.0.1:$MQ_PORT$WIDGET" -o "$OUT/www/widget.html"
curl -sf "http://127.0.0.1:$MQ_PORT$JSON" -o "$OUT/www/meetings.json"
gzip -6 -k -f "$OUT/www/widget.html" "$OUT/www/meetings.json"
echo "== bytes: widget $(wc -c < "$OUT/www/widget.html") (gzip $(wc -c < "$OUT/www/widget.html.gz")), meetings JSON $(wc -c < "$OUT/www/meetings.json") (gzip $(wc -c < "$OUT/www/meetings.json.gz"))"

run() { # name url [wrk args…] → "rps p50 p99"
  local name=$1 url=$2; shift 2
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" > "$OUT/$name.txt"
  awk '/Requests\/sec/ {r=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} END {print r, p50, p99}' "$OUT/$name.txt"
}
echo "== cached pages (one site, $DURATION each)"
printf "%-26s %12s %10s %10s\n" "target" "req/s" "p50" "p99"
GZ=(-H "Accept-Encoding: gzip")
for row in "widget:$WIDGET:widget.html:plain" "widget-gzip:$WIDGET:widget.html:gzip" \
           "json:$JSON:meetings.json:plain" "json-gzip:$JSON:meetings.json:gzip"; do
  IFS=: read -r name path file coding <<<"$row"
  args=(); [ "$coding" = gzip ] && args=("${GZ[@]}")
  read -r mq p50 p99 < <(run "marquee-$name" "http://127.0.0.1:$MQ_PORT$path" "${args[@]}")
  printf "%-26s %12s %10s %10s\n" "marquee $name" "$mq" "$p50" "$p99"
  read -r ng p50 p99 < <(run "nginx-$name" "http://127.0.0.1:$NGINX_PORT/$file" "${args[@]}")
  printf "%-26s %12s %10s %10s\n" "nginx $name (static)" "$ng" "$p50" "$p99"
  printf "%-26s %12s\n" "ratio marquee/nginx" "$(awk -v a="$mq" -v b="$ng" 'BEGIN {printf "%.2f", a/b}')"
done

# Every site once: thread t of N reads sites t+1, t+1+N, …, then stops (so each request is the
# first view of its site on a fresh server).
cat > "$OUT/once.lua" <<'LUA'
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  sites = tonumber(args[1]); pattern = args[2]; step = tonumber(args[3]); n = id + 1
end
function request()
  if n > sites then wrk.thread:stop() end
  local path = string.format(pattern, n)
  n = n + step
  return wrk.format("GET", path)
end
function response(status)
  if status ~= 200 then failed = (failed or 0) + 1 end
end
function done()
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("failed") or 0) end
  io.write(string.format("answers other than 200: %d\n", bad))
end
LUA
cold() { # sites pattern label
  wrk -t2 -c"$CONNECTIONS" -d120s -s "$OUT/once.lua" "http://127.0.0.1:$MQ_PORT" -- "$1" "$2" 2 > "$OUT/cold-$3.txt"
  local rps total
  # wrk keeps its connections open for the whole -d after the last site (thread:stop() does not
  # end the run early), so its Requests/sec divides by 120 s: the rate is connections ÷ the mean
  # latency of the requests that were made.
  rps=$(awk -v c="$CONNECTIONS" '$1=="Latency" { v=$2; f=1; if (v ~ /us$/) f=0.000001; else if (v ~ /ms$/) f=0.001;
        sub(/[a-z]+$/, "", v); printf "%.0f", c / (v * f) }' "$OUT/cold-$3.txt")
  total=$(awk '/requests in/ {print $1}' "$OUT/cold-$3.txt")
  printf "%-34s %12s req/s (%s requests, %s)\n" "cold first views, $3" "$rps" "$total" \
    "$(grep -o 'answers other than 200: [0-9]*' "$OUT/cold-$3.txt")"
}
cold_round() { # sites db
  start_marquee "$2"
  echo "== cold first views over $1 sites (fresh server), then memory"
  cold "$1" "/embed/t%05d/meetings" "widget"
  cold "$1" "/api/v1/sites/t%05d/meetings" "JSON"
  echo "marquee resident memory, every site's widget and JSON served once: $(rss)"
}
cold_round "$TENANTS" "$SMALL_DB"
if [ "$BIG" -gt 0 ]; then
  cold_round "$BIG" "$(seed "$BIG")"
fi
