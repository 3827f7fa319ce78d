#!/usr/bin/env bash
# Public read throughput: a cached widget page and the meetings JSON, at 64 connections on
# loopback, side by side with nginx serving the very same bytes as static files in the same
# run; then resident memory with 10,000 sites loaded. Prints figures; not a test.
#
#   bench/public.sh            (DURATION=10s CONNECTIONS=64 TENANTS=10000 to change)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
TENANTS=${TENANTS:-10000}
OUT=bench/out
MQ_PORT=18080
NGINX_PORT=18081
export DEBIAN_FRONTEND=noninteractive
need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need nginx nginx
need curl curl

rm -rf "$OUT" && mkdir -p "$OUT/www"
echo "== building (release)"
cargo build --release -q --bin marquee --example bench_seed
BIN=${CARGO_TARGET_DIR:-target}/release
echo "== seeding $TENANTS sites"
"$BIN/examples/bench_seed" "sqlite://$OUT/bench.db" "$TENANTS" 50

KEYS="bench:$(head -c 32 /dev/urandom | base64)"
MARQUEE_DATABASE_URL="sqlite://$OUT/bench.db" MARQUEE_LISTEN="127.0.0.1:$MQ_PORT" \
MARQUEE_PLATFORM_KEY=bench-platform-key-0123456789abcdef MARQUEE_ZOOM_CLIENT_ID=x \
MARQUEE_ZOOM_CLIENT_SECRET=x MARQUEE_ZOOM_WEBHOOK_SECRET=x MARQUEE_ENCRYPTION_KEYS="$KEYS" \
MARQUEE_LOG=warn MARQUEE_TEMPLATES_DIR=tenant-templates \
  "$BIN/marquee" serve > "$OUT/marquee.log" 2>&1 &
MQ_PID=$!
cat > "$OUT/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $PWD/$OUT/nginx.pid;
error_log $PWD/$OUT/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
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
trap 'kill $MQ_PID $NGINX_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$MQ_PORT/healthz" >/dev/null && break; sleep 0.1; done

WIDGET="/embed/bench/meetings"
JSON="/api/v1/sites/bench/meetings"
curl -sf "http://127.0.0.1:$MQ_PORT$WIDGET" -o "$OUT/www/widget.html"
curl -sf "http://127.0.0.1:$MQ_PORT$JSON" -o "$OUT/www/meetings.json"
echo "== bytes: widget $(wc -c < "$OUT/www/widget.html"), meetings JSON $(wc -c < "$OUT/www/meetings.json")"

run() { # name url → "rps p50_ms p99_ms"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$2" > "$OUT/$1.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/$1.txt")
  p50=$(awk '$1=="50%" {print $2}' "$OUT/$1.txt")
  p99=$(awk '$1=="99%" {print $2}' "$OUT/$1.txt")
  echo "$rps $p50 $p99"
}
printf "%-22s %12s %10s %10s\n" "target" "req/s" "p50" "p99"
declare -A RPS
for pair in "widget:$WIDGET:widget.html" "json:$JSON:meetings.json"; do
  IFS=: read -r name path file <<<"$pair"
  read -r mq p50 p99 < <(run "marquee-$name" "http://127.0.0.1:$MQ_PORT$path")
  printf "%-22s %12s %10s %10s\n" "marquee $name" "$mq" "$p50" "$p99"
  read -r ng p50 p99 < <(run "nginx-$name" "http://127.0.0.1:$NGINX_PORT/$file")
  printf "%-22s %12s %10s %10s\n" "nginx $name (static)" "$ng" "$p50" "$p99"
  printf "%-22s %12s\n" "ratio marquee/nginx" "$(awk -v a="$mq" -v b="$ng" 'BEGIN {printf "%.2f", a/b}')"
done

echo "== memory with $TENANTS sites loaded (every site's meetings JSON and widget cached once)"
cat > "$OUT/all.lua" <<'LUA'
local i = 0
request = function()
  i = i + 1
  local n = (i % TENANTS) + 1
  local path = (i % 2 == 0) and string.format("/api/v1/sites/t%05d/meetings", n)
                             or string.format("/embed/t%05d/meetings", n)
  return wrk.format("GET", path)
end
LUA
sed -i "1i TENANTS = $TENANTS" "$OUT/all.lua"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$OUT/all.lua" "http://127.0.0.1:$MQ_PORT" > "$OUT/all.txt"
echo "mixed reads over all sites: $(awk '/Requests\/sec/ {print $2}' "$OUT/all.txt") req/s"
echo "marquee resident memory: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$MQ_PID/status)"
