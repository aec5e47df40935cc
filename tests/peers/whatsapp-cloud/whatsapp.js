'use strict';
// Fake of the WhatsApp Business Cloud API messages endpoint, for OpenTfa's WhatsApp channel tests.
// Node's standard library only. What it checks, field by field, is in NOTES.md.
//
//   node whatsapp.js --token T [--port 0] [--app-secret S] [--phone-number-id ID]
//                    [--waba-id ID] [--display-phone-number N]
//                    [--not-on-whatsapp 15550001111[,15550002222]] [--undeliverable sync|webhook]
//
// Listens on 127.0.0.1 (port 0 lets the OS choose) and prints the ready line:
//   listening http=P
//
// Provider side:  POST /{version}/{phone-number-id}/messages
// Control side (for tests, same port):
//   GET  /_recorded  every request received, in order, with the answer given
//   POST /_reset     forgets the recorded requests and sent messages
//   POST /_emit      {url, appSecret?, messageId, status, recipient?, errors?, signature?}
//                    posts a signed status webhook to url and answers what the receiver said
//   POST /_verify    {url, verifyToken, challenge?, mode?}
//                    performs the subscription-verification GET against url

const crypto = require('crypto');
const http = require('http');

// ---------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
    const result = {
        port: 0,
        token: null,
        appSecret: null,
        phoneNumberId: null,
        wabaId: '100000000000001',
        displayPhoneNumber: '15550100000',
        notOnWhatsApp: new Set(),
        undeliverable: 'sync',
    };
    for (let i = 0; i < argv.length; i += 2) {
        const name = argv[i];
        const value = argv[i + 1];
        if (value === undefined) {
            process.stderr.write(`${name} needs a value\n`);
            process.exit(2);
        }
        switch (name) {
            case '--port': result.port = Number(value); break;
            case '--token': result.token = value; break;
            case '--app-secret': result.appSecret = value; break;
            case '--phone-number-id': result.phoneNumberId = value; break;
            case '--waba-id': result.wabaId = value; break;
            case '--display-phone-number': result.displayPhoneNumber = value; break;
            case '--not-on-whatsapp':
                for (const n of value.split(',')) if (n.trim()) result.notOnWhatsApp.add(digits(n.trim()));
                break;
            case '--undeliverable': result.undeliverable = value; break;
            default:
                process.stderr.write(`unknown argument ${name}\n`);
                process.exit(2);
        }
    }
    if (!result.token) {
        process.stderr.write('--token is required\n');
        process.exit(2);
    }
    if (!Number.isInteger(result.port)) {
        process.stderr.write('--port must be an integer\n');
        process.exit(2);
    }
    if (!['sync', 'webhook'].includes(result.undeliverable)) {
        process.stderr.write('--undeliverable must be sync or webhook\n');
        process.exit(2);
    }
    return result;
}

function digits(phone) {
    return String(phone).replace(/\D/g, '');
}

const args = parseArgs(process.argv.slice(2));
const HOST = '127.0.0.1';
const MAX_OTP_LENGTH = 15;

let recorded = [];
const messages = new Map(); // wamid -> { to, waId, phoneNumberId, code, undeliverable }

// ---------------------------------------------------------------------------
// Graph-style errors

class ApiError extends Error {
    constructor(httpStatus, code, title, details, type = 'OAuthException') {
        super(details);
        this.httpStatus = httpStatus;
        this.code = code;
        this.title = title;
        this.details = details;
        this.type = type;
    }

    body() {
        return {
            error: {
                message: `(#${this.code}) ${this.title}`,
                type: this.type,
                code: this.code,
                error_data: { messaging_product: 'whatsapp', details: this.details },
                fbtrace_id: crypto.randomBytes(12).toString('base64url'),
            },
        };
    }
}

const invalidParameter = details => new ApiError(400, 100, 'Invalid parameter', details);
const missing = path => new ApiError(400, 131008, 'Required parameter is missing', `${path} is required`);
const notValid = (path, why) => new ApiError(400, 131009, 'Parameter value is not valid', `${path}: ${why}`);

// ---------------------------------------------------------------------------
// The authentication-template message, checked strictly

function isObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function onlyKeys(obj, path, allowed) {
    for (const key of Object.keys(obj)) {
        if (!allowed.includes(key)) throw invalidParameter(`Unexpected key "${key}" in ${path}`);
    }
}

function requireString(obj, key, path) {
    if (!(key in obj) || obj[key] === null) throw missing(`${path}.${key}`);
    if (typeof obj[key] !== 'string') throw notValid(`${path}.${key}`, 'must be a string');
    if (obj[key].length === 0) throw missing(`${path}.${key}`);
    return obj[key];
}

function oneTextParameter(component, path) {
    if (!('parameters' in component)) throw missing(`${path}.parameters`);
    const parameters = component.parameters;
    if (!Array.isArray(parameters)) throw notValid(`${path}.parameters`, 'must be an array');
    if (parameters.length !== 1) throw notValid(`${path}.parameters`, `expected exactly one parameter, got ${parameters.length}`);
    const p = parameters[0];
    if (!isObject(p)) throw notValid(`${path}.parameters[0]`, 'must be an object');
    onlyKeys(p, `${path}.parameters[0]`, ['type', 'text']);
    if (requireString(p, 'type', `${path}.parameters[0]`) !== 'text') {
        throw notValid(`${path}.parameters[0].type`, 'must be "text"');
    }
    const text = requireString(p, 'text', `${path}.parameters[0]`);
    if (text.length > MAX_OTP_LENGTH) {
        throw notValid(`${path}.parameters[0].text`, `the one-time password is limited to ${MAX_OTP_LENGTH} characters`);
    }
    return text;
}

// Returns { to, templateName, languageCode, code } or throws an ApiError.
function checkAuthenticationTemplate(body) {
    if (!isObject(body)) throw invalidParameter('The request body must be a JSON object');
    onlyKeys(body, 'message', ['messaging_product', 'recipient_type', 'to', 'type', 'template', 'biz_opaque_callback_data']);

    if (requireString(body, 'messaging_product', 'message') !== 'whatsapp') {
        throw notValid('messaging_product', 'must be "whatsapp"');
    }
    if ('recipient_type' in body && body.recipient_type !== 'individual') {
        throw notValid('recipient_type', 'must be "individual"');
    }
    const to = requireString(body, 'to', 'message');
    if (!/^\+?[1-9][0-9]{6,14}$/.test(to)) throw notValid('to', 'must be a phone number with its country code');
    if ('type' in body && body.type !== 'template') {
        throw notValid('type', 'this fake accepts only "template" messages');
    }
    if (!('type' in body)) throw missing('message.type'); // Text is the provider's default; an OTP is never text.
    if ('biz_opaque_callback_data' in body && typeof body.biz_opaque_callback_data !== 'string') {
        throw notValid('biz_opaque_callback_data', 'must be a string');
    }

    if (!('template' in body)) throw missing('message.template');
    const template = body.template;
    if (!isObject(template)) throw notValid('template', 'must be an object');
    onlyKeys(template, 'template', ['name', 'language', 'components']);
    const templateName = requireString(template, 'name', 'template');
    if (!('language' in template)) throw missing('template.language');
    if (!isObject(template.language)) throw notValid('template.language', 'must be an object');
    onlyKeys(template.language, 'template.language', ['code', 'policy']);
    const languageCode = requireString(template.language, 'code', 'template.language');
    if (!/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/.test(languageCode)) {
        throw notValid('template.language.code', 'must be a language or language_LOCALE code such as en or en_US');
    }
    if ('policy' in template.language && template.language.policy !== 'deterministic') {
        throw notValid('template.language.policy', 'must be "deterministic"');
    }

    if (!('components' in template)) throw missing('template.components');
    const components = template.components;
    if (!Array.isArray(components)) throw notValid('template.components', 'must be an array');
    let bodyCode = null;
    let buttonCode = null;
    components.forEach((component, i) => {
        const path = `template.components[${i}]`;
        if (!isObject(component)) throw notValid(path, 'must be an object');
        const type = requireString(component, 'type', path);
        if (type === 'body') {
            if (bodyCode !== null) throw notValid(path, 'a second body component');
            onlyKeys(component, path, ['type', 'parameters']);
            bodyCode = oneTextParameter(component, path);
        } else if (type === 'button') {
            if (buttonCode !== null) throw notValid(path, 'a second button component');
            onlyKeys(component, path, ['type', 'sub_type', 'index', 'parameters']);
            if (requireString(component, 'sub_type', path) !== 'url') {
                throw notValid(`${path}.sub_type`, 'the one-time-password button of an authentication template is sent as "url"');
            }
            if (!('index' in component)) throw missing(`${path}.index`);
            if (component.index !== '0') throw notValid(`${path}.index`, 'must be the string "0"');
            buttonCode = oneTextParameter(component, path);
        } else {
            throw notValid(`${path}.type`, `"${type}": an authentication template takes only body and button components`);
        }
    });
    if (bodyCode === null) throw missing('template.components[type=body]');
    if (buttonCode === null) throw missing('template.components[type=button]');
    if (bodyCode !== buttonCode) {
        throw notValid('template.components', 'the one-time password must be the same in the body and in the button');
    }
    return { to, templateName, languageCode, code: bodyCode };
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
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(text);
}

function newMessageId() {
    return `wamid.${crypto.randomBytes(24).toString('base64')}`;
}

function handleMessages(req, raw, match) {
    const [, version, phoneNumberId] = match;
    const authorization = req.headers.authorization || '';
    const bearer = /^Bearer (.+)$/.exec(authorization);
    if (!bearer) {
        throw new ApiError(401, 190, 'Invalid OAuth access token', 'An Authorization: Bearer <access token> header is required');
    }
    if (bearer[1] !== args.token) {
        throw new ApiError(401, 190, 'Invalid OAuth access token', 'Invalid OAuth access token - Cannot parse access token');
    }
    if (args.phoneNumberId !== null && phoneNumberId !== args.phoneNumberId) {
        throw new ApiError(400, 100, 'Invalid parameter',
            `Unsupported post request. Object with ID '${phoneNumberId}' does not exist`, 'GraphMethodException');
    }
    const contentType = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
    if (contentType !== 'application/json') {
        throw invalidParameter('The body must be sent as Content-Type: application/json');
    }
    let body;
    try {
        body = JSON.parse(raw.toString('utf8'));
    } catch (e) {
        throw invalidParameter(`The body is not valid JSON: ${e.message}`);
    }
    const message = checkAuthenticationTemplate(body);
    const waId = digits(message.to);
    const undeliverable = args.notOnWhatsApp.has(waId);
    if (undeliverable && args.undeliverable === 'sync') {
        throw new ApiError(400, 131026, 'Message undeliverable',
            'Message undeliverable: the recipient is not a WhatsApp user (or cannot receive this message)');
    }
    const id = newMessageId();
    messages.set(id, { ...message, waId, version, phoneNumberId, undeliverable });
    return {
        status: 200,
        body: {
            messaging_product: 'whatsapp',
            contacts: [{ input: message.to, wa_id: waId }],
            messages: [{ id }],
        },
        message: { id, ...message, waId, undeliverable },
    };
}

// ---------------------------------------------------------------------------
// Webhooks the provider sends

const STATUSES = ['sent', 'delivered', 'read', 'failed'];

function undeliverableError() {
    return {
        code: 131026,
        title: 'Message undeliverable',
        message: 'Message undeliverable',
        error_data: { details: 'Message Undeliverable.' },
        href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
    };
}

function statusPayload({ messageId, status, recipient, errors }) {
    const known = messages.get(messageId);
    const entry = {
        id: messageId,
        status,
        timestamp: String(Math.floor(Date.now() / 1000)),
        recipient_id: recipient ? digits(recipient) : known ? known.waId : '',
    };
    if (status === 'failed') {
        entry.errors = errors || [undeliverableError()];
    } else if (errors) {
        entry.errors = errors;
    }
    return {
        object: 'whatsapp_business_account',
        entry: [{
            id: args.wabaId,
            changes: [{
                value: {
                    messaging_product: 'whatsapp',
                    metadata: {
                        display_phone_number: args.displayPhoneNumber,
                        phone_number_id: known ? known.phoneNumberId : (args.phoneNumberId || '100000000000002'),
                    },
                    statuses: [entry],
                },
                field: 'messages',
            }],
        }],
    };
}

function sign(secret, rawBody) {
    return `sha256=${crypto.createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

async function emit(request) {
    if (!isObject(request)) throw new Error('the body must be a JSON object');
    const { url, messageId, status } = request;
    const appSecret = request.appSecret || args.appSecret;
    if (!url || !messageId || !status) throw new Error('url, messageId and status are required');
    if (!STATUSES.includes(status)) throw new Error(`status must be one of ${STATUSES.join(', ')}`);
    if (!appSecret && request.signature === undefined) throw new Error('appSecret (or --app-secret) is required');
    const payload = statusPayload(request);
    const rawBody = JSON.stringify(payload);
    const signature = request.signature !== undefined ? request.signature : sign(appSecret, rawBody);
    const headers = { 'content-type': 'application/json' };
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    const response = await fetch(url, { method: 'POST', headers, body: rawBody });
    return { status: response.status, body: await response.text(), signature, payload, rawBody };
}

async function verify(request) {
    if (!isObject(request) || !request.url) throw new Error('url is required');
    const challenge = request.challenge || String(crypto.randomInt(1e9));
    const target = new URL(request.url);
    target.searchParams.set('hub.mode', request.mode || 'subscribe');
    target.searchParams.set('hub.challenge', challenge);
    target.searchParams.set('hub.verify_token', request.verifyToken || '');
    const response = await fetch(target, { method: 'GET' });
    const body = await response.text();
    return { status: response.status, body, challenge, echoed: response.status === 200 && body === challenge };
}

// ---------------------------------------------------------------------------
// Server

const MESSAGES_PATH = /^\/(v[0-9]+\.[0-9]+)\/([0-9]+)\/messages$/;

const server = http.createServer(async (req, res) => {
    const raw = await readBody(req);
    const path = new URL(req.url, 'http://localhost').pathname;
    try {
        if (req.method === 'GET' && path === '/_recorded') return send(res, 200, recorded);
        if (req.method === 'POST' && path === '/_reset') {
            recorded = [];
            messages.clear();
            return send(res, 200, {});
        }
        if (req.method === 'POST' && (path === '/_emit' || path === '/_verify')) {
            let request;
            try {
                request = JSON.parse(raw.toString('utf8') || '{}');
                return send(res, 200, path === '/_emit' ? await emit(request) : await verify(request));
            } catch (e) {
                return send(res, 400, { error: e.message });
            }
        }
    } catch (e) {
        return send(res, 500, { error: e.message });
    }

    // Everything else is the provider side, and is recorded.
    const entry = {
        time: new Date().toISOString(),
        method: req.method,
        path: req.url,
        headers: req.headers,
        body: raw.toString('utf8'),
    };
    recorded.push(entry);
    let status;
    let body;
    try {
        const match = MESSAGES_PATH.exec(path);
        if (!match) {
            throw new ApiError(400, 100, 'Invalid parameter', `Unknown path ${path}`, 'GraphMethodException');
        }
        if (req.method !== 'POST') {
            throw new ApiError(400, 100, 'Invalid parameter', `Unsupported ${req.method} request`, 'GraphMethodException');
        }
        const result = handleMessages(req, raw, match);
        status = result.status;
        body = result.body;
        entry.message = result.message;
    } catch (e) {
        if (!(e instanceof ApiError)) {
            process.stderr.write(`internal error: ${e.stack}\n`);
            e = new ApiError(500, 1, 'API Unknown', e.message);
        }
        status = e.httpStatus;
        body = e.body();
    }
    entry.response = { status, body };
    send(res, status, body);
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
