#!/usr/bin/env bash
# Benchmark: one logged-in page of the release build (PAGE, e.g. /dashboard),
# against nginx serving a static file of exactly the same byte size, in the
# same run, alternating, with medians and ratios. See bench/README.md; the
# named benchmarks (dashboard.sh, overview.sh) set the page.
#
# Environment:
#   PAGE             the page to load                            (required)
#   NAME             the benchmark's name in its report file     (required)
#   EXPECT           text the page must contain                  (required)
# and, all optional:
#   OBCAN_BIN        use this binary instead of `cargo build --release -p obcan`
#   ROUNDS           measured rounds per server                  (default 5)
#   DURATION         wrk duration of one measured run            (default 10s)
#   WARMUP           wrk duration of the warm-up run per server  (default 5s)
#   THREADS          wrk threads                                 (default 2)
#   CONNECTIONS      wrk connections                             (default 32)
#   OBCAN_PORT       loopback port for obcan  (default: first free in 18180-18199)
#   NGINX_PORT       loopback port for nginx  (default: first free in 18200-18219)
#   SUBJECT          demo identity to log in as                  (default CZ/CZ/demo-0001)
#   RESULTS_DIR      where the Markdown goes                     (default bench/results)
#   KEEP_TMP=1       keep the temp dir (databases, logs, wrk output) for inspection
#
# Exit status: 0 on success; 1 if anything fails, including any non-2xx
# response, any body of the wrong size or any socket error during a wrk run.

set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
SUBJECT=${SUBJECT:-CZ/CZ/demo-0001}
: "${PAGE:?set PAGE, or run one of the named benchmarks}" "${NAME:?}" "${EXPECT:?}"

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}
LUA=$BENCH_DIR/wrk/check.lua

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

for tool in curl wrk nginx awk sed ss timeout; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y wrk nginx-light curl)"
done
[[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || die "ROUNDS must be 1-99, got '$ROUNDS'"

# wrk duration ("10s", "1m", "30") in whole seconds, for the outer time bound.
seconds_of() {
  local d=$1
  case $d in
    *h) echo $(( ${d%h} * 3600 )) ;;
    *m) echo $(( ${d%m} * 60 )) ;;
    *s) echo $(( ${d%s} )) ;;
    *) echo $(( d )) ;;
  esac
}
DURATION_S=$(seconds_of "$DURATION")
WARMUP_S=$(seconds_of "$WARMUP")
(( DURATION_S >= 1 && DURATION_S <= 600 )) || die "DURATION must be 1s-600s"
(( WARMUP_S >= 0 && WARMUP_S <= 600 )) || die "WARMUP must be 0s-600s"

TMP=$(mktemp -d /tmp/obcan-bench.XXXXXX)
OBCAN_PID=
NGINX_PID=

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local pid
  for pid in "$OBCAN_PID" "$NGINX_PID"; do
    [[ -n $pid ]] || continue
    kill -TERM "$pid" 2>/dev/null || continue
    # Bounded wait for a clean stop, then force.
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${KEEP_TMP:-0} == 1 ]]; then
    log "kept $TMP"
  else
    rm -rf "$TMP"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- ports ----
port_is_free() { [[ -z $(ss -Hltn "sport = :$1") ]]; }
free_port() {
  local p
  for p in $(seq "$1" "$2"); do
    if port_is_free "$p"; then echo "$p"; return 0; fi
  done
  return 1
}
OBCAN_PORT=${OBCAN_PORT:-$(free_port 18180 18199)} || die "no free port in 18180-18199"
NGINX_PORT=${NGINX_PORT:-$(free_port 18200 18219)} || die "no free port in 18200-18219"
port_is_free "$OBCAN_PORT" || die "port $OBCAN_PORT is in use"
port_is_free "$NGINX_PORT" || die "port $NGINX_PORT is in use"
OBCAN_URL=http://127.0.0.1:$OBCAN_PORT
NGINX_URL=http://127.0.0.1:$NGINX_PORT

# ---------------------------------------------------------------- build ----
if [[ -n ${OBCAN_BIN:-} ]]; then
  BIN=$OBCAN_BIN
  BUILD_NOTE="given binary (OBCAN_BIN)"
else
  log "building: cargo build --release -p obcan"
  BIN=$(cd "$ROOT" && cargo build --release -p obcan --message-format=json-render-diagnostics \
        | sed -n 's/.*"executable":"\([^"]*\/obcan\)".*/\1/p' | tail -n 1)
  BUILD_NOTE="cargo build --release -p obcan"
fi
[[ -x $BIN ]] || die "no executable obcan binary at '$BIN'"
log "binary: $BIN"

GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY=$(git -C "$ROOT" status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null | wc -l)

# ---------------------------------------------------------------- obcan ----
mkdir -p "$TMP/obcan/files"
log "starting obcan on $OBCAN_URL"
# obcan reads every OBCAN_* variable as configuration and refuses unknown
# ones (OBCAN_BIN, OBCAN_PORT of this script would stop it), so it gets none
# but the three below: the run does not depend on the caller's environment.
unset_obcan=()
for var in $(compgen -e); do
  if [[ $var == OBCAN_* ]]; then unset_obcan+=(-u "$var"); fi
done
env "${unset_obcan[@]}" \
  OBCAN_DATABASE_URL="sqlite://$TMP/obcan/obcan.db?mode=rwc" \
  OBCAN_STORAGE_PATH="$TMP/obcan/files" \
  OBCAN_LOG_LEVEL=warn \
  "$BIN" serve --listen "127.0.0.1:$OBCAN_PORT" >"$TMP/obcan/stdout.log" 2>"$TMP/obcan/stderr.log" &
OBCAN_PID=$!

wait_http_200() { # url name pid
  local i code
  for i in $(seq 1 300); do # at most ~30 s
    kill -0 "$3" 2>/dev/null || { tail -n 20 "$TMP"/*/stderr.log "$TMP"/nginx/logs/error.log >&2 2>/dev/null || true; die "$2 exited before it became healthy"; }
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true)
    [[ $code == 200 ]] && return 0
    sleep 0.1
  done
  die "$2 did not answer 200 at $1 within 30 s (last: $code)"
}
wait_http_200 "$OBCAN_URL/healthz" obcan "$OBCAN_PID"

# ---------------------------------------------------------------- login ----
JAR=$TMP/cookies.txt
login_page=$TMP/login_demo.html
code=$(curl -sS -c "$JAR" -b "$JAR" -o "$login_page" -w '%{http_code}' --max-time 10 \
       "$OBCAN_URL/login/demo")
[[ $code == 200 ]] || die "GET /login/demo answered $code"
csrf=$(sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' "$login_page" | head -n 1)
[[ -n $csrf ]] || die "no _csrf hidden input on /login/demo"
code=$(curl -sS -c "$JAR" -b "$JAR" -o /dev/null -D "$TMP/login_post.headers" -w '%{http_code}' \
       --max-time 10 \
       --data-urlencode "_csrf=$csrf" --data-urlencode "subject=$SUBJECT" \
       --data-urlencode "next=$PAGE" "$OBCAN_URL/login/demo")
[[ $code == 303 ]] || die "POST /login/demo answered $code, expected 303"
grep -qi "^location: $PAGE" "$TMP/login_post.headers" || die "login did not redirect to $PAGE"
session=$(awk -F'\t' '$6 == "obcan_session" { v = $7 } END { print v }' "$JAR")
[[ -n $session ]] || die "no obcan_session cookie after login"
COOKIE="obcan_session=$session"

BODY=$TMP/page.html
code=$(curl -sS -H "Cookie: $COOKIE" -o "$BODY" -D "$TMP/obcan.headers" -w '%{http_code}' \
       --max-time 10 "$OBCAN_URL$PAGE")
[[ $code == 200 ]] || die "GET $PAGE with the session answered $code"
grep -q "$EXPECT" "$BODY" || die "$PAGE does not contain '$EXPECT'"
BODY_BYTES=$(wc -c <"$BODY")
# The page must be byte-stable across requests, or "same size" means nothing.
curl -sS -H "Cookie: $COOKIE" -o "$TMP/page2.html" --max-time 10 "$OBCAN_URL$PAGE"
cmp -s "$BODY" "$TMP/page2.html" || log "note: two responses of $PAGE differ in content"
[[ $(wc -c <"$TMP/page2.html") == "$BODY_BYTES" ]] || die "$PAGE size is not stable between requests"
log "$PAGE: 200, $BODY_BYTES bytes"

# ---------------------------------------------------------------- nginx ----
NG=$TMP/nginx
mkdir -p "$NG/www" "$NG/tmp" "$NG/logs"
head -c "$BODY_BYTES" /dev/zero | tr '\0' 'x' >"$NG/www/page.html"
[[ $(wc -c <"$NG/www/page.html") == "$BODY_BYTES" ]] || die "static file has the wrong size"
# nginx workers drop to 'nobody' when the master runs as root: let them read.
chmod 711 "$TMP"
chmod 755 "$NG" "$NG/www"
chmod 644 "$NG/www/page.html"
NGINX_USER_LINE=
if [[ $(id -u) == 0 ]]; then NGINX_USER_LINE="user nobody nogroup;"; fi
cat >"$NG/nginx.conf" <<EOF
$NGINX_USER_LINE
worker_processes auto;
daemon off;
pid $NG/nginx.pid;
error_log $NG/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $NG/tmp/body;
    proxy_temp_path $NG/tmp/proxy;
    fastcgi_temp_path $NG/tmp/fastcgi;
    uwsgi_temp_path $NG/tmp/uwsgi;
    scgi_temp_path $NG/tmp/scgi;
    default_type text/html;
    charset utf-8;
    sendfile on;
    tcp_nopush on;
    gzip off;
    keepalive_timeout 65;
    # hyper never closes a keep-alive connection after N requests; neither here.
    keepalive_requests 100000000;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $NG/www;
        location = $PAGE { try_files /page.html =404; }
    }
}
EOF
nginx -t -q -p "$NG" -e "$NG/logs/error.log" -c "$NG/nginx.conf" 2>"$NG/logs/test.log" \
  || { cat "$NG/logs/test.log" >&2; die "nginx config test failed"; }
log "starting nginx on $NGINX_URL"
nginx -p "$NG" -e "$NG/logs/error.log" -c "$NG/nginx.conf" 2>"$NG/stderr.log" &
NGINX_PID=$!
wait_http_200 "$NGINX_URL$PAGE" nginx "$NGINX_PID"
code=$(curl -sS -H "Cookie: $COOKIE" -o "$TMP/nginx.body" -D "$TMP/nginx.headers" \
       -w '%{http_code}' --max-time 10 "$NGINX_URL$PAGE")
[[ $code == 200 ]] || die "nginx answered $code"
[[ $(wc -c <"$TMP/nginx.body") == "$BODY_BYTES" ]] || die "nginx body size differs"
OBCAN_HDR_BYTES=$(wc -c <"$TMP/obcan.headers")
NGINX_HDR_BYTES=$(wc -c <"$TMP/nginx.headers")

# ------------------------------------------------------------------ wrk ----
# Runs wrk once and sets RPS, P99 and P50 (milliseconds); dies on any error,
# non-2xx response or body of the wrong size.
run_wrk() { # name url duration out
  local name=$1 url=$2 duration=$3 out=$4 limit
  limit=$(( $(seconds_of "$duration") + 30 ))
  BENCH_COOKIE=$COOKIE BENCH_BODY_BYTES=$BODY_BYTES \
    timeout --kill-after=5 "$limit" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency -s "$LUA" "$url$PAGE" \
    >"$out" 2>&1 || { cat "$out" >&2; die "wrk against $name failed"; }
  local check responses non2xx badlen first errors
  check=$(grep '^BENCH ' "$out" || true)
  [[ -n $check ]] || { cat "$out" >&2; die "wrk against $name printed no BENCH line"; }
  responses=$(sed -n 's/.*responses=\([0-9]*\).*/\1/p' <<<"$check")
  non2xx=$(sed -n 's/.*non2xx=\([0-9]*\).*/\1/p' <<<"$check")
  badlen=$(sed -n 's/.*badlen=\([0-9]*\).*/\1/p' <<<"$check")
  first=$(sed -n 's/.*first_bad_status=\([0-9]*\).*/\1/p' <<<"$check")
  errors=$(grep '^  Socket errors:' "$out" || true)
  if (( non2xx > 0 || badlen > 0 || responses == 0 )) || [[ -n $errors ]]; then
    cat "$out" >&2
    die "$name: $responses responses, $non2xx non-2xx (first status $first), $badlen of the wrong size${errors:+, $errors}"
  fi
  local figures
  figures=$(awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
      if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
      return -1
    }
    /Latency Distribution/ { dist = 1 }
    dist && $1 == "50%" { p50 = ms($2) }
    dist && $1 == "99%" { p99 = ms($2) }
    / requests in / { reqs = $1 }
    /^Requests\/sec:/ { rps = $2 }
    END {
      if (rps == "" || p99 == "" || p99 < 0) exit 1
      printf "%s %.3f %.3f %s\n", rps, p99, p50, reqs
    }' "$out") || { cat "$out" >&2; die "cannot parse wrk output for $name"; }
  read -r RPS P99 P50 _ <<<"$figures"
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
if (( WARMUP_S > 0 )); then
  log "warm-up: $WARMUP against each"
  run_wrk obcan "$OBCAN_URL" "$WARMUP" "$TMP/warmup-obcan.txt"
  run_wrk nginx "$NGINX_URL" "$WARMUP" "$TMP/warmup-nginx.txt"
fi

declare -a O_RPS O_P99 O_P50 N_RPS N_P99 N_P50 ORDER
for r in $(seq 1 "$ROUNDS"); do
  # Alternate which server goes first, so a drift in machine load does not
  # always favour the same one.
  if (( r % 2 == 1 )); then order="obcan nginx"; else order="nginx obcan"; fi
  ORDER[r]=${order// /,}
  for who in $order; do
    if [[ $who == obcan ]]; then url=$OBCAN_URL; else url=$NGINX_URL; fi
    log "round $r/$ROUNDS: $who ($DURATION)"
    run_wrk "$who" "$url" "$DURATION" "$TMP/round$r-$who.txt"
    if [[ $who == obcan ]]; then
      O_RPS[r]=$RPS; O_P99[r]=$P99; O_P50[r]=$P50
    else
      N_RPS[r]=$RPS; N_P99[r]=$P99; N_P50[r]=$P50
    fi
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# Peak resident memory of obcan over the whole run (start, login, warm-up, rounds).
kill -0 "$OBCAN_PID" 2>/dev/null || die "obcan is no longer running"
VMHWM=$(awk '/^VmHWM:/ { print $2 " " $3 }' "/proc/$OBCAN_PID/status")
VMRSS=$(awk '/^VmRSS:/ { print $2 " " $3 }' "/proc/$OBCAN_PID/status")
if [[ -s $TMP/obcan/stderr.log ]]; then
  OBCAN_LOG_LINES=$(wc -l <"$TMP/obcan/stderr.log")
else
  OBCAN_LOG_LINES=0
fi

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.3f", a / b }'; }
fmt() { awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f", d, v }'; }

MO_RPS=$(median "${O_RPS[@]}"); MN_RPS=$(median "${N_RPS[@]}")
MO_P99=$(median "${O_P99[@]}"); MN_P99=$(median "${N_P99[@]}")
MO_P50=$(median "${O_P50[@]}"); MN_P50=$(median "${N_P50[@]}")
# Paired view: each round's ratio, then their median. Less swayed than the
# ratio of medians when the machine's load changes between rounds.
declare -a R_RPS R_P99
for r in $(seq 1 "$ROUNDS"); do
  R_RPS[r]=$(ratio "${O_RPS[r]}" "${N_RPS[r]}")
  R_P99[r]=$(ratio "${O_P99[r]}" "${N_P99[r]}")
done
MR_RPS=$(fmt "$(median "${R_RPS[@]}")" 3); MR_P99=$(fmt "$(median "${R_P99[@]}")" 3)
# A 1-minute load average above the number of CPUs means something else was
# competing for them during the run: the figures are then lower bounds.
NPROC=$(nproc)
BUSY=$(awk -v a="${LOAD_START%% *}" -v b="${LOAD_END%% *}" -v n="$NPROC" 'BEGIN { print (a > n || b > n) ? 1 : 0 }')

# ------------------------------------------------------------- report ----
STAMP=$(date -u +%Y-%m-%d-%H%M%S)
mkdir -p "$RESULTS_DIR"
REPORT=$RESULTS_DIR/$NAME-$STAMP.md
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM_TOTAL=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
WRK_VERSION=$(wrk -v 2>&1 | head -n 1 | awk '{ print $1, $2 }' || true)
NGINX_VERSION=$(nginx -v 2>&1 | sed 's/^nginx version: //')
RUSTC_VERSION=$( (cd "$ROOT" && rustc -V) 2>/dev/null || echo unknown)

{
  echo "# Benchmark $NAME ($PAGE), $STAMP UTC"
  echo
  echo "\`GET $PAGE\` of the release build, logged in as \`$SUBJECT\`, against nginx"
  echo "serving a static file of the same size ($BODY_BYTES bytes of body), alternating in one run."
  echo "No \`Accept-Encoding\`: both bodies go uncompressed."
  echo
  echo "| setting | value |"
  echo "| --- | --- |"
  echo "| command | \`bench/$NAME.sh\` (ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP THREADS=$THREADS CONNECTIONS=$CONNECTIONS) |"
  echo "| wrk | \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -s bench/wrk/check.lua\`, $WRK_VERSION |"
  echo "| obcan | $BUILD_NOTE, commit $GIT_REV, $GIT_DIRTY changed file(s) under crates/ and Cargo.* at run time; SQLite in a temp dir; log level warn |"
  echo "| nginx | $NGINX_VERSION, worker_processes auto, sendfile on, access_log off, keepalive_requests unlimited |"
  echo "| rustc | $RUSTC_VERSION |"
  echo "| machine | $(nproc) CPUs, $CPU_MODEL, $MEM_TOTAL, Linux $(uname -r) |"
  echo "| load average (1/5/15 min) | start $LOAD_START, end $LOAD_END |"
  echo "| response header bytes | obcan $OBCAN_HDR_BYTES, nginx $NGINX_HDR_BYTES |"
  echo
  echo "| round | order | obcan req/s | nginx req/s | req/s ratio | obcan p99 ms | nginx p99 ms | p99 ratio | obcan p50 ms | nginx p50 ms |"
  echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for r in $(seq 1 "$ROUNDS"); do
    echo "| $r | ${ORDER[r]} | $(fmt "${O_RPS[r]}" 0) | $(fmt "${N_RPS[r]}" 0) | $(ratio "${O_RPS[r]}" "${N_RPS[r]}") | $(fmt "${O_P99[r]}" 2) | $(fmt "${N_P99[r]}" 2) | $(ratio "${O_P99[r]}" "${N_P99[r]}") | $(fmt "${O_P50[r]}" 2) | $(fmt "${N_P50[r]}" 2) |"
  done
  echo "| **median** | | **$(fmt "$MO_RPS" 0)** | **$(fmt "$MN_RPS" 0)** | **$(ratio "$MO_RPS" "$MN_RPS")** | **$(fmt "$MO_P99" 2)** | **$(fmt "$MN_P99" 2)** | **$(ratio "$MO_P99" "$MN_P99")** | $(fmt "$MO_P50" 2) | $(fmt "$MN_P50" 2) |"
  echo "| median of per-round ratios | | | | $MR_RPS | | | $MR_P99 | | |"
  echo
  echo "Ratios are obcan / nginx: in the median row, of the medians; per round, of that"
  echo "round's figures. A req/s ratio below 1 and a p99 ratio above 1 mean obcan is slower."
  echo
  if [[ $BUSY == 1 ]]; then
    echo "- **Warning:** the 1-minute load average exceeded the $NPROC CPUs during the run;"
    echo "  other processes competed for the CPUs, so the figures are noisy lower bounds."
  fi
  echo "- Every measured and warm-up response was 2xx with a body of exactly $BODY_BYTES bytes; no socket errors."
  echo "- obcan peak RSS (VmHWM) over the run: **$VMHWM**; RSS at the end: $VMRSS."
  echo "- obcan wrote $OBCAN_LOG_LINES line(s) to stderr at log level warn."
} >"$REPORT"

echo
echo "round  order         obcan_rps  nginx_rps  ratio   obcan_p99ms  nginx_p99ms  ratio"
for r in $(seq 1 "$ROUNDS"); do
  printf '%-6s %-13s %9.0f  %9.0f  %6s  %11.2f  %11.2f  %6s\n' "$r" "${ORDER[r]}" \
    "${O_RPS[r]}" "${N_RPS[r]}" "$(ratio "${O_RPS[r]}" "${N_RPS[r]}")" \
    "${O_P99[r]}" "${N_P99[r]}" "$(ratio "${O_P99[r]}" "${N_P99[r]}")"
done
printf '%-6s %-13s %9.0f  %9.0f  %6s  %11.2f  %11.2f  %6s\n' median "" \
  "$MO_RPS" "$MN_RPS" "$(ratio "$MO_RPS" "$MN_RPS")" "$MO_P99" "$MN_P99" "$(ratio "$MO_P99" "$MN_P99")"
printf 'median of per-round ratios: req/s %s, p99 %s\n' "$MR_RPS" "$MR_P99"
if [[ $BUSY == 1 ]]; then echo "warning: load average above $NPROC CPUs during the run (start $LOAD_START, end $LOAD_END)"; fi
echo "obcan peak RSS (VmHWM): $VMHWM"
echo
echo "----- $REPORT -----"
cat "$REPORT"
