#!/usr/bin/env bash
# Profiles one scenario: starts the server as bench/run.sh does, drives the scenario with wrk
# and meanwhile records a trace (dotnet-trace, sampled thread time) and the runtime and
# ASP.NET Core counters (dotnet-counters), then prints where the server's running threads
# spent their time, by method and by stage of a request (bench/lib/speedscope-stages.mjs). Files are kept in bench/results/profile-<scenario>-<timestamp>/.
#
#   bench/profile.sh SCENARIO [sqlite|postgres] [discard|smpp]
#
# SCENARIO is live, reads, verify, send or login. The settings of bench/run.sh apply
# (BENCH_DURATION is the traced time; BENCH_SERVER_DLL to profile a given build);
# PROFILE_RATE=N paces the traced load at N requests/s, as the "half" rows of bench/run.sh do.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/bench"
SCENARIO=${1:?usage: bench/profile.sh SCENARIO [sqlite|postgres] [discard|smpp]}
STORE=${2:-sqlite}
CHANNEL=${3:-discard}
WARMUP=${BENCH_WARMUP:-5}
DURATION=${BENCH_DURATION:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
SERVER_CORE=${BENCH_SERVER_CORE:-0}
LOAD_CORE=${BENCH_LOAD_CORE:-1}
PIN_COUNT=${BENCH_PINS:-5000}
REWARM=0
[ -f "$BENCH/wrk/$SCENARIO.lua" ] || { echo "no scenario $SCENARIO (bench/wrk/$SCENARIO.lua)" >&2; exit 2; }

# shellcheck source=lib/common.sh
. "$BENCH/lib/common.sh"

# The diagnostics tools, from NuGet, beside the benchmark.
TOOLS="$BENCH/.tools"
TOOLS_VERSION=${BENCH_TOOLS_VERSION:-10.0.750501}
for tool in dotnet-trace dotnet-counters; do
  [ -x "$TOOLS/$tool" ] || dotnet tool install --tool-path "$TOOLS" "$tool" --version "$TOOLS_VERSION" >/dev/null \
    || die "could not install $tool $TOOLS_VERSION"
done

OUT="$BENCH/results/profile-$SCENARIO-$STORE-$CHANNEL-$(date -u +%Y-%m-%dT%H-%M-%SZ)"
mkdir -p "$OUT"
name="$STORE-$CHANNEL"
start_server "$name" "$STORE" "$CHANNEL"
setup_server "$name"

warm_up "$name" "$SCENARIO"

say "tracing ${DURATION}s of $SCENARIO"
# The load runs a little longer than the trace, so the trace sees load throughout.
BENCH_RATE=${PROFILE_RATE:-0} taskset -c "$LOAD_CORE" wrk -t1 -c"$CONNECTIONS" -d"$((DURATION + 4))s" --timeout 10s -s "$BENCH/wrk/$SCENARIO.lua" "$URL" >"$OUT/wrk.txt" &
WRK_PID=$!
PIDS+=("$WRK_PID")
sleep 1
span=$(printf '00:00:%02d:%02d' $((DURATION / 60)) $((DURATION % 60)))
"$TOOLS/dotnet-counters" collect -p "$SERVER_PID" --counters System.Runtime,Microsoft.AspNetCore.Hosting,Microsoft.AspNetCore.Server.Kestrel \
  --format csv -o "$OUT/counters.csv" --duration "$span" >/dev/null 2>&1 &
COUNTERS_PID=$!
PIDS+=("$COUNTERS_PID")
"$TOOLS/dotnet-trace" collect -p "$SERVER_PID" --profile dotnet-sampled-thread-time --format Speedscope \
  -o "$OUT/trace.nettrace" --duration "$span" >"$OUT/trace.log" 2>&1 || { cat "$OUT/trace.log" >&2; die "dotnet-trace failed"; }
wait "$COUNTERS_PID" || true
wait "$WRK_PID" || true

sed -n 's/^BENCH //p' "$OUT/wrk.txt" >"$OUT/wrk.json"
node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(`${(r.requests/(r.duration_us/1e6)).toFixed(0)} req/s, p50 ${(r.p50_us/1000).toFixed(2)} ms, p99 ${(r.p99_us/1000).toFixed(2)} ms, non-2xx ${r.non2xx}`)' "$OUT/wrk.json"
node "$BENCH/lib/speedscope-top.mjs" "$OUT/trace.speedscope.json" --top 40 | tee "$OUT/top.txt"
node "$BENCH/lib/speedscope-stages.mjs" "$OUT/trace.speedscope.json" | tee "$OUT/stages.txt"
node "$BENCH/lib/counters-summary.mjs" "$OUT/counters.csv" | tee "$OUT/counters.txt"
say "kept in $OUT"
