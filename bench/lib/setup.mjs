// Prepares a freshly started server for the scenarios and prints their settings as
// shell assignments (BENCH_APP=… lines) on standard output.
//
//   node setup.mjs --url URL --key KEY --log SERVER_STDOUT --pins-file FILE [--pins N]
//
// - "bench-login": the application the send and login scenarios use; limits high enough
//   never to refuse during a run, single-use PINs.
//   The pumping guard of both is kept from judging (see quietGuard).
// - "bench-verify": PINs for the verify scenario, created by voice (routed to the log
//   channel) so that their values can be read back from the server's standard output;
//   many attempts and multiple verifications allowed, so that every verify is answered 200.
// - a few more applications and templates, so that the management reads list something.
import { readFileSync, writeFileSync } from 'node:fs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, value, i, all) => {
  if (value.startsWith('--')) pairs.push([value.slice(2), all[i + 1]]);
  return pairs;
}, []));
const url = args.url;
const key = args.key;
const pinCount = Number(args.pins ?? 5000);

async function call(method, path, body) {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url + path, {
      method,
      headers: { Authorization: `App ${key}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.ok) return JSON.parse(text);
    if (attempt < 3 && response.status >= 500) continue;
    throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  }
}

// The send scenarios never verify their PINs (they never reach the benchmark), which the
// pumping guard would rightly take for SMS pumping; once it flags a prefix, every send to it
// also writes a rule event and logs a warning. The guard stays on, as it ships, but is told
// to need more sends than a run makes before it judges a prefix.
async function quietGuard(applicationId) {
  const response = await fetch(`${url}/opentfa/v1/applications/${applicationId}/protection`, {
    method: 'PUT',
    headers: { Authorization: `App ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ guard: { enabled: true, mode: 'monitor', minimumSends: 1000000000 } }),
  });
  // A server without abuse protection answers 404: nothing to quiet.
  if (!response.ok && response.status !== 404) throw new Error(`PUT protection answered ${response.status}: ${await response.text()}`);
}

async function application(name, configuration) {
  const app = await call('POST', '/2fa/2/applications', { name, enabled: true, configuration });
  const template = await call('POST', `/2fa/2/applications/${app.applicationId}/messages`,
    { messageText: 'Your {{appName}} code is {{pin}}', pinLength: 6, pinType: 'NUMERIC', language: 'en', senderId: 'OpenTfa' });
  return { app: app.applicationId, msg: template.messageId };
}

// Runs fn over items with a bounded number in flight.
async function parallel(items, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  }));
}

const login = await application('bench-login', {
  pinAttempts: 5, pinTimeToLive: '15m', allowMultiplePinVerifications: false,
  sendPinPerApplicationLimit: '100000000/1d', sendPinPerPhoneNumberLimit: '100/1d', verifyPinLimit: '100/1h',
});
const verify = await application('bench-verify', {
  pinAttempts: 1000, pinTimeToLive: '12h', allowMultiplePinVerifications: true,
  sendPinPerApplicationLimit: '100000000/1d', sendPinPerPhoneNumberLimit: '100/1d', verifyPinLimit: '1000000/1d',
});
await quietGuard(login.app);
await quietGuard(verify.app);
for (let i = 1; i <= 6; i++) {
  const extra = await application(`bench-extra-${i}`, {});
  await call('POST', `/2fa/2/applications/${extra.app}/messages`, { messageText: 'Code: {{pin}}', pinLength: 4, pinType: 'NUMERIC' });
}

// Distinct destinations, so that each PIN's log line is found by its number.
const byNumber = new Map();
const numbers = Array.from({ length: pinCount }, (_, i) => `4176${String(1000000 + i).padStart(7, '0')}`);
await parallel(numbers, 16, async (to) => {
  const sent = await call('POST', '/2fa/2/pin/voice', { applicationId: verify.app, messageId: verify.msg, to, placeholders: { appName: 'Bench' } });
  byNumber.set(to, sent.pinId);
});

// The log channel prints: [opentfa:log] voice to=4176… from=… text="Your Bench code is 123456"
const pins = new Map();
const deadline = Date.now() + 120_000;
while (pins.size < pinCount) {
  if (Date.now() > deadline) throw new Error(`only ${pins.size} of ${pinCount} PINs appeared on the server's standard output`);
  await new Promise((resolve) => setTimeout(resolve, 250));
  for (const line of readFileSync(args.log, 'utf8').split('\n')) {
    const m = /^\[opentfa:log\] voice to=(\d+) .*text="Your Bench code is (\d+)"/.exec(line);
    if (m && byNumber.has(m[1])) pins.set(byNumber.get(m[1]), m[2]);
  }
}
writeFileSync(args['pins-file'], [...pins].map(([id, pin]) => `${id} ${pin}`).join('\n') + '\n');

console.log(`BENCH_APP=${login.app}`);
console.log(`BENCH_MSG=${login.msg}`);
console.log(`BENCH_READ_APP=${verify.app}`);
console.log(`BENCH_READ_MSG=${verify.msg}`);
console.log(`BENCH_PINS=${args['pins-file']}`);
