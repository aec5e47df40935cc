'use strict';
// Fake of the Telegram Gateway API (verification messages), for OpenTfa's Telegram channel tests.
// Node's standard library only. What it checks, field by field, is in NOTES.md.
//
//   node gateway.js --token T [--port 0] [--not-on-telegram +15550001111[,...]] [--own-number +1555...]
//                   [--balance 100] [--price 0.01] [--max-attempts 3] [--error-status 200]
//
// Listens on 127.0.0.1 (port 0 lets the OS choose) and prints the ready line:
//   listening http=P
//
// Provider side: /sendVerificationMessage, /checkSendAbility, /checkVerificationStatus,
// /revokeVerificationMessage (method names case-insensitive; GET or POST; parameters in the
// query string, application/x-www-form-urlencoded or application/json).
// Control side (for tests, same port):
//   GET  /_recorded  every provider-side request, in order, with the answer given
//   GET  /_requests  the verification requests the fake knows, with their codes
//   POST /_reset     forgets both
//   POST /_emit      {requestId, status?, url?, token?, timestamp?, signature?, keyForm?}
//                    posts a signed delivery report to the request's callback_url
//   POST /_fail      {method, error?, status?, times?}
//                    the next `times` calls of `method` fail with `error` and HTTP `status`

const crypto = require('crypto');
const http = require('http');

function parseArgs(argv) {
    const result = {
        port: 0, token: null, notOnTelegram: new Set(), ownNumbers: new Set(),
        balance: 100, price: 0.01, maxAttempts: 3, errorStatus: 200,
    };
    for (let i = 0; i < argv.length; i += 2) {
        const name = argv[i];
        const value = argv[i + 1];
        if (value === undefined) {
            process.stderr.write(`${name} needs a value\n`);
            process.exit(2);
        }
        const list = target => { for (const n of value.split(',')) if (n.trim()) target.add(normalize(n.trim())); };
        switch (name) {
            case '--port': result.port = Number(value); break;
            case '--token': result.token = value; break;
            case '--not-on-telegram': list(result.notOnTelegram); break;
            case '--own-number': list(result.ownNumbers); break;
            case '--balance': result.balance = Number(value); break;
            case '--price': result.price = Number(value); break;
            case '--max-attempts': result.maxAttempts = Number(value); break;
            case '--error-status': result.errorStatus = Number(value); break;
            default:
                process.stderr.write(`unknown argument ${name}\n`);
                process.exit(2);
        }
    }
    if (!result.token) {
        process.stderr.write('--token is required\n');
        process.exit(2);
    }
    for (const key of ['port', 'maxAttempts', 'errorStatus']) {
        if (!Number.isInteger(result[key])) {
            process.stderr.write(`--${key} must be an integer\n`);
            process.exit(2);
        }
    }
    return result;
}

function normalize(phone) {
    return '+' + String(phone).replace(/\D/g, '');
}

const args = parseArgs(process.argv.slice(2));
const HOST = '127.0.0.1';
let balance = args.balance;
let recorded = [];
const requests = new Map(); // request_id -> state
let failures = []; // {method, error, status, times}, consumed in order

class GatewayError extends Error {
    constructor(message, status) {
        super(message);
        this.status = status;
    }
}

const now = () => Math.floor(Date.now() / 1000);
const round = x => Math.round(x * 1e6) / 1e6;

// ---------------------------------------------------------------------------
// Parameters

function bytes(s) {
    return Buffer.byteLength(s, 'utf8');
}

function str(params, key) {
    const v = params[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string') throw new GatewayError(`${key.toUpperCase()}_INVALID`);
    return v;
}

function int(params, key, min, max) {
    const v = params[key];
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'number' ? v : (/^-?\d+$/.test(String(v)) ? Number(v) : NaN);
    if (!Number.isInteger(n) || n < min || n > max) throw new GatewayError(`${key.toUpperCase()}_INVALID`);
    return n;
}

function phone(params) {
    const v = str(params, 'phone_number');
    if (v === undefined || v === '') throw new GatewayError('PHONE_NUMBER_REQUIRED');
    if (!/^\+?[1-9]\d{6,14}$/.test(v)) throw new GatewayError('PHONE_NUMBER_INVALID');
    return normalize(v);
}

function requestId(params, required) {
    const v = str(params, 'request_id');
    if (v === undefined || v === '') {
        if (required) throw new GatewayError('REQUEST_ID_REQUIRED');
        return undefined;
    }
    const state = requests.get(v);
    if (!state) throw new GatewayError('REQUEST_ID_INVALID');
    return state;
}

// ---------------------------------------------------------------------------
// Objects

function requestStatus(state, { charged }) {
    const result = {
        request_id: state.requestId,
        phone_number: state.phoneNumber,
        request_cost: state.cost,
    };
    if (state.refunded) result.is_refunded = true;
    if (charged) result.remaining_balance = round(balance);
    if (state.delivery) result.delivery_status = { ...state.delivery };
    if (state.verification) result.verification_status = { ...state.verification };
    if (state.payload !== undefined) result.payload = state.payload;
    return result;
}

function charge(phoneNumber) {
    if (args.ownNumbers.has(phoneNumber)) return 0;
    if (balance < args.price) throw new GatewayError('BALANCE_NOT_ENOUGH');
    balance = round(balance - args.price);
    return args.price;
}

function reachable(phoneNumber) {
    if (args.notOnTelegram.has(phoneNumber)) throw new GatewayError('PHONE_NUMBER_NOT_AVAILABLE');
}

function newRequestId() {
    return crypto.randomBytes(12).toString('hex');
}

function expireIfDue(state) {
    if (state.expiresAt && now() >= state.expiresAt && state.delivery && !['read', 'revoked', 'expired'].includes(state.delivery.status)) {
        state.delivery = { status: 'expired', updated_at: state.expiresAt };
        state.refunded = true;
    }
}

// ---------------------------------------------------------------------------
// Methods

const methods = {
    checksendability(params) {
        const phoneNumber = phone(params);
        reachable(phoneNumber);
        const cost = charge(phoneNumber);
        const state = { requestId: newRequestId(), phoneNumber, cost, checked: true, sent: false };
        requests.set(state.requestId, state);
        return requestStatus(state, { charged: true });
    },

    sendverificationmessage(params) {
        const phoneNumber = phone(params);
        const previous = requestId(params, false);
        const code = str(params, 'code');
        if (code !== undefined && !/^\d{4,8}$/.test(code)) throw new GatewayError('CODE_INVALID');
        const codeLength = int(params, 'code_length', 4, 8);
        const callbackUrl = str(params, 'callback_url');
        if (callbackUrl !== undefined && callbackUrl !== '') {
            let url;
            try {
                url = new URL(callbackUrl);
            } catch {
                throw new GatewayError('CALLBACK_URL_INVALID');
            }
            const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
            if (bytes(callbackUrl) > 256 || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
                throw new GatewayError('CALLBACK_URL_INVALID');
            }
        }
        const payload = str(params, 'payload');
        if (payload !== undefined && bytes(payload) > 128) throw new GatewayError('PAYLOAD_INVALID');
        const ttl = int(params, 'ttl', 30, 3600);
        const senderUsername = str(params, 'sender_username');

        let state;
        let charged;
        if (previous) {
            if (previous.phoneNumber !== phoneNumber) throw new GatewayError('PHONE_NUMBER_MISMATCH');
            if (previous.sent) throw new GatewayError('REQUEST_ID_ALREADY_USED');
            state = previous;
            charged = false; // the fee was taken by checkSendAbility
        } else {
            reachable(phoneNumber);
            state = { requestId: newRequestId(), phoneNumber, cost: charge(phoneNumber), checked: false };
            requests.set(state.requestId, state);
            charged = true;
        }
        const length = codeLength || 6;
        Object.assign(state, {
            sent: true,
            code: code !== undefined ? code : String(crypto.randomInt(10 ** (length - 1), 10 ** length)),
            codeSetByCaller: code !== undefined,
            callbackUrl: callbackUrl || undefined,
            payload,
            ttl,
            senderUsername,
            expiresAt: ttl ? now() + ttl : undefined,
            attempts: 0,
            delivery: { status: 'sent', updated_at: now() },
        });
        return requestStatus(state, { charged });
    },

    checkverificationstatus(params) {
        const state = requestId(params, true);
        if (!state.sent) throw new GatewayError('REQUEST_ID_INVALID');
        expireIfDue(state);
        const code = str(params, 'code');
        const terminal = state.verification && ['code_valid', 'code_max_attempts_exceeded'].includes(state.verification.status);
        if (code !== undefined && code !== '' && !terminal) {
            let status;
            if (state.expiresAt && now() >= state.expiresAt) {
                status = 'expired';
            } else if (code === state.code) {
                status = 'code_valid';
            } else {
                state.attempts += 1;
                status = state.attempts >= args.maxAttempts ? 'code_max_attempts_exceeded' : 'code_invalid';
            }
            state.verification = { status, updated_at: now(), code_entered: code };
        }
        return requestStatus(state, { charged: false });
    },

    revokeverificationmessage(params) {
        const state = requestId(params, true);
        if (state.sent && state.delivery && state.delivery.status !== 'read') {
            state.delivery = { status: 'revoked', updated_at: now() };
        }
        return true;
    },
};

// ---------------------------------------------------------------------------
// Delivery reports

const DELIVERY_STATUSES = ['sent', 'delivered', 'read', 'expired', 'revoked'];

function signReport(token, timestamp, rawBody, keyForm = 'raw') {
    const digest = crypto.createHash('sha256').update(token, 'utf8').digest();
    const key = keyForm === 'hex' ? Buffer.from(digest.toString('hex'), 'utf8') : digest;
    return crypto.createHmac('sha256', key).update(`${timestamp}\n${rawBody}`, 'utf8').digest('hex');
}

async function emit(request) {
    if (request === null || typeof request !== 'object') throw new Error('the body must be a JSON object');
    const state = requests.get(request.requestId);
    if (!state || !state.sent) throw new Error('requestId must name a sent verification message');
    const url = request.url || state.callbackUrl;
    if (!url) throw new Error('the message has no callback_url and no url was given');
    const status = request.status || 'delivered';
    if (!DELIVERY_STATUSES.includes(status)) throw new Error(`status must be one of ${DELIVERY_STATUSES.join(', ')}`);
    state.delivery = { status, updated_at: now() };
    if (status === 'expired') state.refunded = true;
    const rawBody = JSON.stringify(requestStatus(state, { charged: false }));
    const timestamp = String(request.timestamp !== undefined ? request.timestamp : now());
    const signature = request.signature !== undefined
        ? request.signature
        : signReport(request.token || args.token, timestamp, rawBody, request.keyForm);
    const headers = { 'content-type': 'application/json', 'x-request-timestamp': timestamp };
    if (signature !== null) headers['x-request-signature'] = signature;
    const response = await fetch(url, { method: 'POST', headers, body: rawBody });
    return { status: response.status, body: await response.text(), timestamp, signature, rawBody };
}

// ---------------------------------------------------------------------------
// Planned failures (flood control, server errors), for tests of how a client reacts

function planFailure(request) {
    if (request === null || typeof request !== 'object') throw new Error('the body must be a JSON object');
    const method = String(request.method || '').toLowerCase();
    if (!methods[method]) throw new Error(`method must be one of ${Object.keys(methods).join(', ')}`);
    const times = request.times === undefined ? 1 : request.times;
    const status = request.status === undefined ? args.errorStatus : request.status;
    if (!Number.isInteger(times) || times < 1) throw new Error('times must be a positive integer');
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error('status must be an HTTP status');
    const failure = { method, error: String(request.error || 'INTERNAL_ERROR'), status, times };
    failures.push(failure);
    return failure;
}

// ---------------------------------------------------------------------------
// HTTP plumbing

function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        req.on('data', c => chunks.push(c));
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
    });
}

function send(res, status, body) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
}

// Query string first, then the body (JSON or form) on top of it.
function parameters(req, url, raw) {
    const params = Object.fromEntries(url.searchParams);
    if (req.method === 'POST' && raw.length > 0) {
        const type = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
        const text = raw.toString('utf8');
        if (type === 'application/json') {
            let body;
            try {
                body = JSON.parse(text);
            } catch {
                throw new GatewayError('JSON_INVALID');
            }
            if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GatewayError('JSON_INVALID');
            Object.assign(params, body);
        } else if (type === 'application/x-www-form-urlencoded') {
            Object.assign(params, Object.fromEntries(new URLSearchParams(text)));
        } else {
            throw new GatewayError('CONTENT_TYPE_INVALID');
        }
    }
    return params;
}

const server = http.createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url, 'http://localhost');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/_recorded') return send(res, 200, recorded);
    if (req.method === 'GET' && path === '/_requests') return send(res, 200, [...requests.values()]);
    if (req.method === 'POST' && path === '/_reset') {
        recorded = [];
        requests.clear();
        failures = [];
        balance = args.balance;
        return send(res, 200, {});
    }
    if (req.method === 'POST' && path === '/_fail') {
        try {
            return send(res, 200, planFailure(JSON.parse(raw.toString('utf8') || '{}')));
        } catch (e) {
            return send(res, 400, { error: e.message });
        }
    }
    if (req.method === 'POST' && path === '/_emit') {
        try {
            return send(res, 200, await emit(JSON.parse(raw.toString('utf8') || '{}')));
        } catch (e) {
            return send(res, 400, { error: e.message });
        }
    }

    const entry = { time: new Date().toISOString(), method: req.method, path: req.url, headers: req.headers, body: raw.toString('utf8') };
    recorded.push(entry);
    let status = 200;
    let answer;
    try {
        if (req.method !== 'GET' && req.method !== 'POST') throw new GatewayError('METHOD_NOT_ALLOWED');
        const params = parameters(req, url, raw);
        entry.params = params;
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization || '');
        const token = bearer ? bearer[1] : params.access_token;
        if (token !== args.token) throw new GatewayError('ACCESS_TOKEN_INVALID');
        const method = methods[path.slice(1).toLowerCase()];
        if (!method) throw new GatewayError('METHOD_NOT_FOUND');
        const failure = failures.find(f => f.method === path.slice(1).toLowerCase());
        if (failure) {
            if (--failure.times === 0) failures = failures.filter(f => f !== failure);
            throw new GatewayError(failure.error, failure.status);
        }
        answer = { ok: true, result: method(params) };
    } catch (e) {
        if (!(e instanceof GatewayError)) {
            process.stderr.write(`internal error: ${e.stack}\n`);
        }
        status = e instanceof GatewayError ? (e.status || args.errorStatus) : 500;
        answer = { ok: false, error: e instanceof GatewayError ? e.message : 'INTERNAL_ERROR' };
    }
    entry.response = { status, body: answer };
    send(res, status, answer);
});

server.on('error', e => {
    process.stderr.write(`listen error: ${e.message}\n`);
    process.exit(1);
});

server.listen(args.port, HOST, () => {
    process.stdout.write(`listening http=${server.address().port}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => process.exit(0));
}
