#!/usr/bin/env node
// Runs the Infobip 2FA seed flow (application -> template -> send -> resend ->
// verify -> verification status) against an OpenTfa server using Infobip's
// official Node.js SDK (@infobip-api/sdk 0.3.2), and checks every response
// against the wire contract.
//
// Usage:
//   node seed-flow.mjs --base-url URL --api-key KEY --pin-file PATH
//                      [--to 41793026727] [--nc-needed true|false|omit] [--trace]
//
// --pin-file is the file the server's standard output is redirected to; the
// server's `log` channel writes one line per message there:
//   [opentfa:log] sms to=41793026727 from=InfoSMS text="Your pin is 1234"
// --nc-needed (default true) is the value passed to sendPINCodeSMS; `omit`
// calls it without the argument, which makes the SDK send `ncNeeded=undefined`.
// --trace prints every request the SDK sends (Authorization masked) to stderr.
//
// Prints `ok <step>` or `FAIL <step>: <reason>` per step, then
// {"passed":N,"failed":M}; exits 0 only if every step passed.

import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { Infobip, AuthType } from '@infobip-api/sdk';

const USAGE =
  'usage: node seed-flow.mjs --base-url URL --api-key KEY --pin-file PATH [--to 41793026727] [--nc-needed true|false|omit] [--trace]';

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      'base-url': { type: 'string' },
      'api-key': { type: 'string' },
      'pin-file': { type: 'string' },
      to: { type: 'string', default: '41793026727' },
      'nc-needed': { type: 'string', default: 'true' },
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
if (!args['base-url'] || !args['api-key'] || !args['pin-file'] || !['true', 'false', 'omit'].includes(args['nc-needed'])) {
  console.error(USAGE);
  process.exit(2);
}

const TO = args.to;
const PIN_FILE = args['pin-file'];
const PIN_WAIT_MS = 15000;

const APPLICATION = {
  name: 'My 2FA application',
  enabled: true,
  configuration: {
    allowMultiplePinVerifications: true,
    pinAttempts: 5,
    pinTimeToLive: '10m',
    // Send + resend to one number = 2 sends: fits both 2/4s and 2/1d.
    sendPinPerApplicationLimit: '2/4s',
    sendPinPerPhoneNumberLimit: '2/1d',
    verifyPinLimit: '5000/12h',
  },
};
const TEMPLATE = { messageText: 'Your pin is {{pin}}', pinLength: 4, pinType: 'NUMERIC', language: 'en' };

const PIN_TYPES = ['NUMERIC', 'ALPHA', 'HEX', 'ALPHANUMERIC'];
const LANGUAGES = ['en', 'es', 'ca', 'da', 'nl', 'fr', 'de', 'it', 'ja', 'ko', 'no', 'pl', 'ru', 'sv', 'fi', 'hr', 'sl', 'ro', 'pt_pt', 'pt_br', 'zh_cn', 'zh_tw'];
const NC_STATUSES = ['NC_DESTINATION_UNKNOWN', 'NC_DESTINATION_REACHABLE', 'NC_DESTINATION_NOT_REACHABLE', 'NC_NOT_CONFIGURED'];
const SMS_STATUSES = ['MESSAGE_SENT', 'MESSAGE_NOT_SENT'];
const PIN_ERRORS = ['WRONG_PIN', 'TTL_EXPIRED', 'NO_MORE_PIN_ATTEMPTS'];

// ---------------------------------------------------------------- client

const infobip = new Infobip({ baseUrl: args['base-url'], apiKey: args['api-key'], authType: AuthType.ApiKey });
const twoFA = infobip.service.twoFA;
// Transport settings only (what is sent is unchanged): never route a local
// server through an HTTP(S)_PROXY from the environment, and never hang.
twoFA.http.axios.defaults.proxy = false;
twoFA.http.axios.defaults.timeout = 10000;
if (args.trace) {
  twoFA.http.axios.interceptors.request.use((config) => {
    const headers = { ...(config.headers?.toJSON ? config.headers.toJSON() : config.headers) };
    if (headers.Authorization) headers.Authorization = String(headers.Authorization).replace(/ .*/, ' ***');
    const body = config.data === undefined ? '' : ` ${typeof config.data === 'string' ? config.data : JSON.stringify(config.data)}`;
    console.error(`> ${config.method.toUpperCase()} ${config.baseURL ?? ''}|${config.url} ${JSON.stringify(headers)}${body}`);
    return config;
  });
}

// ---------------------------------------------------------------- checks

class StepError extends Error {}

function describe(result) {
  if (!result) return String(result);
  const status = result.status ?? result.response?.status;
  let data = result.response ? result.response.data : result.data;
  if (typeof data !== 'string') data = JSON.stringify(data);
  if (data && data.length > 600) data = `${data.slice(0, 600)}...`;
  return `status ${status}, body ${data}`;
}

// The SDK never throws: each method resolves to the axios response on 2xx, or
// to the thrown error (AxiosError for HTTP/network failures, a plain Error for
// its own argument validation).
function expectOk(result) {
  if (result instanceof Error) {
    if (result.response) throw new StepError(`HTTP error: status ${result.response.status}, body ${JSON.stringify(result.response.data)}`);
    throw new StepError(`request failed without a response: ${result.code ? `${result.code} ` : ''}${result.message}`);
  }
  if (!result || typeof result.status !== 'number') throw new StepError(`SDK returned no response: ${String(result)}`);
  if (result.status !== 200) throw new StepError(`expected status 200, got ${describe(result)}`);
  const ct = String(result.headers?.['content-type'] ?? '');
  if (!/^application\/json\b/i.test(ct)) throw new StepError(`expected Content-Type application/json, got "${ct}" (${describe(result)})`);
  if (result.data === undefined || result.data === null || typeof result.data === 'string') {
    throw new StepError(`expected a JSON body, got ${describe(result)}`);
  }
  return result.data;
}

// Collects every type/value mismatch of one response before failing the step.
class Checker {
  constructor(result) {
    this.result = result;
    this.problems = [];
  }
  fail(msg) {
    this.problems.push(msg);
  }
  type(obj, path, kind, { optional = false } = {}) {
    const v = get(obj, path);
    if (v === undefined || v === null) {
      if (!optional) this.fail(`${path} missing`);
      return v;
    }
    const ok =
      kind === 'string' ? typeof v === 'string' && v.length > 0
      : kind === 'integer' ? Number.isInteger(v)
      : kind === 'boolean' ? typeof v === 'boolean'
      : kind === 'object' ? typeof v === 'object' && !Array.isArray(v)
      : kind === 'array' ? Array.isArray(v)
      : false;
    if (!ok) this.fail(`${path} must be ${kind === 'string' ? 'a non-empty string' : kind === 'integer' || kind === 'object' || kind === 'array' ? `an ${kind}` : `a ${kind}`}, got ${JSON.stringify(v)}`);
    return v;
  }
  equal(obj, path, expected, opts = {}) {
    const v = get(obj, path);
    if ((v === undefined || v === null) && opts.optional) return;
    if (v !== expected) this.fail(`${path} expected ${JSON.stringify(expected)}, got ${JSON.stringify(v)}`);
  }
  oneOf(obj, path, values, { optional = false } = {}) {
    const v = get(obj, path);
    if (v === undefined || v === null) {
      if (!optional) this.fail(`${path} missing`);
      return;
    }
    if (!values.includes(v)) this.fail(`${path} has unknown value ${JSON.stringify(v)}`);
  }
  done() {
    if (this.problems.length) throw new StepError(`${this.problems.join('; ')} (${describe(this.result)})`);
  }
}

function get(obj, path) {
  return path.split('.').reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

function checkApplication(c, app, prefix = '') {
  if (typeof app !== 'object' || app === null || Array.isArray(app)) {
    c.fail(`${prefix || 'body'} must be an application object`);
    return;
  }
  const sub = new Checker(c.result);
  sub.type(app, 'applicationId', 'string');
  sub.type(app, 'name', 'string');
  sub.type(app, 'enabled', 'boolean');
  sub.type(app, 'configuration', 'object');
  sub.type(app, 'configuration.allowMultiplePinVerifications', 'boolean');
  sub.type(app, 'configuration.pinAttempts', 'integer');
  for (const f of ['pinTimeToLive', 'sendPinPerApplicationLimit', 'sendPinPerPhoneNumberLimit', 'verifyPinLimit']) {
    sub.type(app, `configuration.${f}`, 'string');
  }
  for (const m of sub.problems) c.fail(`${prefix}${m}`);
}

function checkOurApplication(c, app, appId) {
  checkApplication(c, app);
  if (appId !== undefined) c.equal(app, 'applicationId', appId);
  c.equal(app, 'name', APPLICATION.name);
  c.equal(app, 'enabled', true);
  for (const [k, v] of Object.entries(APPLICATION.configuration)) c.equal(app, `configuration.${k}`, v);
}

function checkTemplate(c, t, appId, messageId) {
  if (typeof t !== 'object' || t === null || Array.isArray(t)) {
    c.fail('template must be an object');
    return;
  }
  c.type(t, 'messageId', 'string');
  if (messageId !== undefined) c.equal(t, 'messageId', messageId);
  c.type(t, 'applicationId', 'string');
  c.equal(t, 'applicationId', appId);
  c.equal(t, 'messageText', TEMPLATE.messageText);
  c.type(t, 'pinLength', 'integer');
  c.equal(t, 'pinLength', TEMPLATE.pinLength);
  c.oneOf(t, 'pinType', PIN_TYPES);
  c.equal(t, 'pinType', TEMPLATE.pinType);
  c.oneOf(t, 'language', LANGUAGES, { optional: true });
  c.equal(t, 'language', TEMPLATE.language, { optional: true });
  c.type(t, 'pinPlaceholder', 'string', { optional: true });
  c.equal(t, 'pinPlaceholder', '{{pin}}', { optional: true });
  c.type(t, 'senderId', 'string', { optional: true });
}

function checkStart(c, body, to) {
  c.type(body, 'pinId', 'string');
  c.type(body, 'to', 'string');
  c.equal(body, 'to', to);
  c.oneOf(body, 'ncStatus', NC_STATUSES, { optional: true });
  c.oneOf(body, 'smsStatus', SMS_STATUSES);
  c.equal(body, 'smsStatus', 'MESSAGE_SENT');
}

// ---------------------------------------------------------------- PIN from the log channel

const LINE_RE = /^\[opentfa:log\] sms to=(\S+) from=(\S*) text=("(?:[^"\\]|\\.)*")\s*$/;

function fileSize(path) {
  try {
    return fs.statSync(path).size;
  } catch {
    return 0;
  }
}

// Last delivery line for `to` written after byte offset `from`.
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
      found = { line: line.trim(), from: m[2], text: msg };
    }
  }
  return found;
}

async function waitForPin(from, to) {
  const deadline = Date.now() + PIN_WAIT_MS;
  for (;;) {
    const d = lastDelivery(PIN_FILE, from, to);
    if (d) {
      const m = /Your pin is (\d{4})(?!\d)/.exec(d.text);
      if (!m) throw new StepError(`delivery line has no 4-digit PIN after "Your pin is ": ${d.line}`);
      if (d.from !== 'InfoSMS') throw new StepError(`delivery line has from=${d.from}, expected InfoSMS: ${d.line}`);
      return m[1];
    }
    if (Date.now() >= deadline) {
      throw new StepError(`no "[opentfa:log] sms to=${to} ..." line appeared in ${PIN_FILE} within ${PIN_WAIT_MS / 1000} s`);
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
  try {
    await fn();
    passed++;
    console.log(`ok ${name}`);
  } catch (e) {
    failed++;
    const reason = e instanceof StepError ? e.message : `unexpected ${e?.stack ?? e}`;
    console.log(`FAIL ${name}: ${reason.replace(/\s*\n\s*/g, ' ')}`);
  }
}

await step('create-application', [], async () => {
  const r = await twoFA.createApplication(APPLICATION);
  const body = expectOk(r);
  const c = new Checker(r);
  checkOurApplication(c, body);
  c.done();
  state.appId = body.applicationId;
});

await step('get-application', ['appId'], async () => {
  const r = await twoFA.getApplication(state.appId);
  const body = expectOk(r);
  const c = new Checker(r);
  checkOurApplication(c, body, state.appId);
  c.done();
});

await step('list-applications', ['appId'], async () => {
  const r = await twoFA.getApplications();
  const body = expectOk(r);
  const c = new Checker(r);
  if (!Array.isArray(body)) c.fail('body must be an array');
  else {
    body.forEach((app, i) => checkApplication(c, app, `[${i}].`));
    const ours = body.filter((a) => a && a.applicationId === state.appId);
    if (ours.length !== 1) c.fail(`expected application ${state.appId} exactly once, found ${ours.length} times`);
    else checkOurApplication(c, ours[0], state.appId);
  }
  c.done();
});

await step('create-template', ['appId'], async () => {
  const r = await twoFA.createMessageTemplate(state.appId, TEMPLATE);
  const body = expectOk(r);
  const c = new Checker(r);
  checkTemplate(c, body, state.appId);
  c.done();
  state.messageId = body.messageId;
});

await step('get-template', ['appId', 'messageId'], async () => {
  const r = await twoFA.getMessageTemplate(state.appId, state.messageId);
  const body = expectOk(r);
  const c = new Checker(r);
  checkTemplate(c, body, state.appId, state.messageId);
  c.done();
});

await step('list-templates', ['appId', 'messageId'], async () => {
  const r = await twoFA.getMessageTemplates(state.appId);
  const body = expectOk(r);
  const c = new Checker(r);
  if (!Array.isArray(body)) c.fail('body must be an array');
  else if (body.length !== 1) c.fail(`expected exactly 1 template in the new application, got ${body.length}`);
  else checkTemplate(c, body[0], state.appId, state.messageId);
  c.done();
});

await step('send-pin', ['appId', 'messageId'], async () => {
  state.logOffset = fileSize(PIN_FILE);
  const req = { applicationId: state.appId, messageId: state.messageId, to: TO, from: 'InfoSMS', placeholders: { firstName: 'John' } };
  const nc = args['nc-needed'];
  const r = nc === 'omit' ? await twoFA.sendPINCodeSMS(req) : await twoFA.sendPINCodeSMS(req, nc === 'true');
  const body = expectOk(r);
  const c = new Checker(r);
  checkStart(c, body, TO);
  if (nc === 'true' && body.ncStatus === 'NC_DESTINATION_NOT_REACHABLE') c.fail('ncStatus NC_DESTINATION_NOT_REACHABLE for a plausible number');
  c.done();
  state.pinId = body.pinId;
});

await step('read-pin', ['pinId', 'logOffset'], async () => {
  state.pin = await waitForPin(state.logOffset, TO);
  state.logOffset = fileSize(PIN_FILE);
});

// Resend before verifying: the PIN is still open, and the application allows
// 2 sends per number per day (send + resend).
await step('resend-pin', ['pinId'], async () => {
  state.resendOffset = state.logOffset ?? fileSize(PIN_FILE);
  const r = await twoFA.resendPINCodeSMS(state.pinId, { placeholders: { firstName: 'John' } });
  const body = expectOk(r);
  const c = new Checker(r);
  checkStart(c, body, TO);
  c.equal(body, 'pinId', state.pinId);
  c.done();
  state.resent = true;
});

await step('read-resent-pin', ['resent', 'resendOffset', 'pin'], async () => {
  const pin = await waitForPin(state.resendOffset, TO);
  if (pin !== state.pin) throw new StepError(`resent message carries PIN ${pin}, the first message carried ${state.pin}`);
});

await step('verify-wrong-pin', ['pinId', 'pin'], async () => {
  const wrong = state.pin.replace(/\d/g, (d) => String((Number(d) + 1) % 10));
  const r = await twoFA.verifyPhoneNumber(state.pinId, { pin: wrong });
  const body = expectOk(r);
  const c = new Checker(r);
  c.type(body, 'pinId', 'string');
  c.equal(body, 'pinId', state.pinId);
  c.type(body, 'msisdn', 'string');
  c.equal(body, 'msisdn', TO);
  c.type(body, 'verified', 'boolean');
  c.equal(body, 'verified', false);
  c.type(body, 'attemptsRemaining', 'integer');
  c.equal(body, 'attemptsRemaining', APPLICATION.configuration.pinAttempts - 1);
  c.oneOf(body, 'pinError', PIN_ERRORS);
  c.equal(body, 'pinError', 'WRONG_PIN');
  c.done();
});

await step('verify-pin', ['pinId', 'pin'], async () => {
  const r = await twoFA.verifyPhoneNumber(state.pinId, { pin: state.pin });
  const body = expectOk(r);
  const c = new Checker(r);
  c.type(body, 'pinId', 'string');
  c.equal(body, 'pinId', state.pinId);
  c.type(body, 'msisdn', 'string');
  c.equal(body, 'msisdn', TO);
  c.type(body, 'verified', 'boolean');
  c.equal(body, 'verified', true);
  const left = c.type(body, 'attemptsRemaining', 'integer');
  if (Number.isInteger(left) && (left < 0 || left > APPLICATION.configuration.pinAttempts - 1)) {
    c.fail(`attemptsRemaining ${left} outside 0..${APPLICATION.configuration.pinAttempts - 1} after one wrong attempt`);
  }
  if (body.pinError !== undefined && body.pinError !== null) c.fail(`pinError must be absent on success, got ${JSON.stringify(body.pinError)}`);
  c.done();
  state.verified = true;
});

await step('verification-status', ['appId', 'verified'], async () => {
  const r = await twoFA.getVerificationStatus(state.appId, { msisdn: TO });
  const body = expectOk(r);
  const c = new Checker(r);
  const list = c.type(body, 'verifications', 'array');
  if (Array.isArray(list)) {
    if (list.length !== 1) c.fail(`expected exactly 1 verification entry, got ${list.length}`);
    else {
      const v = list[0];
      c.type(v, 'msisdn', 'string');
      c.equal(v, 'msisdn', TO);
      c.type(v, 'verified', 'boolean');
      c.equal(v, 'verified', true);
      const sentAt = c.type(v, 'sentAt', 'integer');
      const verifiedAt = c.type(v, 'verifiedAt', 'integer');
      // UNIX milliseconds: anything below 1e12 is before 2001 (i.e. seconds).
      for (const [k, t] of [['sentAt', sentAt], ['verifiedAt', verifiedAt]]) {
        if (Number.isInteger(t) && (t < 1e12 || t > Date.now() + 3600e3)) c.fail(`${k} ${t} is not a current UNIX time in milliseconds`);
      }
      if (Number.isInteger(sentAt) && Number.isInteger(verifiedAt) && verifiedAt < sentAt) c.fail(`verifiedAt ${verifiedAt} is before sentAt ${sentAt}`);
    }
  }
  c.done();
});

console.log(JSON.stringify({ passed, failed }));
process.exit(failed === 0 ? 0 : 1);
