#!/usr/bin/env bash
# Benchmark: uploading and downloading one large document (1 GiB by default)
# through the release build's "Moje dokumenty" form, against, in the same
# run and on the same disk, `sha256sum` of the file and a raw write of it
# (`dd … conv=fsync`), with medians and ratios; and the portal's peak memory
# (VmHWM) before and after the uploads. See bench/README.md.
#
# Environment, all optional:
#   OBCAN_BIN     use this binary instead of `cargo build --release -p obcan`
#   SIZE_MIB      the document's size in MiB                      (default 1024)
#   ROUNDS        measured rounds                                  (default 3)
#   SUBJECT       demo identity to log in as                      (default CZ/CZ/demo-0001)
#   RESULTS_DIR   where the Markdown goes                          (default bench/results)
#   KEEP_TMP=1    keep the temp dir for inspection
#
# Exit status: 0 on success; 1 if anything fails, including an upload that is
# not stored or a download whose SHA-256 differs from the original's.

set -euo pipefail

SIZE_MIB=${SIZE_MIB:-1024}
ROUNDS=${ROUNDS:-3}
SUBJECT=${SUBJECT:-CZ/CZ/demo-0001}
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

for tool in curl dd sha256sum awk sed ss; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
[[ $ROUNDS =~ ^[1-9]$ ]] || die "ROUNDS must be 1-9"
[[ $SIZE_MIB =~ ^[1-9][0-9]*$ ]] || die "SIZE_MIB must be a whole number"

# The temp dir is on the disk the portal writes to, so the raw write is a
# like-for-like baseline.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/obcan-bench-documents.XXXXXX")
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
for p in $(seq 18220 18239); do
  if [[ -z $(ss -Hltn "sport = :$p") ]]; then port=$p; break; fi
done
[[ -n $port ]] || die "no free port in 18220-18239"
URL=http://127.0.0.1:$port

if [[ -n ${OBCAN_BIN:-} ]]; then
  BIN=$OBCAN_BIN
else
  log "building: cargo build --release -p obcan"
  BIN=$(cd "$ROOT" && cargo build --release -p obcan --message-format=json-render-diagnostics \
        | sed -n 's/.*"executable":"\([^"]*\/obcan\)".*/\1/p' | tail -n 1)
fi
[[ -x $BIN ]] || die "no executable obcan binary at '$BIN'"

# A PDF holding SIZE_MIB of random bytes in one stream: a type the portal
# stores, and content that neither side can compress.
DOC=$TMP/document.pdf
log "writing a ${SIZE_MIB} MiB PDF"
{
  printf '%%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n'
  printf '2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n'
  printf '3 0 obj\n<< /Length %d >>\nstream\n' $(( SIZE_MIB * 1048576 ))
  head -c $(( SIZE_MIB * 1048576 )) /dev/urandom
  printf '\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%%%EOF\n'
} >"$DOC"
BYTES=$(stat -c %s "$DOC")
EXPECTED=$(sha256sum "$DOC" | cut -d' ' -f1)

mkdir -p "$TMP/obcan/files"
unset_obcan=()
for var in $(compgen -e); do
  if [[ $var == OBCAN_* ]]; then unset_obcan+=(-u "$var"); fi
done
env "${unset_obcan[@]}" \
  OBCAN_DATABASE_URL="sqlite://$TMP/obcan/obcan.db?mode=rwc" \
  OBCAN_STORAGE_PATH="$TMP/obcan/files" \
  OBCAN_STORAGE_QUOTA_MIB=$(( SIZE_MIB * 2 + 16 )) \
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

peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$OBCAN_PID/status"; }
# Warm up: a small upload, so the baseline peak includes the upload path.
head -c 1048576 "$DOC" >"$TMP/warm.pdf"
printf '\nendstream\nendobj\ntrailer\n<< >>\n%%%%EOF\n' >>"$TMP/warm.pdf"
curl -sS -b "$JAR" -o "$TMP/documents.html" "$URL/documents"
curl -sS -b "$JAR" -o /dev/null -F "_csrf=$(csrf_of "$TMP/documents.html")" -F "folder=" \
  -F "files=@$TMP/warm.pdf;type=application/pdf" "$URL/documents"
PEAK_BEFORE=$(peak_rss_kib)

upload_s=(); download_s=(); hash_s=(); write_s=()
for round in $(seq 1 "$ROUNDS"); do
  curl -sS -b "$JAR" -o "$TMP/documents.html" "$URL/documents"
  out=$(curl -sS -b "$JAR" -o "$TMP/upload.html" -w '%{http_code} %{time_total}' \
        -F "_csrf=$(csrf_of "$TMP/documents.html")" -F "folder=bench" \
        -F "files=@$DOC;filename=round-$round.pdf;type=application/pdf" "$URL/documents")
  [[ ${out%% *} == 303 ]] || die "upload $round answered ${out%% *}: $(grep -o 'id="refused".*' "$TMP/upload.html" | head -c 300)"
  upload_s+=("${out#* }")

  curl -sS -b "$JAR" -o "$TMP/list.html" "$URL/documents?folder=bench"
  id=$(grep -o 'href="/documents/[0-9a-f-]\{36\}">round-'"$round"'.pdf' "$TMP/list.html" \
       | sed 's|href="/documents/\([0-9a-f-]*\)".*|\1|')
  [[ -n $id ]] || die "round $round: the uploaded document is not listed"
  out=$(curl -sS -b "$JAR" -o "$TMP/download.pdf" -w '%{http_code} %{time_total}' \
        "$URL/documents/$id/download")
  [[ ${out%% *} == 200 ]] || die "download $round answered ${out%% *}"
  download_s+=("${out#* }")
  [[ $(sha256sum "$TMP/download.pdf" | cut -d' ' -f1) == "$EXPECTED" ]] \
    || die "round $round: the download differs from the upload"
  rm -f "$TMP/download.pdf"

  start=$(date +%s.%N); sha256sum "$DOC" >/dev/null; end=$(date +%s.%N)
  hash_s+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
  start=$(date +%s.%N)
  dd if="$DOC" of="$TMP/raw-copy" bs=1M conv=fsync status=none
  end=$(date +%s.%N)
  write_s+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
  rm -f "$TMP/raw-copy"

  # Keep the disk from filling: delete the round's document again.
  curl -sS -b "$JAR" -o "$TMP/detail.html" "$URL/documents/$id"
  code=$(curl -sS -b "$JAR" -o /dev/null -w '%{http_code}' \
         --data-urlencode "_csrf=$(csrf_of "$TMP/detail.html")" "$URL/documents/$id/delete")
  [[ $code == 303 ]] || die "round $round: deleting answered $code"
  log "round $round: upload ${upload_s[-1]} s, download ${download_s[-1]} s, sha256sum ${hash_s[-1]} s, raw write ${write_s[-1]} s"
done
PEAK_AFTER=$(peak_rss_kib)

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mbps() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.0f", b / s / 1e6 }'; }
up=$(median "${upload_s[@]}"); down=$(median "${download_s[@]}")
hash=$(median "${hash_s[@]}"); write=$(median "${write_s[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'; }

mkdir -p "$RESULTS_DIR"
REPORT=$RESULTS_DIR/documents-$(date -u +%Y%m%dT%H%M%SZ).md
{
  echo "# Documents: ${SIZE_MIB} MiB upload and download"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores, ${ROUNDS} rounds, medians."
  echo
  echo "| | median s | MB/s | ratio to raw write |"
  echo "|---|---|---|---|"
  echo "| raw write (\`dd conv=fsync\`) | $write | $(mbps "$write") | 1.00 |"
  echo "| \`sha256sum\` | $hash | $(mbps "$hash") | $(ratio "$hash" "$write") |"
  echo "| upload (form → check → seal → fsync) | $up | $(mbps "$up") | $(ratio "$up" "$write") |"
  echo "| download (open → stream) | $down | $(mbps "$down") | $(ratio "$down" "$write") |"
  echo
  echo "Peak RSS (VmHWM) of the portal: $(( PEAK_BEFORE / 1024 )) MiB after a 1 MiB upload, $(( PEAK_AFTER / 1024 )) MiB after ${ROUNDS} × ${SIZE_MIB} MiB."
} | tee "$REPORT"
log "report: $REPORT"
