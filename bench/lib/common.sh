# Shared by bench/run.sh and bench/profile.sh (sourced, not run): installs what the benchmark
# needs, builds the server, and starts and measures the processes under test. Every process
# started here is stopped by its own PID when the sourcing script exits.
#
# Expects ROOT, BENCH, WARMUP, REWARM, DURATION, CONNECTIONS, SERVER_CORE, LOAD_CORE and PIN_COUNT.

say() { printf '== %s\n' "$*" >&2; }
die() { printf '!! %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------
# Install

need_apt=()
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v taskset >/dev/null 2>&1 || need_apt+=(util-linux)
command -v pgrep >/dev/null 2>&1 || need_apt+=(procps)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK is missing (see global.json for the version)"
[ "$(nproc)" -ge 2 ] || die "the benchmark needs two cores: one for the server, one for the load generator"

SMSC_DIR="$ROOT/tests/peers/smsc"
if [ ! -d "$SMSC_DIR/node_modules" ]; then
  say "npm ci in tests/peers/smsc"
  (cd "$SMSC_DIR" && npm ci --no-audit --no-fund --loglevel=error)
fi

# ---------------------------------------------------------------------------------------
# Build

if [ -n "${BENCH_SERVER_DLL:-}" ]; then
  SERVER_DLL=$(realpath "$BENCH_SERVER_DLL")
  say "measuring $SERVER_DLL"
else
  say "building the server (Release)"
  ARTIFACTS="$BENCH/.artifacts"
  dotnet publish "$ROOT/src/OpenTfa.Server" -c Release --artifacts-path "$ARTIFACTS" -o "$ARTIFACTS/server" -nologo -v quiet >/dev/null \
    || die "the server did not build"
  SERVER_DLL="$ARTIFACTS/server/OpenTfa.Server.dll"
fi

# ---------------------------------------------------------------------------------------
# Processes: every one started here is stopped by its own PID on exit.

RUN=$(mktemp -d /tmp/opentfa-bench.XXXXXX)
chmod 755 "$RUN"
PIDS=()
PG_PID=""
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -n "$PG_PID" ]; then
    kill -INT "$PG_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$RUN"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  local kept=()
  for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  PIDS=("${kept[@]}")
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();})"
}

# CPU seconds (user + system) a process has used so far.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# CPU seconds of PostgreSQL's server processes (the postmaster's children).
db_cpu_seconds() {
  [ -n "$PG_PID" ] || { echo 0; return; }
  local total=0 pid
  for pid in $PG_PID $(pgrep -P "$PG_PID"); do
    total=$(awk -v a="$total" -v b="$(cpu_seconds "$pid")" 'BEGIN { print a + b }')
  done
  echo "$total"
}

# User + system seconds of this shell's finished children (bash's `times`, which must run in
# this shell, not in a command substitution, to see them).
children_cpu() {
  times >"$RUN/times.txt"
  tail -n 1 "$RUN/times.txt" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }'
}

# ---------------------------------------------------------------------------------------
# PostgreSQL: a throwaway cluster on a random port, owned by the postgres user.

start_postgres() {
  [ -n "$PG_PID" ] && return
  id postgres >/dev/null 2>&1 || die "there is no postgres user (apt-get install postgresql creates it)"
  PG_PORT=$(free_port)
  mkdir -p "$RUN/pg"
  chown postgres "$RUN/pg"
  say "starting PostgreSQL on 127.0.0.1:$PG_PORT (core $SERVER_CORE)"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$RUN/pg/data" -U postgres --auth=trust -E UTF8 >"$RUN/pg-initdb.log" 2>&1 \
    || { cat "$RUN/pg-initdb.log" >&2; die "initdb failed"; }
  taskset -c "$SERVER_CORE" runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$RUN/pg/data" -w -l "$RUN/pg/server.log" start \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $RUN/pg -c max_connections=200 ${BENCH_PG_OPTIONS:-}" >/dev/null \
    || { cat "$RUN/pg/server.log" >&2; die "PostgreSQL did not start"; }
  PG_PID=$(head -n 1 "$RUN/pg/data/postmaster.pid")
}

create_database() {
  runuser -u postgres -- "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$1"
}

# ---------------------------------------------------------------------------------------
# SMSC simulator (the far end of the network): on the load generator's core.

SMSC_PID=""
start_smsc() {
  [ -n "$SMSC_PID" ] && return
  taskset -c "$LOAD_CORE" node "$SMSC_DIR/smsc.js" --port 0 --control-port 0 --system-id opentfa --password secret >"$RUN/smsc.out" 2>&1 &
  SMSC_PID=$!
  PIDS+=("$SMSC_PID")
  for _ in $(seq 100); do grep -q '^listening' "$RUN/smsc.out" && break; sleep 0.1; done
  SMSC_PORT=$(sed -n 's/^listening smpp=\([0-9]*\) control=\([0-9]*\).*/\1/p' "$RUN/smsc.out")
  SMSC_CONTROL=$(sed -n 's/^listening smpp=\([0-9]*\) control=\([0-9]*\).*/\2/p' "$RUN/smsc.out")
  [ -n "$SMSC_PORT" ] || { cat "$RUN/smsc.out" >&2; die "the SMSC simulator did not start"; }
  say "SMSC simulator on 127.0.0.1:$SMSC_PORT (core $LOAD_CORE)"
}

# ---------------------------------------------------------------------------------------
# The server

KEY="bench-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "k1:$(head -c 32 /dev/urandom | base64)" >"$RUN/opentfa.key"
chmod 600 "$RUN/opentfa.key"
SERVER_PID=""
URL=""
# Every node of the configuration under test (two when several nodes share one PostgreSQL
# database); SERVER_PID and URL are the first one's, which the set-up talks to.
SERVER_PIDS=()
URLS=()

# start_server NAME STORE CHANNEL [NODE]: node 1 creates the configuration's database, a later
# node joins it (same database, same key, same channels) with a data folder of its own.
start_server() {
  local name=$1 store=$2 channel=$3 node=${4:-1}
  local port; port=$(free_port)
  local dir="$RUN/$name"
  [ "$node" = 1 ] || dir="$RUN/$name/node$node"
  local -a env=(
    # Tiered compilation starts counting calls at once instead of after a quiet moment, so the
    # hot paths reach their optimized (tier-1) code during the warm-up rather than minutes into
    # a busy run; the code that runs once there is the same.
    "DOTNET_TC_CallCountingDelayMs=0"
    "OpenTfa__DataDirectory=$dir/data"
    "OpenTfa__BootstrapApiKey=$KEY"
    "OpenTfa__Encryption__KeyFile=$RUN/opentfa.key"
    "OpenTfa__Channels__setup__Type=log"
    "OpenTfa__Routes__Sms__0=bench"
    "OpenTfa__Routes__Voice__0=setup"
    "OpenTfa__Routes__Email__0=setup"
  )
  if [ "$store" = postgres ]; then
    start_postgres
    local db="bench_${name//-/_}"
    [ "$node" != 1 ] || create_database "$db"
    env+=("OpenTfa__Storage__Provider=postgres" "OpenTfa__Storage__ConnectionString=Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=$db")
  fi
  if [ "$channel" = smpp ]; then
    start_smsc
    env+=(
      "OpenTfa__Channels__bench__Type=smpp"
      "OpenTfa__Channels__bench__Host=127.0.0.1"
      "OpenTfa__Channels__bench__Port=$SMSC_PORT"
      "OpenTfa__Channels__bench__SystemId=opentfa"
      "OpenTfa__Channels__bench__Password=secret"
      "OpenTfa__Channels__bench__Binds=2"
      "OpenTfa__Channels__bench__WindowSize=50"
      "OpenTfa__Channels__bench__MaxMessagesPerSecond=0"
    )
  else
    env+=("OpenTfa__Channels__bench__Type=discard")
  fi
  mkdir -p "$dir"
  (cd "$dir" && exec env "${env[@]}" taskset -c "$SERVER_CORE" dotnet "$SERVER_DLL" --urls "http://127.0.0.1:$port" >"$dir/server.out" 2>&1) &
  local pid=$! url="http://127.0.0.1:$port"
  PIDS+=("$pid")
  for _ in $(seq 600); do
    curl -sf "$url/health/ready" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/server.out" >&2; die "the server ($name, node $node) exited during start-up"; }
    sleep 0.1
  done
  curl -sf "$url/health/ready" >/dev/null || { cat "$dir/server.out" >&2; die "the server ($name, node $node) did not become ready"; }
  if [ "$channel" = smpp ]; then
    for _ in $(seq 100); do
      curl -sf -H "Authorization: App $KEY" "$url/opentfa/v1/channels" | grep -q '"state":"BOUND"' && break
      sleep 0.1
    done
  fi
  if [ "$node" = 1 ]; then
    SERVER_PID=$pid
    URL=$url
    SERVER_PIDS=("$pid")
    URLS=("$url")
  else
    SERVER_PIDS+=("$pid")
    URLS+=("$url")
  fi
  say "$name: server PID $pid on $url (node $node, core $SERVER_CORE)"
}

# Stops every node of the configuration under test.
stop_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do stop_pid "$pid"; done
  SERVER_PIDS=()
  URLS=()
}

# Applications, templates and the verify scenario's PINs; exports what the wrk scripts read.
setup_server() {
  local name=$1
  say "$name: setting up applications and $PIN_COUNT PINs"
  node "$BENCH/lib/setup.mjs" --url "$URL" --key "$KEY" --log "$RUN/$name/server.out" \
    --pins-file "$RUN/$name/pins.txt" --pins "$PIN_COUNT" >"$RUN/$name/setup.env" || die "setup failed for $name"
  set -a
  # shellcheck disable=SC1091
  . "$RUN/$name/setup.env"
  set +a
  export BENCH_KEY="$KEY"
}

# Messages the bench channel has handed to the SMSC so far (SMPP channels count them), on every node.
channel_submitted() {
  local total=0 url n
  for url in "${URLS[@]}"; do
    n=$(curl -sf -H "Authorization: App $KEY" "$url/opentfa/v1/channels" \
      | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const c=JSON.parse(s).find(x=>x.name==="bench");console.log(c&&c.counters?c.counters.submitted:0)})' \
      2>/dev/null || echo 0)
    total=$((total + n))
  done
  echo "$total"
}

# CPU seconds of every node together.
servers_cpu_seconds() {
  local total=0 pid
  for pid in "${SERVER_PIDS[@]}"; do
    total=$(awk -v a="$total" -v b="$(cpu_seconds "$pid")" 'BEGIN { print a + b }')
  done
  echo "$total"
}

# run_wrk SECONDS SCRIPT OUT RATE: the load, split evenly over the nodes: one wrk per node, each
# with its share of the connections (and of the rate, when paced), all on the load generator's
# core; OUT gets one summary line for them all (see wrk_summary).
run_wrk() {
  local seconds=$1 script=$2 out=$3 rate=$4
  local nodes=${#URLS[@]} i
  local connections=$((CONNECTIONS / nodes))
  local -a pids=()
  export BENCH_THREADS=1
  for i in "${!URLS[@]}"; do
    BENCH_RATE=$((rate / nodes)) taskset -c "$LOAD_CORE" wrk -t1 -c"$connections" -d"${seconds}s" --timeout 10s -s "$BENCH/wrk/$script" "${URLS[$i]}" >"$out.$i" &
    pids+=("$!")
  done
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || die "wrk failed against ${URLS[$i]}"; done
  wrk_summary "$out" "$nodes" >"$out"
}

# The BENCH summary of one wrk, or of several run side by side: requests, answers and errors
# add up; the duration is the longest; each latency percentile is the highest of the nodes'
# (wrk prints percentiles, not histograms, so they cannot be merged exactly; the highest is the
# cautious choice).
wrk_summary() {
  local out=$1 nodes=$2 i
  local -a files=()
  for ((i = 0; i < nodes; i++)); do files+=("$out.$i"); done
  node -e '
    const fs = require("fs");
    const runs = process.argv.slice(1).map((f) => {
      const m = /^BENCH (.*)$/m.exec(fs.readFileSync(f, "utf8"));
      if (!m) { process.stderr.write(fs.readFileSync(f, "utf8")); process.exit(1); }
      return JSON.parse(m[1]);
    });
    const sum = (k) => runs.reduce((a, r) => a + r[k], 0);
    const max = (k) => Math.max(...runs.map((r) => r[k]));
    const statuses = {};
    for (const r of runs) for (const [s, n] of Object.entries(r.statuses)) statuses[s] = (statuses[s] || 0) + n;
    const errors = {};
    for (const k of ["connect", "read", "write", "timeout"]) errors[k] = runs.reduce((a, r) => a + r.errors[k], 0);
    const requests = sum("requests");
    const merged = {
      requests, duration_us: max("duration_us"), p50_us: max("p50_us"), p90_us: max("p90_us"), p99_us: max("p99_us"),
      p999_us: max("p999_us"), max_us: max("max_us"), mean_us: runs.reduce((a, r) => a + r.mean_us * r.requests, 0) / Math.max(1, requests),
      ok2xx: sum("ok2xx"), non2xx: sum("non2xx"), statuses, errors, nodes: runs.length,
    };
    console.log("BENCH " + JSON.stringify(merged));
  ' "${files[@]}"
}

RESULTS="$RUN/results.ndjson"
: >"$RESULTS"

# warm_up CONFIG SCENARIO…: each scenario, unmeasured, so that the JIT has compiled every
# path (tiered compilation waits for a quiet moment) before anything is measured.
warm_up() {
  local config=$1 scenario
  shift
  say "$config: warming up ($* for ${WARMUP}s each)"
  for scenario in "$@"; do
    run_wrk "$WARMUP" "$scenario.lua" "$RUN/warm-$config-$scenario.txt" 0
  done
}

# measure CONFIG SCENARIO SCRIPT MODE [RATE]: a short unmeasured run, then one measured run.
measure() {
  local config=$1 scenario=$2 script=$3 mode=$4 rate=${5:-0}
  local out="$RUN/wrk-$config-$scenario-$mode.txt"
  local pid
  run_wrk "${REWARM:-2}" "$script" "$RUN/rewarm-$config-$scenario-$mode.txt" "$rate"
  for pid in "${SERVER_PIDS[@]}"; do
    echo 5 >"/proc/$pid/clear_refs"   # restarts VmHWM: the peak below is this scenario's
  done
  local cpu0 db0 gen0 sub0 t0 cpu1 db1 gen1 sub1 t1 hwm=0 rss=0 line kb
  sub0=$(channel_submitted)
  cpu0=$(servers_cpu_seconds); db0=$(db_cpu_seconds); t0=$(date +%s.%N); children_cpu >"$RUN/gen0"
  run_wrk "$DURATION" "$script" "$out" "$rate"
  children_cpu >"$RUN/gen1"; t1=$(date +%s.%N); db1=$(db_cpu_seconds); cpu1=$(servers_cpu_seconds)
  gen0=$(cat "$RUN/gen0"); gen1=$(cat "$RUN/gen1")
  sub1=$(channel_submitted)
  # The peak and current resident memory of the largest node.
  for pid in "${SERVER_PIDS[@]}"; do
    kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status"); [ "$kb" -le "$hwm" ] || hwm=$kb
    kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"); [ "$kb" -le "$rss" ] || rss=$kb
  done
  line=$(sed -n 's/^BENCH //p' "$out")
  [ -n "$line" ] || { cat "$out"* >&2; die "wrk printed no summary for $config/$scenario"; }
  printf '{"config":"%s","scenario":"%s","mode":"%s","target_rate":%s,"connections":%s,"nodes":%s,"elapsed_s":%s,"server_cpu_s":%s,"db_cpu_s":%s,"generator_cpu_s":%s,"hwm_kb":%s,"rss_kb":%s,"smpp_submitted":%s,"loadavg":"%s","wrk":%s}\n' \
    "$config" "$scenario" "$mode" "$rate" "$CONNECTIONS" "${#SERVER_PIDS[@]}" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
    "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { print b - a }')" \
    "$(awk -v a="$db0" -v b="$db1" 'BEGIN { print b - a }')" \
    "$(awk -v a="$gen0" -v b="$gen1" 'BEGIN { print b - a }')" \
    "$hwm" "$rss" "$((sub1 - sub0))" "$(cut -d' ' -f1-3 /proc/loadavg)" "$line" >>"$RESULTS"
  LAST_RPS=$(node -e 'const r=JSON.parse(process.argv[1]);console.log(Math.round(r.requests/(r.duration_us/1e6)))' "$line")
  printf '   %-18s %-8s %-5s %8s req/s\n' "$config" "$scenario" "$mode" "$LAST_RPS" >&2
}
