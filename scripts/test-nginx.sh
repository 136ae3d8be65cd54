#!/usr/bin/env bash
# The nginx site of docs/deploy.md, tested for real (npm run test:nginx): Debian's nginx runs as a
# process of its own (prefix, config, pid and logs under tmp/) with docs/nginx/pos.conf, a
# self-signed certificate made now, in front of a real app server on SQLite; then
# scripts/nginx_checks.ts checks a page, a live event, and whose address the login rate limit counts.
#
# Exit codes: 0 passed, 1 failed, 77 skipped (no nginx or openssl here; the reason is printed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
started=$(date +%s)
step() { printf '[test:nginx %3ss] %s\n' $(( $(date +%s) - started )) "$*"; }
fail() { echo "test:nginx FAILED: $*" >&2; exit 1; }

nginx_bin=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
[[ -n $nginx_bin ]] || { echo "test:nginx SKIPPED: nginx is not installed (apt-get install -y nginx)"; exit 77; }
command -v openssl >/dev/null || { echo "test:nginx SKIPPED: openssl is not installed"; exit 77; }

dir="$root/tmp/nginx-test-$$"
mkdir -p "$dir/logs"
nginx_pid=
app_pid=
cleanup() {
  set +e
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
  if [[ ${keep:-} != 1 ]]; then rm -rf "$dir"; else echo "logs kept in $dir"; fi
}
trap cleanup EXIT
trap 'keep=1' ERR

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
app_port=$(free_port)
https_port=$(free_port)
http_port=$(free_port)
while [[ $http_port == "$https_port" || $http_port == "$app_port" || $https_port == "$app_port" ]]; do http_port=$(free_port); https_port=$(free_port); done

# ------------------------------------------------------------------ certificate and config
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null || fail "openssl could not make a certificate"

# The site exactly as docs/nginx/pos.conf has it; only its addresses and certificate paths change
site=docs/nginx/pos.conf
substitute() { # FROM TO: each must match, so the doc cannot drift away from this test
  grep -qF -- "$1" "$dir/pos.conf" || fail "$site no longer contains '$1'"
  FROM=$1 TO=$2 perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/g' "$dir/pos.conf"
}
cp "$site" "$dir/pos.conf"
substitute "server 127.0.0.1:3333;" "server 127.0.0.1:$app_port;"
substitute "listen 80;" "listen 127.0.0.1:$http_port;"
substitute "listen 443 ssl http2;" "listen 127.0.0.1:$https_port ssl http2;"
substitute "/etc/letsencrypt/live/pos.example.com/fullchain.pem" "$dir/cert.pem"
substitute "/etc/letsencrypt/live/pos.example.com/privkey.pem" "$dir/key.pem"

# The main config Debian's nginx.conf would be, with everything nginx writes kept under $dir
cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
$( [[ $(id -u) -eq 0 ]] && echo 'user root;' )
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $dir/logs/access.log;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    sendfile on;
    include $dir/pos.conf;
}
EOF
"$nginx_bin" -t -q -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" || fail "nginx -t rejects the config"

# ------------------------------------------------------------------ the app, behind it
export DB_CONNECTION=sqlite SQLITE_PATH="$dir/pos.sqlite3" NODE_ENV=production HOST=127.0.0.1 PORT=$app_port \
  LOG_LEVEL=warn SESSION_DRIVER=cookie APP_URL="https://127.0.0.1:$https_port" TRUSTED_PROXIES=127.0.0.1
# One process, counters in memory: rate limits are this server's own
unset REDIS_HOST WEB_CONCURRENCY
step "seeding the demo store (SQLite)"
node ace.js pos:demo >"$dir/logs/demo.log" 2>&1 || { tail -20 "$dir/logs/demo.log" >&2; fail "pos:demo failed"; }

node --import @poppinss/ts-exec bin/server.ts >"$dir/logs/app.log" 2>&1 &
app_pid=$!
"$nginx_bin" -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" &
nginx_pid=$!
for _ in $(seq 1 120); do
  kill -0 "$app_pid" 2>/dev/null || { tail -20 "$dir/logs/app.log" >&2; fail "the app server exited"; }
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$dir/logs/error.log" >&2; fail "nginx exited"; }
  curl -fsS -o /dev/null "http://127.0.0.1:$app_port/login" 2>/dev/null && break
  sleep 0.5
done
step "nginx $("$nginx_bin" -v 2>&1 | sed 's/.*version: //') on https://127.0.0.1:$https_port -> app on 127.0.0.1:$app_port"

NODE_EXTRA_CA_CERTS="$dir/cert.pem" PROXY_URL="https://127.0.0.1:$https_port" PLAIN_URL="http://127.0.0.1:$http_port" \
  APP_DIRECT_URL="http://127.0.0.1:$app_port" node --import @poppinss/ts-exec scripts/nginx_checks.ts \
  || { keep=1; fail "a check failed (logs in $dir/logs)"; }
step "passed"
