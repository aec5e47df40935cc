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
//                 POST /{version}/{waba-id}/message_templates   (authentication templates only)
// Control side (for tests, same port):
//   GET  /_recorded  every request received, in order, with the answer given
//   POST /_reset     forgets the recorded requests, sent messages, templates and failures
//   POST /_fail      {times, status?, code?, title?, delayMs?}
//                    the next `times` send requests answer that error (default HTTP 500, code
//                    131000), or with delayMs are held that long and then handled as usual
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
const templates = new Map(); // `${name}/${language}` -> { id, ... }
let failures = []; // scripted answers for the next send requests, in order

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
// Creating an authentication template (WhatsApp Business Account > message_templates)

const PACKAGE_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;
const SIGNATURE_HASH = /^[A-Za-z0-9+/]{11}$/;
const OTP_TYPES = ['COPY_CODE', 'ONE_TAP', 'ZERO_TAP'];

function upper(value, path) {
    if (typeof value !== 'string' || value.length === 0) throw invalidParameter(`${path} must be a non-empty string`);
    return value.toUpperCase();
}

function checkSupportedApps(apps, path) {
    if (!Array.isArray(apps) || apps.length < 1 || apps.length > 5) {
        throw invalidParameter(`${path} must list 1 to 5 apps`);
    }
    return apps.map((app, i) => {
        const at = `${path}[${i}]`;
        if (!isObject(app)) throw invalidParameter(`${at} must be an object`);
        onlyKeys(app, at, ['package_name', 'signature_hash']);
        if (typeof app.package_name !== 'string' || !PACKAGE_NAME.test(app.package_name) || app.package_name.length > 224) {
            throw invalidParameter(`${at}.package_name must be an Android package name such as com.example.app`);
        }
        if (typeof app.signature_hash !== 'string' || !SIGNATURE_HASH.test(app.signature_hash)) {
            throw invalidParameter(`${at}.signature_hash must be the 11-character app signing key hash`);
        }
        return { packageName: app.package_name, signatureHash: app.signature_hash };
    });
}

function checkOtpButton(button, path) {
    if (!isObject(button)) throw invalidParameter(`${path} must be an object`);
    onlyKeys(button, path, ['type', 'otp_type', 'text', 'autofill_text', 'supported_apps', 'package_name', 'signature_hash', 'zero_tap_terms_accepted']);
    if (upper(button.type, `${path}.type`) !== 'OTP') throw invalidParameter(`${path}.type must be OTP in an authentication template`);
    const otpType = upper(button.otp_type, `${path}.otp_type`);
    if (!OTP_TYPES.includes(otpType)) throw invalidParameter(`${path}.otp_type must be one of ${OTP_TYPES.join(', ')}`);
    for (const key of ['text', 'autofill_text']) {
        if (key in button && (typeof button[key] !== 'string' || button[key].length > 25)) {
            throw invalidParameter(`${path}.${key} must be a string of at most 25 characters`);
        }
    }
    let supportedApps = [];
    if (otpType === 'COPY_CODE') {
        for (const key of ['autofill_text', 'supported_apps', 'package_name', 'signature_hash', 'zero_tap_terms_accepted']) {
            if (key in button) throw invalidParameter(`${path}.${key} belongs to one-tap and zero-tap buttons, not COPY_CODE`);
        }
    } else if ('supported_apps' in button) {
        if ('package_name' in button || 'signature_hash' in button) {
            throw invalidParameter(`${path}: give supported_apps or package_name and signature_hash, not both`);
        }
        supportedApps = checkSupportedApps(button.supported_apps, `${path}.supported_apps`);
    } else {
        // The older form: one app named on the button itself.
        supportedApps = checkSupportedApps([{ package_name: button.package_name, signature_hash: button.signature_hash }], path);
    }
    if (otpType === 'ZERO_TAP' && button.zero_tap_terms_accepted !== true) {
        throw invalidParameter(`${path}.zero_tap_terms_accepted must be true for ZERO_TAP`);
    }
    return { otpType, supportedApps };
}

// Returns what was asked for, or throws an ApiError.
function checkTemplate(body) {
    if (!isObject(body)) throw invalidParameter('The request body must be a JSON object');
    onlyKeys(body, 'template', ['name', 'language', 'category', 'components', 'message_send_ttl_seconds']);
    const name = requireString(body, 'name', 'template');
    if (!/^[a-z0-9_]{1,512}$/.test(name)) throw invalidParameter('name may hold only lower-case letters, digits and underscores (at most 512)');
    const language = requireString(body, 'language', 'template');
    if (!/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/.test(language)) throw invalidParameter('language must be a code such as en or en_US');
    if (upper(body.category, 'category') !== 'AUTHENTICATION') {
        throw invalidParameter('this fake creates only AUTHENTICATION templates');
    }
    if ('message_send_ttl_seconds' in body && (!Number.isInteger(body.message_send_ttl_seconds)
        || body.message_send_ttl_seconds < 30 || body.message_send_ttl_seconds > 900)) {
        throw invalidParameter('message_send_ttl_seconds must be a whole number from 30 to 900');
    }
    if (!Array.isArray(body.components)) throw invalidParameter('components must be an array');
    const result = { name, language, category: 'AUTHENTICATION', addSecurityRecommendation: false, codeExpirationMinutes: null };
    const seen = new Set();
    body.components.forEach((component, i) => {
        const path = `components[${i}]`;
        if (!isObject(component)) throw invalidParameter(`${path} must be an object`);
        const type = upper(component.type, `${path}.type`);
        if (seen.has(type)) throw invalidParameter(`${path}: a second ${type} component`);
        seen.add(type);
        if (type === 'BODY') {
            // The body text of an authentication template is Meta's own; only the disclaimer is chosen.
            onlyKeys(component, path, ['type', 'add_security_recommendation']);
            if ('add_security_recommendation' in component && typeof component.add_security_recommendation !== 'boolean') {
                throw invalidParameter(`${path}.add_security_recommendation must be true or false`);
            }
            result.addSecurityRecommendation = component.add_security_recommendation === true;
        } else if (type === 'FOOTER') {
            onlyKeys(component, path, ['type', 'code_expiration_minutes']);
            const minutes = component.code_expiration_minutes;
            if (!Number.isInteger(minutes) || minutes < 1 || minutes > 90) {
                throw invalidParameter(`${path}.code_expiration_minutes must be a whole number from 1 to 90`);
            }
            result.codeExpirationMinutes = minutes;
        } else if (type === 'BUTTONS') {
            onlyKeys(component, path, ['type', 'buttons']);
            if (!Array.isArray(component.buttons) || component.buttons.length !== 1) {
                throw invalidParameter(`${path}.buttons must hold exactly one OTP button`);
            }
            Object.assign(result, checkOtpButton(component.buttons[0], `${path}.buttons[0]`));
        } else {
            throw invalidParameter(`${path}.type ${type}: an authentication template has only BODY, FOOTER and BUTTONS`);
        }
    });
    if (!seen.has('BODY')) throw invalidParameter('components: the BODY component is required');
    if (!seen.has('BUTTONS')) throw invalidParameter('components: an authentication template needs its OTP button');
    return result;
}

function handleTemplates(req, raw, wabaId) {
    bearerAndJson(req);
    if (wabaId !== args.wabaId) {
        throw new ApiError(400, 100, 'Invalid parameter',
            `Unsupported post request. Object with ID '${wabaId}' does not exist`, 'GraphMethodException');
    }
    const template = checkTemplate(jsonBody(raw));
    const key = `${template.name}/${template.language}`;
    if (templates.has(key)) {
        throw invalidParameter(`Content in this language already exists: ${template.name} (${template.language})`);
    }
    const id = String(crypto.randomInt(1e14, 2e14));
    templates.set(key, { id, ...template });
    return {
        status: 200,
        body: { id, status: 'PENDING', category: 'AUTHENTICATION' },
        template: { id, ...template },
    };
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

// The access token and a JSON body, which every provider-side request needs.
function bearerAndJson(req) {
    const authorization = req.headers.authorization || '';
    const bearer = /^Bearer (.+)$/.exec(authorization);
    if (!bearer) {
        throw new ApiError(401, 190, 'Invalid OAuth access token', 'An Authorization: Bearer <access token> header is required');
    }
    if (bearer[1] !== args.token) {
        throw new ApiError(401, 190, 'Invalid OAuth access token', 'Invalid OAuth access token - Cannot parse access token');
    }
    const contentType = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
    if (contentType !== 'application/json') {
        throw invalidParameter('The body must be sent as Content-Type: application/json');
    }
}

function jsonBody(raw) {
    try {
        return JSON.parse(raw.toString('utf8'));
    } catch (e) {
        throw invalidParameter(`The body is not valid JSON: ${e.message}`);
    }
}

function handleMessages(req, raw, match) {
    const [, version, phoneNumberId] = match;
    bearerAndJson(req);
    if (args.phoneNumberId !== null && phoneNumberId !== args.phoneNumberId) {
        throw new ApiError(400, 100, 'Invalid parameter',
            `Unsupported post request. Object with ID '${phoneNumberId}' does not exist`, 'GraphMethodException');
    }
    const message = checkAuthenticationTemplate(jsonBody(raw));
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
const TEMPLATES_PATH = /^\/v[0-9]+\.[0-9]+\/([0-9]+)\/message_templates$/;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

function scriptedFailure(request) {
    if (!isObject(request) || !Number.isInteger(request.times) || request.times < 1) throw new Error('times (a whole number from 1) is required');
    const failure = {
        status: request.status || 500,
        code: request.code || 131000,
        title: request.title || 'Something went wrong',
        delayMs: request.delayMs || 0,
    };
    for (let i = 0; i < request.times; i++) failures.push(failure);
    return { queued: failures.length };
}

const server = http.createServer(async (req, res) => {
    const raw = await readBody(req);
    const path = new URL(req.url, 'http://localhost').pathname;
    try {
        if (req.method === 'GET' && path === '/_recorded') return send(res, 200, recorded);
        if (req.method === 'POST' && path === '/_reset') {
            recorded = [];
            messages.clear();
            templates.clear();
            failures = [];
            return send(res, 200, {});
        }
        if (req.method === 'POST' && (path === '/_emit' || path === '/_verify' || path === '/_fail')) {
            let request;
            try {
                request = JSON.parse(raw.toString('utf8') || '{}');
                const control = { '/_emit': emit, '/_verify': verify, '/_fail': scriptedFailure }[path];
                return send(res, 200, await control(request));
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
        const templatesMatch = TEMPLATES_PATH.exec(path);
        if (!match && !templatesMatch) {
            throw new ApiError(400, 100, 'Invalid parameter', `Unknown path ${path}`, 'GraphMethodException');
        }
        if (req.method !== 'POST') {
            throw new ApiError(400, 100, 'Invalid parameter', `Unsupported ${req.method} request`, 'GraphMethodException');
        }
        const failure = match ? failures.shift() : undefined;
        if (failure && failure.delayMs > 0) {
            entry.delayedMs = failure.delayMs;
            await sleep(failure.delayMs);
        } else if (failure) {
            throw new ApiError(failure.status, failure.code, failure.title, 'scripted failure', 'OAuthException');
        }
        const result = match ? handleMessages(req, raw, match) : handleTemplates(req, raw, templatesMatch[1]);
        status = result.status;
        body = result.body;
        if (result.message) entry.message = result.message;
        if (result.template) entry.template = result.template;
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
