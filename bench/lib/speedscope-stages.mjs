// Attributes a dotnet-trace Speedscope file's running time to the stages of a request, so that
// a profile of one scenario reads as "this much of a verify is authentication, this much the
// store step".
//
//   node speedscope-stages.mjs FILE.speedscope.json [--per-request MICROSECONDS]
//
// Each running sample goes to the innermost frame of its stack that belongs to a stage (a sample
// in JSON code called by an endpoint is the endpoint's; one in SQLite called by the writer is
// the store's). Waiting samples are left out, as in speedscope-top.mjs. With --per-request, the
// shares are also shown in microseconds of one request (the benchmark's µs/req).
import { walkRunning } from './speedscope.mjs';

const file = process.argv[2];
const perAt = process.argv.indexOf('--per-request');
const perRequest = perAt > 0 ? Number(process.argv[perAt + 1]) : null;

// Innermost match wins; the order only matters for a frame that matches two patterns.
const STAGES = [
  ['store', /Microsoft\.Data\.Sqlite|SQLitePCL|OpenTfa\.Storage\.|Npgsql/],
  ['PIN encryption (AES-GCM)', /SecretProtector|AesGcm|Interop\+Crypto/],
  ['numbering plan (libphonenumber)', /PhoneNumbers!|Numbers\.Destinations/],
  ['events, webhooks and metrics', /PinEvents|OpenTfaEvents|WebhookSubscriptions|OpenTfaMetrics|OpenTfaTelemetry|System\.Diagnostics\.Metrics|ObservedOutboxStore/],
  ['outbox dispatch', /OutboxDispatcher|DiscardChannel|LogChannel|ChannelRouter/],
  ['Core rules (validation, terms, message)', /OpenTfa\.Core!/],
  ['endpoint: binding, idempotency, JSON', /System\.Text\.Json|JsonBody|HttpResponseJsonExtensions|JsonHttpResult|RequestDelegateFactory|IdempotencyFilter|OpenTfa\.Server\.Endpoints|OpenTfa\.Contracts/],
  ['authorization (scope policy)', /Authorization|EnvelopeResultHandler|ScopeHandler/],
  ['authentication (API key)', /Authentication|AccessService|ApiKey/],
  ['error envelope and path middleware', /ErrorHandlingMiddleware|PathNormalizationMiddleware|RequestTextCheck|ForwardedHeaders/],
  ['routing', /Microsoft\.AspNetCore\.Routing/],
  ['hosting diagnostics (the profiler\'s own event sources included)', /HostingApplicationDiagnostics|HostingEventSource|EventSource|DiagnosticSource/],
  ['HTTP server (Kestrel, sockets)', /Kestrel|System\.Net\.Sockets|System\.IO\.Pipelines|Microsoft\.AspNetCore\.Hosting|Microsoft\.AspNetCore\.Http/],
  ['garbage collection', /PollGC|GarbageCollect|GCHeap|\bGC\b/],
];

const totals = new Map();
let running = 0;
walkRunning(file, (stack, span) => {
  running += span;
  const stage = stageOf(stack);
  totals.set(stage, (totals.get(stage) ?? 0) + span);
});

function stageOf(stack) {
  for (let i = stack.length - 1; i >= 0; i--) {
    const name = stack[i];
    for (const [stage, pattern] of STAGES) {
      if (!pattern.test(name)) continue;
      if (stage !== 'store') return stage;
      const frames = stack.join('\n');
      if (/SqliteCheckpointer/.test(frames)) return 'store: checkpoints (WAL into the database file)';
      if (/SqliteWriter|PostgresSendBatcher|BeginTransaction|Commit/.test(frames)) return 'store: write transactions';
      return 'store: reads';
    }
  }
  return 'thread pool, async machinery and other runtime';
}

console.log(`running ${running.toFixed(0)} ms (all threads)\n`);
console.log(`| stage | share${perRequest ? ' | µs per request' : ''} |`);
console.log(`|---|---:${perRequest ? '|---:' : ''}|`);
for (const [stage, t] of [...totals].sort((a, b) => b[1] - a[1])) {
  const share = t / running;
  console.log(`| ${stage} | ${(100 * share).toFixed(1)} %${perRequest ? ` | ${(share * perRequest).toFixed(0)}` : ''} |`);
}
