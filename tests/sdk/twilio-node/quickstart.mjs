#!/usr/bin/env node
// Runs Twilio's Verify v2 quickstart (service -> send -> check) and its error
// paths against an OpenTfa server using Twilio's official Node.js library
// (npm twilio 6.2.0), and checks every response.
//
// Usage:
//   node quickstart.mjs --base-url URL --account-sid AC... --auth-token TOKEN
//                       --pin-file PATH [--to +41793026727] [--trace]
//
// The client is built exactly as a user builds it,
//   twilio(accountSid, authToken, { httpClient })
// where httpClient is the library's own RequestClient with one change: the
// scheme and host `https://verify.twilio.com` of every request URI is replaced
// by --base-url. Method, headers, Basic auth and the form body are the
// library's own. Requests to any other host are refused (never sent).
//
// --pin-file is the file the server's standard output is redirected to; the
// server's `log` channel writes one line per message there:
//   [opentfa:log] sms to=41793026727 from=... text="Your ... code is: 123456"
// --trace prints every request (method, URL, headers with Authorization
// masked, form body) and every response status/body to stderr.
//
// Prints `ok <step>` or `FAIL <step>: <reason>` per step, then
// {"passed":N,"failed":M}; exits 0 only if every step passed.

import fs from 'node:fs';
import { parseArgs } from 'node:util';
import twilio from 'twilio';

const USAGE =
  'usage: node quickstart.mjs --base-url URL --account-sid AC... --auth-token TOKEN --pin-file PATH [--to +41793026727] [--trace]';

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      'base-url': { type: 'string' },
      'account-sid': { type: 'string' },
      'auth-token': { type: 'string' },
      'pin-file': { type: 'string' },
      to: { type: 'string', default: '+41793026727' },
      trace: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }));
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!args['base-url'] || !args['account-sid'] || !args['auth-token'] || !args['pin-file']) {
  console.error(USAGE);
  process.exit(2);
}
if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(args['base-url'])) {
  console.error(`--base-url must be an http(s) URL without query or fragment, got ${args['base-url']}\n${USAGE}`);
  process.exit(2);
}
if (!/^\+[1-9]\d{7,14}$/.test(args.to)) {
  console.error(`--to must be an E.164 number such as +41793026727, got ${args.to}\n${USAGE}`);
  process.exit(2);
}

const TWILIO_VERIFY_ORIGIN = 'https://verify.twilio.com';
const BASE_URL = args['base-url'].replace(/\/+$/, '');
const ACCOUNT_SID = args['account-sid'];
const AUTH_TOKEN = args['auth-token'];
const PIN_FILE = args['pin-file'];
const TO = args.to;
const CODE_LENGTH = 6;
const PIN_WAIT_MS = 15000;
const FRIENDLY_NAME = 'OpenTfa Quickstart';
const FRIENDLY_NAME_2 = 'OpenTfa Quickstart 2';
const END_USER_IP = '203.0.113.7';

// Other numbers: TO with its last digit changed (always different from TO and from each other).
function withLastDigit(number, offset) {
  const last = Number(number.at(-1));
  return number.slice(0, -1) + String((last + offset) % 10);
}
const TO_CANCEL = withLastDigit(TO, 1);
const TO_LIMITED = [withLastDigit(TO, 2), withLastDigit(TO, 3), withLastDigit(TO, 4)];

const SID = (prefix) => new RegExp(`^${prefix}[0-9a-f]{32}$`);

// ---------------------------------------------------------------- transport

function maskAuthorization(value) {
  const v = String(value ?? '');
  const m = /^Basic (.+)$/.exec(v);
  if (!m) return v.replace(/ .*/, ' ***');
  const user = Buffer.from(m[1], 'base64').toString('utf8').split(':')[0];
  return `Basic base64(${user}:***)`;
}

// The library's RequestClient, except that the URI's origin
// https://verify.twilio.com becomes --base-url. Everything the library puts on
// the wire (method, headers, Authorization, form encoding, query strings) is
// produced by RequestClient.request itself.
class OpenTfaRequestClient extends twilio.RequestClient {
  constructor(baseUrl, { trace = false } = {}) {
    super({ timeout: 10000 });
    this.baseUrl = baseUrl;
    // Contract problems seen in responses (e.g. a body that is not JSON);
    // the running step collects and fails on them.
    this.problems = [];
    if (trace) {
      this.axios.interceptors.request.use((config) => {
        const headers = { ...(config.headers?.toJSON ? config.headers.toJSON() : config.headers) };
        if (headers.Authorization) headers.Authorization = maskAuthorization(headers.Authorization);
        const body = typeof config.data === 'string' ? config.data : '';
        const form = body ? JSON.stringify(Object.fromEntries(new URLSearchParams(body))) : '';
        console.error(`> ${config.method.toUpperCase()} ${this.axios.getUri(config)} ${JSON.stringify(headers)}${body ? `\n>   body ${body}\n>   form ${form}` : ''}`);
        return config;
      });
      this.axios.interceptors.response.use((response) => {
        const body = typeof response.data === 'string' ? response.data : JSON.stringify(response.data);
        console.error(`< ${response.status} ${response.headers['content-type'] ?? '(no content-type)'} ${body.length > 800 ? `${body.slice(0, 800)}...` : body}`);
        return response;
      });
    }
  }

  rewrite(uri) {
    const u = String(uri);
    if (u === TWILIO_VERIFY_ORIGIN || u.startsWith(`${TWILIO_VERIFY_ORIGIN}/`) || u.startsWith(`${TWILIO_VERIFY_ORIGIN}?`)) {
      return this.baseUrl + u.slice(TWILIO_VERIFY_ORIGIN.length);
    }
    // A page URL the server built from its own address (meta.next_page_url).
    if (u === this.baseUrl || u.startsWith(`${this.baseUrl}/`) || u.startsWith(`${this.baseUrl}?`)) return u;
    throw new Error(`refusing to send a request to ${u}: only ${TWILIO_VERIFY_ORIGIN} (rewritten to ${this.baseUrl}) is expected` +
      ' (is TWILIO_REGION or TWILIO_EDGE set in the environment?)');
  }

  async request(opts) {
    const response = await super.request({ ...opts, uri: this.rewrite(opts.uri) });
    const ct = String(response.headers?.['content-type'] ?? '');
    const hasBody = response.body !== undefined && response.body !== null && response.body !== '';
    if (hasBody && typeof response.body === 'string') {
      this.problems.push(`${opts.method.toUpperCase()} ${opts.uri} answered ${response.statusCode} with a body that is not JSON: ${response.body.slice(0, 300)}`);
    } else if (hasBody && !/^application\/json\b/i.test(ct)) {
      this.problems.push(`${opts.method.toUpperCase()} ${opts.uri} answered ${response.statusCode} with Content-Type "${ct}", expected application/json`);
    }
    return response;
  }

  // The JSON body of the last response, as the server sent it (the library's
  // instances hide some mistakes: a missing date becomes "now", "6" becomes 6).
  get lastBody() {
    return this.lastResponse?.body;
  }
}

const http = new OpenTfaRequestClient(BASE_URL, { trace: args.trace });
let client;
let badClient;
try {
  client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: http });
  // Same account SID, wrong token: the last character changed.
  const wrongToken = AUTH_TOKEN.slice(0, -1) + (AUTH_TOKEN.at(-1) === '0' ? '1' : '0');
  badClient = twilio(ACCOUNT_SID, wrongToken, { httpClient: http });
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
const verify = client.verify.v2;

// ---------------------------------------------------------------- checks

class StepError extends Error {}

function show(v) {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 600 ? `${s.slice(0, 600)}...` : s;
  } catch {
    return String(v);
  }
}

// Collects every mismatch of one response before failing the step.
class Checker {
  constructor(what) {
    this.what = what;
    this.problems = [];
  }
  fail(msg) {
    this.problems.push(msg);
  }
  equal(obj, key, expected) {
    if (obj?.[key] !== expected) this.fail(`${key} expected ${show(expected)}, got ${show(obj?.[key])}`);
  }
  match(obj, key, re) {
    const v = obj?.[key];
    if (typeof v !== 'string' || !re.test(v)) this.fail(`${key} expected to match ${re}, got ${show(v)}`);
  }
  date(obj, key, raw, rawKey) {
    const v = obj?.[key];
    if (!(v instanceof Date) || Number.isNaN(v.getTime())) this.fail(`${key} expected a Date, got ${show(v)}`);
    // The library turns an absent date into the current time: check the wire value too.
    const r = raw?.[rawKey];
    if (typeof r !== 'string' || r.length === 0) this.fail(`${rawKey} expected an ISO 8601 string in the JSON body, got ${show(r)}`);
  }
  integer(raw, rawKey, expected) {
    const r = raw?.[rawKey];
    if (r !== expected) this.fail(`${rawKey} in the JSON body expected the number ${expected}, got ${show(r)}`);
  }
  done(subject) {
    if (this.problems.length) throw new StepError(`${this.what}: ${this.problems.join('; ')} (${show(subject)})`);
  }
}

async function call(what, fn) {
  try {
    return await fn();
  } catch (e) {
    throw new StepError(`${what} failed: ${describeError(e)}`);
  }
}

function describeError(e) {
  if (e instanceof twilio.RestException) {
    return `RestException status ${e.status}, code ${show(e.code)}, message ${show(e.message)}, moreInfo ${show(e.moreInfo)}`;
  }
  if (e?.constructor?.name === 'TwilioServiceException') {
    return `TwilioServiceException (RFC 9457 body) status ${e.status}, code ${show(e.code)}, type ${show(e.type)}, title ${show(e.title)}`;
  }
  if (e?.isAxiosError) return `transport error ${e.code ?? ''} ${e.message}`;
  return `${e?.name ?? 'Error'}: ${e?.message ?? e}`;
}

// Runs fn, which must throw the library's RestException with this status and code.
async function expectRestError(what, fn, status, code) {
  let result;
  try {
    result = await fn();
  } catch (e) {
    if (!(e instanceof twilio.RestException)) {
      throw new StepError(`${what}: expected RestException ${status}/${code}, got ${describeError(e)}`);
    }
    const problems = [];
    if (e.status !== status) problems.push(`status expected ${status}, got ${show(e.status)}`);
    if (e.code !== code) problems.push(`code expected ${code}, got ${show(e.code)}`);
    if (typeof e.moreInfo !== 'string' || e.moreInfo.length === 0) problems.push(`moreInfo expected a string, got ${show(e.moreInfo)}`);
    if (typeof e.message !== 'string' || e.message.length === 0) problems.push(`message expected a string, got ${show(e.message)}`);
    if (problems.length) throw new StepError(`${what}: ${problems.join('; ')} (${describeError(e)}; body ${show(http.lastBody)})`);
    return e;
  }
  throw new StepError(`${what}: expected RestException ${status}/${code}, but it succeeded: ${show(result)}`);
}

function checkService(c, s, raw, { sid, friendlyName }) {
  if (sid === undefined) c.match(s, 'sid', SID('VA'));
  else c.equal(s, 'sid', sid);
  c.equal(s, 'friendlyName', friendlyName);
  c.equal(s, 'codeLength', CODE_LENGTH);
  c.equal(s, 'accountSid', ACCOUNT_SID);
  if (raw) {
    c.integer(raw, 'code_length', CODE_LENGTH);
    c.date(s, 'dateCreated', raw, 'date_created');
  }
}

function checkVerification(c, v, raw, { sid, to, status, attempts }) {
  if (sid === undefined) c.match(v, 'sid', SID('VE'));
  else c.equal(v, 'sid', sid);
  c.equal(v, 'serviceSid', state.serviceSid);
  c.equal(v, 'accountSid', ACCOUNT_SID);
  c.equal(v, 'to', to);
  c.equal(v, 'channel', 'sms');
  c.equal(v, 'status', status);
  c.equal(v, 'valid', status === 'approved');
  if (attempts !== undefined) {
    if (!Array.isArray(v?.sendCodeAttempts)) c.fail(`sendCodeAttempts expected an array, got ${show(v?.sendCodeAttempts)}`);
    else if (v.sendCodeAttempts.length !== attempts) c.fail(`sendCodeAttempts expected ${attempts} entries, got ${v.sendCodeAttempts.length}`);
  }
  c.date(v, 'dateCreated', raw, 'date_created');
}

function checkCheck(c, v, { sid, to, status }) {
  c.equal(v, 'sid', sid);
  c.equal(v, 'serviceSid', state.serviceSid);
  c.equal(v, 'accountSid', ACCOUNT_SID);
  c.equal(v, 'to', to);
  c.equal(v, 'channel', 'sms');
  c.equal(v, 'status', status);
  c.equal(v, 'valid', status === 'approved');
}

function wrongCodeFor(code) {
  return code.replace(/\d/g, (d) => String((Number(d) + 1) % 10));
}

// ---------------------------------------------------------------- code from the log channel

const LINE_RE = /^\[opentfa:log\] sms to=(\S+) from=(\S*) text=("(?:[^"\\]|\\.)*")\s*$/;

function fileSize(path) {
  try {
    return fs.statSync(path).size;
  } catch {
    return 0;
  }
}

// Newest delivery line for `to` written after byte offset `from`.
function lastDelivery(path, from, to) {
  let buf;
  try {
    buf = fs.readFileSync(path);
  } catch {
    return undefined;
  }
  const text = buf.subarray(Math.min(from, buf.length)).toString('utf8');
  let found;
  for (const line of text.split('\n')) {
    const m = LINE_RE.exec(line.replace(/\r$/, ''));
    if (m && m[1] === to) {
      let msg;
      try {
        msg = JSON.parse(m[3]);
      } catch {
        msg = m[3].slice(1, -1);
      }
      found = { line: line.trim(), text: msg };
    }
  }
  return found;
}

// Waits for a message to `number` written after `offset` and returns its code.
async function waitForCode(offset, number) {
  const to = number.replace(/^\+/, '');
  const deadline = Date.now() + PIN_WAIT_MS;
  for (;;) {
    const d = lastDelivery(PIN_FILE, offset, to);
    if (d) {
      const codes = d.text.match(new RegExp(`(?<!\\d)\\d{${CODE_LENGTH}}(?!\\d)`, 'g'));
      if (!codes) throw new StepError(`delivery line has no ${CODE_LENGTH}-digit code: ${d.line}`);
      return codes.at(-1);
    }
    if (Date.now() >= deadline) {
      const plus = lastDelivery(PIN_FILE, offset, number);
      throw new StepError(`no "[opentfa:log] sms to=${to} ..." line appeared in ${PIN_FILE} within ${PIN_WAIT_MS / 1000} s` +
        (plus ? ` (there is one to ${number}, with the "+": ${plus.line})` : ''));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------- steps

let passed = 0;
let failed = 0;
const state = {};

async function step(name, needs, fn) {
  const missing = needs.filter((k) => state[k] === undefined);
  if (missing.length) {
    failed++;
    console.log(`FAIL ${name}: not run, an earlier step did not produce ${missing.join(', ')}`);
    return;
  }
  http.problems.length = 0;
  try {
    await fn();
    if (http.problems.length) throw new StepError(http.problems.join('; '));
    passed++;
    console.log(`ok ${name}`);
  } catch (e) {
    failed++;
    const reason = e instanceof StepError ? e.message : `unexpected ${e?.stack ?? e}`;
    console.log(`FAIL ${name}: ${reason.replace(/\s*\n\s*/g, ' ')}`);
  }
}

await step('create-service', [], async () => {
  const s = await call('services.create', () => verify.services.create({ friendlyName: FRIENDLY_NAME, codeLength: CODE_LENGTH }));
  const c = new Checker('services.create');
  checkService(c, s, http.lastBody, { friendlyName: FRIENDLY_NAME });
  c.done(s);
  state.serviceSid = s.sid;
});

await step('fetch-service', ['serviceSid'], async () => {
  const s = await call('services(sid).fetch', () => verify.services(state.serviceSid).fetch());
  const c = new Checker('services(sid).fetch');
  checkService(c, s, http.lastBody, { sid: state.serviceSid, friendlyName: FRIENDLY_NAME });
  c.done(s);
});

await step('list-services', ['serviceSid'], async () => {
  const list = await call('services.list', () => verify.services.list());
  if (!Array.isArray(list)) throw new StepError(`services.list: expected an array, got ${show(list)}`);
  const ours = list.filter((s) => s.sid === state.serviceSid);
  if (ours.length !== 1) throw new StepError(`services.list: expected ${state.serviceSid} exactly once, found ${ours.length} times in ${show(list)}`);
  const c = new Checker('services.list');
  checkService(c, ours[0], undefined, { sid: state.serviceSid, friendlyName: FRIENDLY_NAME });
  c.done(ours[0]);
});

await step('update-service', ['serviceSid'], async () => {
  const s = await call('services(sid).update', () => verify.services(state.serviceSid).update({ friendlyName: FRIENDLY_NAME_2 }));
  const c = new Checker('services(sid).update');
  checkService(c, s, http.lastBody, { sid: state.serviceSid, friendlyName: FRIENDLY_NAME_2 });
  c.done(s);
});

await step('send-sms', ['serviceSid'], async () => {
  state.logOffset = fileSize(PIN_FILE);
  const v = await call('verifications.create', () => verify.services(state.serviceSid).verifications.create({ to: TO, channel: 'sms' }));
  const c = new Checker('verifications.create');
  checkVerification(c, v, http.lastBody, { to: TO, status: 'pending', attempts: 1 });
  c.done(v);
  state.vsid = v.sid;
});

await step('read-code', ['vsid', 'logOffset'], async () => {
  state.code = await waitForCode(state.logOffset, TO);
  state.logOffset = fileSize(PIN_FILE);
});

await step('resend-reuses', ['vsid', 'code'], async () => {
  const offset = state.logOffset ?? fileSize(PIN_FILE);
  const v = await call('verifications.create (again)', () => verify.services(state.serviceSid).verifications.create({ to: TO, channel: 'sms' }));
  const c = new Checker('verifications.create (again)');
  checkVerification(c, v, http.lastBody, { sid: state.vsid, to: TO, status: 'pending', attempts: 2 });
  c.done(v);
  const code = await waitForCode(offset, TO);
  if (code !== state.code) throw new StepError(`the second message carries code ${code}, the first carried ${state.code}`);
});

await step('fetch-verification', ['vsid'], async () => {
  const v = await call('verifications(sid).fetch', () => verify.services(state.serviceSid).verifications(state.vsid).fetch());
  const c = new Checker('verifications(sid).fetch');
  checkVerification(c, v, http.lastBody, { sid: state.vsid, to: TO, status: 'pending' });
  c.done(v);
});

await step('check-wrong', ['vsid', 'code'], async () => {
  const r = await call('verificationChecks.create (wrong code)', () =>
    verify.services(state.serviceSid).verificationChecks.create({ to: TO, code: wrongCodeFor(state.code) }));
  const c = new Checker('verificationChecks.create (wrong code)');
  checkCheck(c, r, { sid: state.vsid, to: TO, status: 'pending' });
  c.done(r);
});

await step('check-right', ['vsid', 'code'], async () => {
  const r = await call('verificationChecks.create', () => verify.services(state.serviceSid).verificationChecks.create({ to: TO, code: state.code }));
  const c = new Checker('verificationChecks.create');
  checkCheck(c, r, { sid: state.vsid, to: TO, status: 'approved' });
  c.done(r);
  state.approved = true;
});

await step('check-after-approval', ['approved'], async () => {
  await expectRestError('verificationChecks.create after approval',
    () => verify.services(state.serviceSid).verificationChecks.create({ to: TO, code: state.code }), 404, 20404);
});

await step('fetch-after-approval', ['approved'], async () => {
  await expectRestError('verifications(sid).fetch after approval',
    () => verify.services(state.serviceSid).verifications(state.vsid).fetch(), 404, 20404);
});

await step('attempts-exhausted', ['serviceSid'], async () => {
  const offset = fileSize(PIN_FILE);
  const svc = verify.services(state.serviceSid);
  const v = await call('verifications.create (new)', () => svc.verifications.create({ to: TO, channel: 'sms' }));
  const c = new Checker('verifications.create (new)');
  checkVerification(c, v, http.lastBody, { to: TO, status: 'pending', attempts: 1 });
  if (v.sid === state.vsid) c.fail(`sid is ${v.sid}, the approved verification's sid; expected a new one`);
  c.done(v);
  const code = await waitForCode(offset, TO);
  const wrong = wrongCodeFor(code);
  for (let i = 1; i <= 5; i++) {
    const r = await call(`wrong check ${i}`, () => svc.verificationChecks.create({ to: TO, code: wrong }));
    const cc = new Checker(`wrong check ${i}`);
    cc.equal(r, 'sid', v.sid);
    cc.equal(r, 'valid', false);
    if (i === 5) {
      if (r.status !== 'pending' && r.status !== 'max_attempts_reached') cc.fail(`status expected "pending" or "max_attempts_reached", got ${show(r.status)}`);
    } else {
      cc.equal(r, 'status', 'pending');
    }
    cc.done(r);
  }
  await expectRestError('6th check (right code)', () => svc.verificationChecks.create({ to: TO, code }), 429, 60202);
});

await step('cancel', ['serviceSid'], async () => {
  const svc = verify.services(state.serviceSid);
  const v = await call(`verifications.create to ${TO_CANCEL}`, () => svc.verifications.create({ to: TO_CANCEL, channel: 'sms' }));
  const c = new Checker(`verifications.create to ${TO_CANCEL}`);
  checkVerification(c, v, http.lastBody, { to: TO_CANCEL, status: 'pending', attempts: 1 });
  c.done(v);
  const u = await call('verifications(sid).update canceled', () => svc.verifications(v.sid).update({ status: 'canceled' }));
  const cu = new Checker('verifications(sid).update canceled');
  checkVerification(cu, u, http.lastBody, { sid: v.sid, to: TO_CANCEL, status: 'canceled' });
  cu.done(u);
  await expectRestError('verifications(sid).fetch after cancel', () => svc.verifications(v.sid).fetch(), 404, 20404);
});

await step('rate-limit-bucket', ['serviceSid'], async () => {
  const svc = verify.services(state.serviceSid);
  const description = 'Limit verifications by end user IP address';
  const rl = await call('rateLimits.create', () => svc.rateLimits.create({ uniqueName: 'end_user_ip_address', description }));
  const c = new Checker('rateLimits.create');
  c.match(rl, 'sid', SID('RL'));
  c.equal(rl, 'uniqueName', 'end_user_ip_address');
  c.equal(rl, 'description', description);
  c.equal(rl, 'serviceSid', state.serviceSid);
  c.equal(rl, 'accountSid', ACCOUNT_SID);
  c.done(rl);

  const b = await call('buckets.create', () => svc.rateLimits(rl.sid).buckets.create({ max: 2, interval: 60 }));
  const cb = new Checker('buckets.create');
  cb.match(b, 'sid', SID('BL'));
  cb.equal(b, 'max', 2);
  cb.equal(b, 'interval', 60);
  cb.integer(http.lastBody, 'max', 2);
  cb.integer(http.lastBody, 'interval', 60);
  cb.equal(b, 'rateLimitSid', rl.sid);
  cb.equal(b, 'serviceSid', state.serviceSid);
  cb.equal(b, 'accountSid', ACCOUNT_SID);
  cb.done(b);

  const rls = await call('rateLimits.list', () => svc.rateLimits.list());
  const ourRl = Array.isArray(rls) ? rls.filter((x) => x.sid === rl.sid) : [];
  if (ourRl.length !== 1) throw new StepError(`rateLimits.list: expected ${rl.sid} exactly once, got ${show(rls)}`);
  const cl = new Checker('rateLimits.list');
  cl.equal(ourRl[0], 'uniqueName', 'end_user_ip_address');
  cl.done(ourRl[0]);

  const bls = await call('buckets.list', () => svc.rateLimits(rl.sid).buckets.list());
  const ourB = Array.isArray(bls) ? bls.filter((x) => x.sid === b.sid) : [];
  if (ourB.length !== 1) throw new StepError(`buckets.list: expected ${b.sid} exactly once, got ${show(bls)}`);
  const cbl = new Checker('buckets.list');
  cbl.equal(ourB[0], 'max', 2);
  cbl.equal(ourB[0], 'interval', 60);
  cbl.done(ourB[0]);

  const rateLimits = { end_user_ip_address: END_USER_IP };
  for (const to of TO_LIMITED.slice(0, 2)) {
    const v = await call(`verifications.create to ${to} with rateLimits`, () => svc.verifications.create({ to, channel: 'sms', rateLimits }));
    const cv = new Checker(`verifications.create to ${to} with rateLimits`);
    checkVerification(cv, v, http.lastBody, { to, status: 'pending', attempts: 1 });
    cv.done(v);
  }
  await expectRestError(`3rd verifications.create (to ${TO_LIMITED[2]}) from the same end_user_ip_address`,
    () => svc.verifications.create({ to: TO_LIMITED[2], channel: 'sms', rateLimits }), 429, 20429);
});

await step('wrong-credentials', [], async () => {
  await expectRestError('services.list with a wrong auth token', () => badClient.verify.v2.services.list(), 401, 20003);
});

await step('delete-service', ['serviceSid'], async () => {
  const r = await call('services(sid).remove', () => verify.services(state.serviceSid).remove());
  if (r !== true) throw new StepError(`services(sid).remove: expected true, got ${show(r)}`);
  await expectRestError('services(sid).fetch after remove', () => verify.services(state.serviceSid).fetch(), 404, 20404);
});

console.log(JSON.stringify({ passed, failed }));
process.exit(failed === 0 ? 0 : 1);
