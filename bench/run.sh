#!/usr/bin/env bash
# OpenTfa's load benchmark, in one command.
#
# Installs what it needs on a fresh Debian machine (wrk, Node.js for the SMSC simulator,
# PostgreSQL), builds the server in Release, and measures every scenario against each
# configuration (embedded SQLite store and PostgreSQL; SMS to a discard channel and over SMPP
# to the simulator). The server (and PostgreSQL) run on one core, the load generator on
# another, both pinned with taskset. A "postgres2" configuration runs two server processes on
# one PostgreSQL database, both on the server's core, with the load split evenly between them
# (one wrk per node, half the connections each; the row adds their requests and CPU, and shows
# the higher of the two nodes' latency percentiles). Ends with a table on the console and
# bench/results/<timestamp>.json. docs/performance.md explains how to read it.
#
# Settings (environment):
#   BENCH_WARMUP=5          seconds each scenario runs, unmeasured, after a server starts
#   BENCH_REWARM=2          seconds of unmeasured load again right before each measurement
#   BENCH_DURATION=10       seconds measured per scenario
#   BENCH_CONNECTIONS=32    connections the load generator keeps open
#   BENCH_SERVER_CORE=0     core for the server, PostgreSQL
#   BENCH_LOAD_CORE=1       core for wrk and the SMSC simulator (the far end of the network)
#   BENCH_CONFIGS="sqlite:discard sqlite:smpp postgres:discard postgres:smpp"   (also postgres2:discard,
#                           postgres2:smpp: two nodes on one database)
#   BENCH_SCENARIOS="reads verify send login"   scenarios with the discard channel
#   BENCH_SMPP_SCENARIOS="send login"          scenarios with SMPP (send also at half rate)
#   BENCH_PINS=5000         PINs created for the verify scenario
#   BENCH_SERVER_DLL=…      measure this build of OpenTfa.Server.dll instead of building one
#   BENCH_PG_OPTIONS="-c …"  extra PostgreSQL settings (e.g. -c synchronous_commit=off)
#   BENCH_KEEP=1            keep the run folder (server output, data) under /tmp for inspection
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/bench"
WARMUP=${BENCH_WARMUP:-5}
REWARM=${BENCH_REWARM:-2}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
SERVER_CORE=${BENCH_SERVER_CORE:-0}
LOAD_CORE=${BENCH_LOAD_CORE:-1}
CONFIGS=${BENCH_CONFIGS:-"sqlite:discard sqlite:smpp postgres:discard postgres:smpp"}
SCENARIOS=${BENCH_SCENARIOS:-"reads verify send login"}
SMPP_SCENARIOS=${BENCH_SMPP_SCENARIOS:-"send login"}
PIN_COUNT=${BENCH_PINS:-5000}
STARTED=$(date -u +%Y-%m-%dT%H-%M-%SZ)

# shellcheck source=lib/common.sh
. "$BENCH/lib/common.sh"

# ---------------------------------------------------------------------------------------
# Runs

say "warm-up ${WARMUP}s per scenario and ${REWARM}s before each measurement, measure ${DURATION}s, $CONNECTIONS connections; server on core $SERVER_CORE, wrk on core $LOAD_CORE"
for config in $CONFIGS; do
  store=${config%%:*}
  channel=${config##*:}
  name="$store-$channel"
  nodes=1
  if [ "$store" = postgres2 ]; then store=postgres; nodes=2; fi
  start_server "$name" "$store" "$channel"
  setup_server "$name"
  # Further nodes join after the set-up, so that the set-up's PINs are all delivered (and read
  # back) by the first node.
  for ((node = 2; node <= nodes; node++)); do start_server "$name" "$store" "$channel" "$node"; done
  if [ "$channel" = discard ]; then list="live $SCENARIOS"; else list="live $SMPP_SCENARIOS"; fi
  warm_up "$name" $list

  measure "$name" ceiling live.lua start
  if [ "$channel" = discard ]; then
    for scenario in $SCENARIOS; do
      measure "$name" "$scenario" "$scenario.lua" peak
      measure "$name" "$scenario" "$scenario.lua" half $((LAST_RPS / 2))
    done
  else
    for scenario in $SMPP_SCENARIOS; do
      measure "$name" "$scenario" "$scenario.lua" peak
      [ "$scenario" != send ] || measure "$name" "$scenario" "$scenario.lua" half $((LAST_RPS / 2))
    done
  fi
  measure "$name" ceiling live.lua end
  stop_servers
done

mkdir -p "$BENCH/results"
node "$BENCH/lib/report.mjs" --results "$RESULTS" --out "$BENCH/results/$STARTED.json" \
  --warmup "$WARMUP" --rewarm "$REWARM" --duration "$DURATION" --connections "$CONNECTIONS" --server-core "$SERVER_CORE" --load-core "$LOAD_CORE"
