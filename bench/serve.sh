#!/usr/bin/env bash
# bench/serve.sh [OCCURRENCES] — the web API under load (docs/PERFORMANCE.md, "Web API").
#
# A new workspace gets one case of OCCURRENCES generated occurrences (default 5M; the store
# workload of bench/store_workload.h, its cases stored as evidence items of that one case); an
# examiner who is a member of it signs in; `evidex serve` answers. Then, in the same command:
#   reference  wrk, CLIENTS connections for SECONDS on GET /api/v1/me (signed in: the server's
#              floor for an authenticated JSON answer: session check, no store read);
#   evidex     evidex-serve-bench load: CLIENTS clients walking the case's artifact table as the
#              UI does (random kind filter, sort, order, text filter, pages on through cursors).
# Reports throughput, latency percentiles, the server's peak memory (VmHWM) and the p95 target
# (< 200 ms). Writes $OUT/results.md.
#
#   CLIENTS (20)  DURATION (30, seconds)  SEED (42)  OUT (build/bench-serve)  BUILD (build)
#   SERVE_ARGS (more `evidex serve` options, e.g. "--query-slots 128" to compare)
set -euo pipefail

cd "$(dirname "$0")/.."
occurrences=${1:-5M}
clients=${CLIENTS:-20}
seconds=${DURATION:-30}
seed=${SEED:-42}
out=${OUT:-build/bench-serve}
build=${BUILD:-build}
ev=$build/src/cli/evidex
bench=$build/bench/evidex-serve-bench

die() { echo "bench/serve.sh: $*" >&2; exit 2; }
[ -x "$ev" ] || die "$ev not built (make build)"
[ -x "$bench" ] || die "$bench not built (cmake --build $build --target evidex-serve-bench)"
command -v wrk >/dev/null || die "wrk is missing (make deps)"
command -v curl >/dev/null || die "curl is missing"
mkdir -p "$out"
out=$(realpath "$out")
ws=$out/ws
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  return 0
}
trap cleanup EXIT

export EVIDEX_PASSPHRASE=bench-passphrase
stamp=$out/ws-$occurrences-$seed.case
if [ ! -f "$stamp" ] || [ ! -d "$ws" ]; then
  rm -rf "$ws" "$out"/ws-*.case
  "$ev" --data "$ws" init --unit "Benchmark Unit" --country LK >/dev/null
  echo "bench/serve.sh: storing a case of $occurrences occurrences" >&2
  /usr/bin/time -f "populate: %e s, %M KiB" "$bench" populate --db "$ws/evidex.db" \
    --occurrences "$occurrences" --seed "$seed" > "$stamp"
fi
case_id=$(cat "$stamp")
users=$("$ev" --data "$ws" user list --json)
for u in bench-admin:admin bench:examiner; do
  printf '%s' "$users" | grep -q "\"name\": \"${u%%:*}\"" ||
    "$ev" --data "$ws" user add "${u%%:*}" --role "${u#*:}" >/dev/null
done

# The server, on a free port; its banner names the port, and the admin's password on first start.
# shellcheck disable=SC2086
"$ev" --data "$ws" serve --listen 127.0.0.1:0 ${SERVE_ARGS:-} > "$out/serve.log" 2>&1 &
server_pid=$!
url=
for _ in $(seq 1 100); do
  url=$(sed -n 's|^evidex serve: \(http://[^/]*\)/.*|\1|p' "$out/serve.log")
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$out/serve.log" >&2; die "evidex serve stopped"; }
  sleep 0.1
done
[ -n "$url" ] || die "evidex serve did not report its address"

# Both accounts get a fresh one-time password, changed at once through the API (a one-time
# password opens nothing else); the admin makes the examiner a member of the case.
one_time() { "$ev" --data "$ws" user reset-password "$1" | sed -n 's/^    \(.*\)$/\1/p' | head -n1; }
# signin USER ONE_TIME NEW JAR: signs in, changes the password; the session's cookie ends in JAR
# and its CSRF token is printed.
signin() {
  local login csrf headers
  login=$(curl -s -c "$4" -H 'Content-Type: application/json' \
    -d "{\"user\":\"$1\",\"password\":\"$2\"}" "$url/api/v1/login")
  csrf=$(printf '%s' "$login" | sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p')
  [ -n "$csrf" ] || die "$1: login failed: $login"
  headers=$(curl -s -D - -o /dev/null -b "$4" -c "$4" -H "X-CSRF-Token: $csrf" \
    -H 'Content-Type: application/json' -d "{\"current\":\"$2\",\"new\":\"$3\"}" \
    "$url/api/v1/me/password")
  printf '%s' "$headers" | grep -q '^HTTP/[0-9.]* 204' || die "$1: password change failed: $headers"
  printf '%s' "$headers" | sed -n 's/^[Xx]-[Cc][Ss][Rr][Ff]-[Tt]oken: \([^\r]*\).*/\1/p' | tr -d '\r'
}
pass=bench-examiner-$seed-password
jar=$out/admin.cookies
csrf=$(signin bench-admin "$(one_time bench-admin)" "bench-admin-$seed-password" "$jar")
[ -n "$csrf" ] || die "no CSRF token after the admin's password change"
curl -s -o /dev/null -w '%{http_code}' -b "$jar" -H "X-CSRF-Token: $csrf" \
  -H 'Content-Type: application/json' -d '{"user":"bench"}' \
  "$url/api/v1/cases/$case_id/members" | grep -q '^20' || die "could not make bench a member"
signin bench "$(one_time bench)" "$pass" "$out/bench.cookies" >/dev/null
cookie=$(sed -n 's/.*\tevidex_session\t\(.*\)$/evidex_session=\1/p' "$out/bench.cookies" | tail -n1)
[ -n "$cookie" ] || die "bench login failed"

cat > "$out/p95.lua" <<'EOF'
done = function(summary, latency, requests)
  io.write(string.format("wrk-json {\"requests\":%d,\"seconds\":%.2f,\"errors\":%d,\"p50_ms\":%.2f,\"p95_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
EOF
echo "bench/serve.sh: reference: wrk -c $clients on /api/v1/me for ${seconds}s" >&2
ref=$(wrk -t 2 -c "$clients" -d "${seconds}s" -s "$out/p95.lua" -H "Cookie: $cookie" "$url/api/v1/me" |
  sed -n 's/^wrk-json //p')
echo "bench/serve.sh: evidex: $clients clients on the artifact table for ${seconds}s" >&2
rc=0
res=$("$bench" load --url "$url" --user bench --password "$pass" --case "$case_id" \
  --clients "$clients" --seconds "$seconds" --seed "$seed" --json --table "$out/by-query.md") || rc=$?
hwm=$(sed -n 's/^VmHWM:\s*\([0-9]*\) kB/\1/p' "/proc/$server_pid/status")
db_bytes=$(du -cb "$ws"/evidex.db* | tail -n1 | cut -f1)

field() { printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9.e+-]*\).*/\1/p"; }
p95=$(field "$res" p95_ms)
worst=$(field "$res" worst_p95_ms)
verdict=$(awk -v p="$p95" -v w="$worst" 'BEGIN { print (p != "" && p < 200 && w != "" && w < 200) ? "PASS" : "FAIL" }')
{
  echo "# evidex web API benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; load average before: $(cut -d' ' -f1-3 /proc/loadavg);" \
    "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); \`bench/serve.sh $occurrences\`" \
    "($clients clients, ${seconds} s, seed $seed${SERVE_ARGS:+; serve $SERVE_ARGS}); case $case_id; store $((db_bytes / 1048576)) MiB."
  echo
  echo "| measure | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |"
  echo "|---|---|---|---|---|---|---|---|"
  for pair in "reference: wrk, GET /api/v1/me|$ref" "evidex: artifact table (filters, sorts, cursor pages)|$res"; do
    name=${pair%%|*}; j=${pair#*|}
    req=$(field "$j" requests); s=$(field "$j" seconds)
    rps=$(awk -v r="$req" -v s="$s" 'BEGIN { if (s > 0) printf "%.0f", r / s }')
    echo "| $name | $req | $rps | $(field "$j" p50_ms) | $(field "$j" p95_ms) | $(field "$j" p99_ms) | $(field "$j" max_ms) | $(field "$j" errors) |"
  done
  echo
  echo "Per query (kinds: the counts per kind; page: no filter; evidence: one item's rows):"
  echo
  echo "| query | requests | p50 ms | p95 ms | p99 ms | max ms |"
  echo "|---|---|---|---|---|---|"
  cat "$out/by-query.md"
  echo
  echo "p95 of the artifact table: $p95 ms overall, $worst ms for the slowest class of query," \
    "against the target < 200 ms for each: **$verdict**;" \
    "ratio to the reference's p95: $(awk -v a="$p95" -v b="$(field "$ref" p95_ms)" 'BEGIN { if (b > 0) printf "%.1f", a / b }')x." \
    "Server peak memory (VmHWM): $((hwm / 1024)) MiB."
} > "$out/results.md"
cat "$out/results.md"
exit $rc
