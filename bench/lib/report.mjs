// Turns the measurements of one bench/run.sh run into the console table, the target checks
// and bench/results/<timestamp>.json.
//
//   node report.mjs --results results.ndjson --out FILE.json --warmup S --duration S
//                   --connections N --server-core C --load-core C
import { readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import os from 'node:os';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, value, i, all) => {
  if (value.startsWith('--')) pairs.push([value.slice(2), all[i + 1]]);
  return pairs;
}, []));

const TARGETS = { verifyRatio: 0.5, sendRatio: 0.3, halfRateP99Ms: 10, peakRssMb: 200 };

function tryRun(command) {
  try { return execSync(command, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return null; }
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = (/^model name\s*:\s*(.*)$/m.exec(cpuinfo) ?? [])[1] ?? 'unknown';
  const memKb = Number((/^MemTotal:\s*(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8')) ?? [])[1] ?? 0);
  let osName = 'unknown';
  try { osName = (/^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8')) ?? [])[1] ?? osName; } catch { /* keep unknown */ }
  return {
    cpuModel: model,
    cores: os.cpus().length,
    ramGb: Math.round(memKb / 1024 / 1024 * 10) / 10,
    os: osName,
    kernel: os.release(),
    dotnet: tryRun('dotnet --version'),
    wrk: (tryRun('wrk --version 2>&1 | head -n 1') ?? '').split(' ').slice(0, 2).join(' '),
    node: process.version,
  };
}

const rows = readFileSync(args.results, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)).map((r) => {
  const seconds = r.wrk.duration_us / 1e6;
  return {
    config: r.config,
    store: r.config.split('-')[0],
    channel: r.config.split('-')[1],
    scenario: r.scenario,
    mode: r.mode,
    targetRate: r.target_rate || null,
    connections: r.connections,
    nodes: r.nodes ?? 1,
    requests: r.wrk.requests,
    rps: r.wrk.requests / seconds,
    p50Ms: r.wrk.p50_us / 1000,
    p90Ms: r.wrk.p90_us / 1000,
    p99Ms: r.wrk.p99_us / 1000,
    p999Ms: r.wrk.p999_us / 1000,
    maxMs: r.wrk.max_us / 1000,
    serverCpuPct: 100 * r.server_cpu_s / r.elapsed_s,
    serverCpuUsPerRequest: r.wrk.requests ? 1e6 * r.server_cpu_s / r.wrk.requests : null,
    dbCpuUsPerRequest: r.wrk.requests ? 1e6 * r.db_cpu_s / r.wrk.requests : null,
    dbCpuPct: 100 * r.db_cpu_s / r.elapsed_s,
    generatorCpuPct: 100 * r.generator_cpu_s / r.elapsed_s,
    peakRssMb: r.hwm_kb / 1024,
    rssMb: r.rss_kb / 1024,
    non2xx: r.wrk.non2xx,
    statuses: r.wrk.statuses,
    socketErrors: r.wrk.errors.connect + r.wrk.errors.read + r.wrk.errors.write + r.wrk.errors.timeout,
    smsPerSecond: r.smpp_submitted ? r.smpp_submitted / r.elapsed_s : null,
    loadavg: r.loadavg,
  };
});

// The ceiling of a configuration: the mean of its liveness runs before and after the scenarios.
const ceilings = {};
for (const config of new Set(rows.map((r) => r.config))) {
  const runs = rows.filter((r) => r.config === config && r.scenario === 'ceiling');
  ceilings[config] = runs.reduce((sum, r) => sum + r.rps, 0) / runs.length;
}
for (const r of rows) r.ratio = r.rps / ceilings[r.config];

// The same ratio from CPU cost: the ceiling's server CPU per request over the scenario's
// (server and PostgreSQL). It barely moves when other processes compete for the cores,
// so it is the number to compare between runs on a busy machine.
const ceilingCost = {};
for (const config of Object.keys(ceilings)) {
  const runs = rows.filter((r) => r.config === config && r.scenario === 'ceiling');
  ceilingCost[config] = runs.reduce((sum, r) => sum + r.serverCpuUsPerRequest, 0) / runs.length;
}
for (const r of rows) r.costRatio = ceilingCost[r.config] / (r.serverCpuUsPerRequest + r.dbCpuUsPerRequest);

const checks = [];
for (const r of rows.filter((x) => x.mode === 'peak' && x.scenario === 'verify')) {
  checks.push({ target: `verify >= ${TARGETS.verifyRatio * 100}% of ceiling`, config: r.config, value: `${(r.ratio * 100).toFixed(1)}% (by CPU cost ${(r.costRatio * 100).toFixed(1)}%)`, met: r.ratio >= TARGETS.verifyRatio });
}
for (const r of rows.filter((x) => x.mode === 'peak' && x.scenario === 'send')) {
  checks.push({ target: `send >= ${TARGETS.sendRatio * 100}% of ceiling`, config: r.config, value: `${(r.ratio * 100).toFixed(1)}% (by CPU cost ${(r.costRatio * 100).toFixed(1)}%)`, met: r.ratio >= TARGETS.sendRatio });
}
for (const r of rows.filter((x) => x.mode === 'half')) {
  checks.push({ target: `${r.scenario} p99 < ${TARGETS.halfRateP99Ms} ms at half its peak`, config: r.config, value: `${r.p99Ms.toFixed(2)} ms`, met: r.p99Ms < TARGETS.halfRateP99Ms });
}
const peakRss = Math.max(...rows.map((r) => r.peakRssMb));
checks.push({ target: `peak RSS < ${TARGETS.peakRssMb} MB`, config: 'all', value: `${peakRss.toFixed(0)} MB`, met: peakRss < TARGETS.peakRssMb });

const info = machine();
const report = {
  date: new Date().toISOString(),
  machine: info,
  settings: {
    warmupSeconds: Number(args.warmup), rewarmSeconds: Number(args.rewarm), durationSeconds: Number(args.duration), connections: Number(args.connections),
    serverCore: Number(args['server-core']), loadGeneratorCore: Number(args['load-core']), wrkThreads: 1,
  },
  ceilings,
  ceilingCpuUsPerRequest: ceilingCost,
  targets: checks,
  results: rows,
};
writeFileSync(args.out, JSON.stringify(report, null, 2) + '\n');

// Console table.
const fmt = (n, d = 0) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toFixed(d));
const header = ['config', 'scenario', 'mode', 'req/s', 'ceiling', 'p50 ms', 'p99 ms', 'p99.9 ms', 'srv CPU', 'db CPU', 'wrk CPU', 'µs/req', 'cost ratio', 'peak RSS', 'non-2xx', 'errors', 'SMS/s'];
const table = rows.map((r) => [
  r.config, r.scenario, r.mode + (r.targetRate ? `@${r.targetRate}` : ''), fmt(r.rps), `${fmt(r.ratio * 100, 1)}%`,
  fmt(r.p50Ms, 2), fmt(r.p99Ms, 2), fmt(r.p999Ms, 2), `${fmt(r.serverCpuPct)}%`, r.store.startsWith('postgres') ? `${fmt(r.dbCpuPct)}%` : '-',
  `${fmt(r.generatorCpuPct)}%`, fmt(r.serverCpuUsPerRequest + r.dbCpuUsPerRequest), `${fmt(r.costRatio * 100, 1)}%`, `${fmt(r.peakRssMb)} MB`, String(r.non2xx), String(r.socketErrors), r.smsPerSecond === null ? '-' : fmt(r.smsPerSecond),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells) => '| ' + cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
const out = [];
out.push(`OpenTfa benchmark ${report.date}: ${info.cores} cores (${info.cpuModel}), ${info.ramGb} GB RAM, ${info.os}, .NET ${info.dotnet}`);
out.push(`server + PostgreSQL on core ${report.settings.serverCore}; wrk (1 thread, ${report.settings.connections} connections) and the SMSC simulator on core ${report.settings.loadGeneratorCore}; ` +
  `${report.settings.warmupSeconds} s warm-up per scenario after start-up and ${report.settings.rewarmSeconds} s before each row, ${report.settings.durationSeconds} s measured per row`);
out.push('');
out.push(line(header));
out.push('|' + widths.map((w, i) => (i < 3 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
for (const row of table) out.push(line(row));
out.push('');
out.push('Targets:');
for (const c of checks) out.push(`  ${c.met ? 'MET   ' : 'MISSED'} ${c.target.padEnd(42)} ${c.config.padEnd(18)} ${c.value}`);
out.push('');
out.push(`Written: ${args.out}`);
console.log(out.join('\n'));
