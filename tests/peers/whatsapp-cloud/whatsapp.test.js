'use strict';
// Self-test of the fake: run with `node --test` in this folder.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const http = require('node:http');
const path = require('node:path');

const TOKEN = 'test-access-token';
const SECRET = 'test-app-secret';
let peer;
let base;

function start(extra = []) {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(__dirname, 'whatsapp.js'), '--token', TOKEN, '--app-secret', SECRET,
            '--not-on-whatsapp', '15550009999', ...extra]);
        let out = '';
        child.stdout.on('data', d => {
            out += d;
            const m = /listening http=(\d+)/.exec(out);
            if (m) resolve({ child, base: `http://127.0.0.1:${m[1]}` });
        });
        child.on('exit', code => reject(new Error(`exited with ${code}: ${out}`)));
    });
}

// The example request of the provider's "Sending authentication templates" page, with values filled in.
function documentedExample(code = 'J$FpnYnP', to = '12015553931') {
    return {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to,
        type: 'template',
        template: {
            name: 'verification_code',
            language: { code: 'en_US' },
            components: [
                { type: 'body', parameters: [{ type: 'text', text: code }] },
                { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: code }] },
            ],
        },
    };
}

async function post(body, { token = TOKEN, url = '/v21.0/105954558954427/messages' } = {}) {
    const response = await fetch(base + url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
}

before(async () => {
    ({ child: peer, base } = await start());
});

after(() => peer.kill());

test('accepts the documented authentication-template request', async () => {
    const { status, body } = await post(documentedExample());
    assert.equal(status, 200);
    assert.equal(body.messaging_product, 'whatsapp');
    assert.deepEqual(body.contacts, [{ input: '12015553931', wa_id: '12015553931' }]);
    assert.match(body.messages[0].id, /^wamid\./);
    const recorded = await (await fetch(`${base}/_recorded`)).json();
    const last = recorded.at(-1);
    assert.equal(last.message.code, 'J$FpnYnP');
    assert.equal(last.response.status, 200);
});

test('refuses a wrong token with code 190', async () => {
    const { status, body } = await post(documentedExample(), { token: 'wrong' });
    assert.equal(status, 401);
    assert.equal(body.error.code, 190);
    assert.equal(body.error.type, 'OAuthException');
    assert.ok(body.error.fbtrace_id);
});

test('refuses malformed messages with the documented error object', async () => {
    const cases = [
        [b => { delete b.messaging_product; }, 131008],
        [b => { b.messaging_product = 'sms'; }, 131009],
        [b => { b.template.components[1].index = 0; }, 131009],
        [b => { b.template.components[1].sub_type = 'quick_reply'; }, 131009],
        [b => { b.template.components[1].parameters[0].text = '999999'; }, 131009],
        [b => { b.template.components.pop(); }, 131008],
        [b => { b.template.language = 'en_US'; }, 131009],
        [b => { b.template.otp_type = 'copy_code'; }, 100],
        [b => { b.template.components[0].parameters[0].text = '1234567890123456'; b.template.components[1].parameters[0].text = '1234567890123456'; }, 131009],
    ];
    for (const [change, code] of cases) {
        const body = documentedExample('123456');
        change(body);
        const answer = await post(body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(answer.body.error.code, code, JSON.stringify(answer.body));
        assert.equal(answer.body.error.error_data.messaging_product, 'whatsapp');
        assert.match(answer.body.error.message, new RegExp(`^\\(#${code}\\) `));
    }
    assert.equal((await post('{not json')).body.error.code, 100);
});

test('answers 131026 for a number listed as not on WhatsApp', async () => {
    const { status, body } = await post(documentedExample('123456', '+15550009999'));
    assert.equal(status, 400);
    assert.equal(body.error.code, 131026);
});

test('emits signed status webhooks and drives the verification GET', async () => {
    const received = [];
    const receiver = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', c => chunks.push(c));
        req.on('end', () => {
            const url = new URL(req.url, 'http://x');
            if (req.method === 'GET') {
                const ok = url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === 'vt';
                res.writeHead(ok ? 200 : 403);
                return res.end(ok ? url.searchParams.get('hub.challenge') : '');
            }
            received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
            res.writeHead(200);
            res.end();
        });
    });
    await new Promise(r => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${receiver.address().port}/webhook`;
    try {
        const sent = await post(documentedExample('4321', '15551234567'));
        const messageId = sent.body.messages[0].id;
        for (const status of ['sent', 'delivered', 'read', 'failed']) {
            const r = await (await fetch(`${base}/_emit`, { method: 'POST', body: JSON.stringify({ url, messageId, status }) })).json();
            assert.equal(r.status, 200);
        }
        assert.equal(received.length, 4);
        for (const { headers, raw } of received) {
            const expected = 'sha256=' + crypto.createHmac('sha256', SECRET).update(raw).digest('hex');
            assert.equal(headers['x-hub-signature-256'], expected);
        }
        const failed = JSON.parse(received[3].raw).entry[0].changes[0].value.statuses[0];
        assert.equal(failed.id, messageId);
        assert.equal(failed.status, 'failed');
        assert.equal(failed.recipient_id, '15551234567');
        assert.equal(failed.errors[0].code, 131026);

        const good = await (await fetch(`${base}/_verify`, { method: 'POST', body: JSON.stringify({ url, verifyToken: 'vt' }) })).json();
        assert.equal(good.echoed, true);
        const bad = await (await fetch(`${base}/_verify`, { method: 'POST', body: JSON.stringify({ url, verifyToken: 'no' }) })).json();
        assert.equal(bad.echoed, false);
        assert.equal(bad.status, 403);
    } finally {
        receiver.close();
    }
});

test('in webhook mode an unknown number is accepted and fails later', async () => {
    const other = await start(['--undeliverable', 'webhook']);
    try {
        const response = await fetch(`${other.base}/v21.0/1/messages`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify(documentedExample('123456', '15550009999')),
        });
        assert.equal(response.status, 200);
        const recorded = await (await fetch(`${other.base}/_recorded`)).json();
        assert.equal(recorded[0].message.undeliverable, true);
    } finally {
        other.child.kill();
    }
});

async function createTemplate(body, { token = TOKEN, waba = '100000000000001' } = {}) {
    const response = await fetch(`${base}/v21.0/${waba}/message_templates`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
}

// The shape of the provider's "Authentication templates" creation examples, with values filled in.
function templateRequest(name, button, extra = []) {
    return {
        name,
        language: 'en_US',
        category: 'AUTHENTICATION',
        components: [
            { type: 'BODY', add_security_recommendation: true },
            ...extra,
            { type: 'BUTTONS', buttons: [button] },
        ],
    };
}

test('creates copy-code and one-tap authentication templates and records them', async () => {
    const copy = await createTemplate(templateRequest('copy_code_test', { type: 'OTP', otp_type: 'COPY_CODE' },
        [{ type: 'FOOTER', code_expiration_minutes: 10 }]));
    assert.equal(copy.status, 200);
    assert.match(copy.body.id, /^[0-9]+$/);
    assert.deepEqual({ status: copy.body.status, category: copy.body.category }, { status: 'PENDING', category: 'AUTHENTICATION' });

    const oneTap = await createTemplate(templateRequest('one_tap_test', {
        type: 'otp', otp_type: 'one_tap', supported_apps: [{ package_name: 'com.example.app', signature_hash: 'K8a/AINcGX7' }],
    }));
    assert.equal(oneTap.status, 200);

    const recorded = await (await fetch(`${base}/_recorded`)).json();
    const [first, second] = recorded.filter(r => r.template).slice(-2);
    assert.equal(first.template.otpType, 'COPY_CODE');
    assert.equal(first.template.codeExpirationMinutes, 10);
    assert.equal(first.template.addSecurityRecommendation, true);
    assert.equal(second.template.otpType, 'ONE_TAP');
    assert.deepEqual(second.template.supportedApps, [{ packageName: 'com.example.app', signatureHash: 'K8a/AINcGX7' }]);

    const again = await createTemplate(templateRequest('copy_code_test', { type: 'OTP', otp_type: 'COPY_CODE' }));
    assert.equal(again.status, 400);
    assert.equal(again.body.error.code, 100);
});

test('refuses template requests that are not authentication templates as documented', async () => {
    const copy = { type: 'OTP', otp_type: 'COPY_CODE' };
    const cases = [
        templateRequest('Bad-Name', copy),
        { ...templateRequest('t_category', copy), category: 'MARKETING' },
        templateRequest('t_footer', copy, [{ type: 'FOOTER', code_expiration_minutes: 91 }]),
        templateRequest('t_quick_reply', { type: 'QUICK_REPLY', text: 'Yes' }),
        templateRequest('t_copy_apps', { ...copy, supported_apps: [{ package_name: 'com.example.app', signature_hash: 'K8a/AINcGX7' }] }),
        templateRequest('t_one_tap_no_app', { type: 'OTP', otp_type: 'ONE_TAP' }),
        templateRequest('t_bad_hash', { type: 'OTP', otp_type: 'ONE_TAP', supported_apps: [{ package_name: 'com.example.app', signature_hash: 'short' }] }),
        { ...templateRequest('t_body_text', copy), components: [{ type: 'BODY', text: 'Your code is {{1}}' }, { type: 'BUTTONS', buttons: [copy] }] },
        { ...templateRequest('t_header', copy), components: [{ type: 'HEADER', format: 'TEXT', text: 'Hi' }, { type: 'BODY' }, { type: 'BUTTONS', buttons: [copy] }] },
    ];
    for (const body of cases) {
        const answer = await createTemplate(body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(answer.body.error.code, 100, JSON.stringify(answer.body));
    }
    assert.equal((await createTemplate(templateRequest('t_token', copy), { token: 'wrong' })).body.error.code, 190);
    assert.equal((await createTemplate(templateRequest('t_waba', copy), { waba: '999' })).body.error.code, 100);
});

test('answers scripted failures and delays for the next sends only', async () => {
    await fetch(`${base}/_fail`, { method: 'POST', body: JSON.stringify({ times: 1, status: 503, code: 131016, title: 'Service unavailable' }) });
    await fetch(`${base}/_fail`, { method: 'POST', body: JSON.stringify({ times: 1, delayMs: 300 }) });
    const failed = await post(documentedExample('1111', '15551230001'));
    assert.equal(failed.status, 503);
    assert.equal(failed.body.error.code, 131016);
    const started = Date.now();
    const delayed = await post(documentedExample('1111', '15551230001'));
    assert.equal(delayed.status, 200);
    assert.ok(Date.now() - started >= 250);
    assert.equal((await post(documentedExample('1111', '15551230001'))).status, 200);
});
