#!/usr/bin/env bash
# Benchmark: filing submissions with a 1 MiB attachment through the release
# build, against, in the same run and on the same disk, a raw fsynced write
# of the same attachment (`dd … conv=fsync`) with the same parallelism; with
# medians and ratios, and the portal's peak memory (VmHWM). See
# bench/README.md.
#
# Environment, all optional:
#   OBCAN_BIN      use this binary instead of `cargo build --release -p obcan`
#   DATABASE_URL   an empty PostgreSQL database to run on (default: SQLite in the temp dir)
#   FILINGS        submissions filed per round                       (default 100)
#   PARALLEL       submissions sent at once                           (default 4)
#   ROUNDS         measured rounds                                    (default 5)
#   SUBJECT        demo identity to log in as                        (default CZ/CZ/demo-0001)
#   RESULTS_DIR    where the Markdown goes                            (default bench/results)
#   KEEP_TMP=1     keep the temp dir for inspection
#
# Exit status: 0 on success; 1 if anything fails, including a filing that
# is not answered with its receipt.

set -euo pipefail

FILINGS=${FILINGS:-100}
PARALLEL=${PARALLEL:-4}
ROUNDS=${ROUNDS:-5}
SUBJECT=${SUBJECT:-CZ/CZ/demo-0001}
FORM=/forms/hlaseni-zavady
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

for tool in curl dd xargs awk sed ss; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
[[ $ROUNDS =~ ^[1-9]$ ]] || die "ROUNDS must be 1-9"
[[ $FILINGS =~ ^[1-9][0-9]*$ ]] || die "FILINGS must be a whole number"
[[ $PARALLEL =~ ^[1-9][0-9]?$ ]] || die "PARALLEL must be 1-99"

# The temp dir is on the disk the portal writes to, so the raw write is a
# like-for-like baseline.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/obcan-bench-submissions.XXXXXX")
OBCAN_PID=
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n $OBCAN_PID ]]; then
    kill -TERM "$OBCAN_PID" 2>/dev/null && wait "$OBCAN_PID" 2>/dev/null || true
  fi
  if [[ ${KEEP_TMP:-0} == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=
for p in $(seq 18240 18259); do
  if [[ -z $(ss -Hltn "sport = :$p") ]]; then port=$p; break; fi
done
[[ -n $port ]] || die "no free port in 18240-18259"
URL=http://127.0.0.1:$port

if [[ -n ${OBCAN_BIN:-} ]]; then
  BIN=$OBCAN_BIN
else
  log "building: cargo build --release -p obcan"
  BIN=$(cd "$ROOT" && cargo build --release -p obcan --message-format=json-render-diagnostics \
        | sed -n 's/.*"executable":"\([^"]*\/obcan\)".*/\1/p' | tail -n 1)
fi
[[ -x $BIN ]] || die "no executable obcan binary at '$BIN'"

# A 1 MiB PDF of random bytes in one stream: a type the portal stores, and
# content that nothing on the way can compress.
DOC=$TMP/photo.pdf
{
  printf '%%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n'
  printf '2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n'
  printf '3 0 obj\n<< /Length 1048000 >>\nstream\n'
  head -c 1048000 /dev/urandom
  printf '\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%%%EOF\n'
} >"$DOC"
BYTES=$(stat -c %s "$DOC")

mkdir -p "$TMP/obcan/files"
unset_obcan=()
for var in $(compgen -e); do
  if [[ $var == OBCAN_* ]]; then unset_obcan+=(-u "$var"); fi
done
DB_URL=${DATABASE_URL:-sqlite://$TMP/obcan/obcan.db?mode=rwc}
env "${unset_obcan[@]}" \
  OBCAN_DATABASE_URL="$DB_URL" \
  OBCAN_STORAGE_PATH="$TMP/obcan/files" \
  OBCAN_STORAGE_CHECK_EVERY_MINUTES=0 \
  OBCAN_LOG_LEVEL=warn \
  "$BIN" serve --listen "127.0.0.1:$port" >"$TMP/obcan/stdout.log" 2>"$TMP/obcan/stderr.log" &
OBCAN_PID=$!
for _ in $(seq 1 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz" || true) == 200 ]] && break
  kill -0 "$OBCAN_PID" 2>/dev/null || die "obcan exited: $(tail -n 5 "$TMP/obcan/stderr.log")"
  sleep 0.1
done

JAR=$TMP/cookies.txt
csrf_of() { sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' "$1" | head -n 1; }
curl -sS -c "$JAR" -b "$JAR" -o "$TMP/login.html" "$URL/login/demo"
curl -sS -c "$JAR" -b "$JAR" -o /dev/null --data-urlencode "_csrf=$(csrf_of "$TMP/login.html")" \
  --data-urlencode "subject=$SUBJECT" "$URL/login/demo"
curl -sS -b "$JAR" -o "$TMP/documents.html" "$URL/documents"
CSRF=$(csrf_of "$TMP/documents.html")
[[ -n $CSRF ]] || die "not logged in as $SUBJECT"
code=$(curl -sS -b "$JAR" -o /dev/null -w '%{http_code}' -F "_csrf=$CSRF" -F "folder=" \
       -F "files=@$DOC;filename=lampa.pdf;type=application/pdf" "$URL/documents")
[[ $code == 303 ]] || die "uploading the attachment answered $code"
curl -sS -b "$JAR" -o "$TMP/documents.html" "$URL/documents"
PHOTO=$(grep -o 'href="/documents/[0-9a-f-]\{36\}">lampa.pdf' "$TMP/documents.html" \
        | sed 's|href="/documents/\([0-9a-f-]*\)".*|\1|' | head -n 1)
[[ -n $PHOTO ]] || die "the uploaded attachment is not listed"

# One complete draft of the problem report attaching the photograph, up to
# its review page: the state a citizen is in before pressing "Odeslat".
prepare_draft() {
  local n=$1 location draft
  location=$(curl -sS -b "$JAR" -o /dev/null -w '%{redirect_url}' \
             --data-urlencode "_csrf=$CSRF" "$URL$FORM/drafts")
  draft=${location%/steps/0}
  [[ $draft != "$location" ]] || die "beginning a draft led to '$location'"
  location=$(curl -sS -b "$JAR" -o /dev/null -w '%{redirect_url}' \
             --data-urlencode "_csrf=$CSRF" --data-urlencode "druh=osvetleni" \
             --data-urlencode "popis=Lampa číslo $n nesvítí." \
             --data-urlencode "misto=Školní $n" --data-urlencode "fotografie=$PHOTO" \
             "$draft/steps/0")
  [[ $location == "$draft/steps/1" ]] || die "the report's first step led to '$location'"
  location=$(curl -sS -b "$JAR" -o /dev/null -w '%{redirect_url}' \
             --data-urlencode "_csrf=$CSRF" --data-urlencode "email=" "$draft/steps/1")
  [[ $location == "$draft/review" ]] || die "the report's second step led to '$location'"
  printf '%s\n' "$draft"
}

# Files every draft listed in $1, PARALLEL at a time, in one curl; fails
# unless each is answered with its new receipt.
file_drafts() {
  local drafts=$1 config=$TMP/submit.curl answers=$TMP/answers.txt
  : >"$config"
  while read -r draft; do
    printf 'url = "%s/submit"\noutput = "/dev/null"\n' "$draft" >>"$config"
  done <"$drafts"
  curl -sS --no-progress-meter --parallel --parallel-max "$PARALLEL" -b "$JAR" --data-urlencode "_csrf=$CSRF" \
    -w '%{http_code} %{redirect_url}\n' -K "$config" >"$answers"
  local receipts
  receipts=$(grep -c '^303 .*/submissions/[0-9a-f-]\{36\}?filed=1$' "$answers" || true)
  [[ $receipts == "$(wc -l <"$drafts")" ]] \
    || die "$receipts of $(wc -l <"$drafts") filings answered with a new receipt: $(grep -v '^303' "$answers" | head -n 3)"
}

# The baseline: the same number of 1 MiB files written and fsynced, as
# many at once.
raw_writes() {
  mkdir -p "$TMP/raw"
  seq 1 "$FILINGS" | xargs -P "$PARALLEL" -I{} dd if="$DOC" of="$TMP/raw/{}" bs=1M conv=fsync status=none
  rm -rf "$TMP/raw"
}

seconds() { local start=$1 end; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'; }
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$OBCAN_PID/status"; }
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)

# Warm up with a few filings, so that the first round does not pay for
# the first connections and pages.
for n in 1 2 3; do prepare_draft "$n"; done >"$TMP/drafts.txt"
file_drafts "$TMP/drafts.txt"

portal_s=(); raw_s=()
for round in $(seq 1 "$ROUNDS"); do
  log "round $round: preparing $FILINGS drafts"
  for n in $(seq 1 "$FILINGS"); do prepare_draft "$n"; done >"$TMP/drafts.txt"
  run_portal() { local start; start=$(date +%s.%N); file_drafts "$TMP/drafts.txt"; portal_s+=("$(seconds "$start")"); }
  run_raw() { local start; start=$(date +%s.%N); raw_writes; raw_s+=("$(seconds "$start")"); }
  # Which goes first swaps every round, so a change of load hits both.
  if (( round % 2 )); then run_portal; run_raw; else run_raw; run_portal; fi
  log "round $round: $FILINGS filings in ${portal_s[-1]} s, $FILINGS raw writes in ${raw_s[-1]} s"
done
PEAK=$(peak_rss_kib)
LOAD_END=$(cut -d' ' -f1 /proc/loadavg)

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
per_second() { awk -v n="$FILINGS" -v s="$1" 'BEGIN { printf "%.1f", n / s }'; }
portal=$(median "${portal_s[@]}"); raw=$(median "${raw_s[@]}")
round_ratios=()
for i in "${!portal_s[@]}"; do
  round_ratios+=("$(awk -v p="${portal_s[$i]}" -v r="${raw_s[$i]}" 'BEGIN { printf "%.3f", r / p }')")
done

mkdir -p "$RESULTS_DIR"
REPORT=$RESULTS_DIR/submissions-$(date -u +%Y%m%dT%H%M%SZ).md
{
  echo "# Submissions: filing with a 1 MiB attachment"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores, ${DB_URL%%:*}, ${ROUNDS} rounds of ${FILINGS} filings, ${PARALLEL} at once, medians; load average ${LOAD_START} at the start, ${LOAD_END} at the end."
  if awk -v a="$LOAD_START" -v b="$LOAD_END" -v n="$(nproc)" 'BEGIN { exit !(a > n || b > n) }'; then
    echo
    echo "**Warning:** the load average was above the number of CPUs: something else was running, and these figures are noisy lower bounds."
  fi
  echo
  echo "| round | portal s | raw write s | ratio |"
  echo "|---|---|---|---|"
  for i in "${!portal_s[@]}"; do
    echo "| $(( i + 1 )) | ${portal_s[$i]} | ${raw_s[$i]} | ${round_ratios[$i]} |"
  done
  echo
  echo "| | median s for ${FILINGS} | per second | ratio to raw write |"
  echo "|---|---|---|---|"
  echo "| raw write of the attachment (\`dd conv=fsync\`) | $raw | $(per_second "$raw") | 1.00 |"
  echo "| filing (draft check → copy sealed → fsync → commit → receipt) | $portal | $(per_second "$portal") | $(awk -v p="$portal" -v r="$raw" 'BEGIN { printf "%.2f", r / p }') |"
  echo
  echo "Median of the rounds' ratios: $(median "${round_ratios[@]}"). Attachment: $BYTES bytes. Peak RSS (VmHWM) of the portal: $(( PEAK / 1024 )) MiB."
} | tee "$REPORT"
log "report: $REPORT"
