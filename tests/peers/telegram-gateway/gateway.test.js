'use strict';
// Self-test of the fake: run with `node --test` in this folder.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const http = require('node:http');
const path = require('node:path');

const TOKEN = 'AAEFAAAAtestTOKEN';
let peer;
let base;

before(async () => {
    await new Promise((resolve, reject) => {
        peer = spawn(process.execPath, [path.join(__dirname, 'gateway.js'), '--token', TOKEN,
            '--not-on-telegram', '+15550009999', '--balance', '1', '--price', '0.01']);
        let out = '';
        peer.stdout.on('data', d => {
            out += d;
            const m = /listening http=(\d+)/.exec(out);
            if (m) {
                base = `http://127.0.0.1:${m[1]}`;
                resolve();
            }
        });
        peer.on('exit', code => reject(new Error(`exited with ${code}: ${out}`)));
    });
});

after(() => peer.kill());

async function call(method, params, { token = TOKEN, form = false } = {}) {
    const headers = { authorization: `Bearer ${token}` };
    let body;
    if (form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(params).toString();
    } else {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(params);
    }
    const response = await fetch(`${base}/${method}`, { method: 'POST', headers, body });
    return { http: response.status, ...(await response.json()) };
}

test('refuses a wrong token and accepts access_token as a parameter', async () => {
    assert.deepEqual(await call('checkSendAbility', { phone_number: '+391234567890' }, { token: 'nope' }),
        { http: 200, ok: false, error: 'ACCESS_TOKEN_INVALID' });
    const response = await fetch(`${base}/checksendability?access_token=${TOKEN}&phone_number=%2B391234567890`);
    const answer = await response.json();
    assert.equal(answer.ok, true);
    assert.equal(answer.result.phone_number, '+391234567890');
});

test('sends the documented example and checks the code', async () => {
    const sent = await call('sendVerificationMessage', {
        phone_number: '+391234567890', code_length: 6, ttl: 60, payload: 'my_payload_here',
        callback_url: 'https://my.webhook.here/auth',
    });
    assert.equal(sent.ok, true);
    const r = sent.result;
    assert.equal(r.phone_number, '+391234567890');
    assert.equal(r.payload, 'my_payload_here');
    assert.equal(r.delivery_status.status, 'sent');
    assert.equal(typeof r.request_cost, 'number');
    assert.equal(typeof r.remaining_balance, 'number');
    const known = (await (await fetch(`${base}/_requests`)).json()).find(s => s.requestId === r.request_id);
    assert.match(known.code, /^\d{6}$/);

    const wrong = await call('checkVerificationStatus', { request_id: r.request_id, code: '0000000' });
    assert.equal(wrong.result.verification_status.status, 'code_invalid');
    const right = await call('checkVerificationStatus', { request_id: r.request_id, code: known.code }, { form: true });
    assert.equal(right.result.verification_status.status, 'code_valid');
    assert.equal(right.result.verification_status.code_entered, known.code);
    assert.equal((await call('revokeVerificationMessage', { request_id: r.request_id })).result, true);
});

test('validates code, ttl, code_length, payload, callback_url and phone_number', async () => {
    const cases = [
        [{ code: '123' }, 'CODE_INVALID'],
        [{ code: '123456789' }, 'CODE_INVALID'],
        [{ code: '12a4' }, 'CODE_INVALID'],
        [{ ttl: 29 }, 'TTL_INVALID'],
        [{ ttl: 3601 }, 'TTL_INVALID'],
        [{ code_length: 9 }, 'CODE_LENGTH_INVALID'],
        [{ payload: 'x'.repeat(129) }, 'PAYLOAD_INVALID'],
        [{ callback_url: 'http://example.com/report' }, 'CALLBACK_URL_INVALID'],
        [{ phone_number: 'not a number' }, 'PHONE_NUMBER_INVALID'],
        [{ phone_number: '+15550009999' }, 'PHONE_NUMBER_NOT_AVAILABLE'],
    ];
    for (const [change, error] of cases) {
        const answer = await call('sendVerificationMessage', { phone_number: '+391234567890', ...change });
        assert.deepEqual({ ok: answer.ok, error: answer.error }, { ok: false, error }, JSON.stringify(change));
    }
    for (const ok of [{ ttl: 30 }, { ttl: 3600 }, { code: '1234' }, { code: '12345678' }]) {
        assert.equal((await call('sendVerificationMessage', { phone_number: '+391234567890', ...ok })).ok, true, JSON.stringify(ok));
    }
});

test('a checkSendAbility request_id pays for one send only', async () => {
    const check = await call('checkSendAbility', { phone_number: '+447700900123' });
    assert.equal(check.ok, true);
    const balanceAfterCheck = check.result.remaining_balance;
    const send = await call('sendVerificationMessage', { phone_number: '+447700900123', request_id: check.result.request_id, code: '4321' });
    assert.equal(send.ok, true);
    assert.equal(send.result.request_id, check.result.request_id);
    assert.equal(send.result.remaining_balance, undefined);
    const again = await call('sendVerificationMessage', { phone_number: '+447700900123', request_id: check.result.request_id, code: '4321' });
    assert.equal(again.error, 'REQUEST_ID_ALREADY_USED');
    const fresh = await call('sendVerificationMessage', { phone_number: '+447700900123', code: '4321' });
    assert.ok(fresh.result.remaining_balance < balanceAfterCheck);
    assert.equal((await call('checkSendAbility', { phone_number: '+15550009999' })).error, 'PHONE_NUMBER_NOT_AVAILABLE');
});

test('posts a signed delivery report to callback_url', async () => {
    const received = [];
    const receiver = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', c => chunks.push(c));
        req.on('end', () => {
            received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
            res.writeHead(200);
            res.end();
        });
    });
    await new Promise(r => receiver.listen(0, '127.0.0.1', r));
    try {
        const callback = `http://127.0.0.1:${receiver.address().port}/telegram`;
        const sent = await call('sendVerificationMessage', { phone_number: '+391234567890', code: '2468', callback_url: callback });
        const emitted = await (await fetch(`${base}/_emit`, {
            method: 'POST', body: JSON.stringify({ requestId: sent.result.request_id, status: 'delivered' }),
        })).json();
        assert.equal(emitted.status, 200);
        const { headers, raw } = received[0];
        const key = crypto.createHash('sha256').update(TOKEN).digest();
        const expected = crypto.createHmac('sha256', key).update(`${headers['x-request-timestamp']}\n${raw}`).digest('hex');
        assert.equal(headers['x-request-signature'], expected);
        const report = JSON.parse(raw);
        assert.equal(report.request_id, sent.result.request_id);
        assert.equal(report.delivery_status.status, 'delivered');
    } finally {
        receiver.close();
    }
});

test('planned failures answer the named error the given number of times, then the method works again', async () => {
    const planned = await (await fetch(`${base}/_fail`, {
        method: 'POST', body: JSON.stringify({ method: 'sendVerificationMessage', error: 'FLOOD_WAIT_5', status: 429, times: 2 }),
    })).json();
    assert.deepEqual(planned, { method: 'sendverificationmessage', error: 'FLOOD_WAIT_5', status: 429, times: 2 });
    const params = { phone_number: '+391234567890', code: '1357' };
    assert.deepEqual(await call('sendVerificationMessage', params), { http: 429, ok: false, error: 'FLOOD_WAIT_5' });
    assert.equal((await call('checkSendAbility', { phone_number: '+391234567890' })).ok, true, 'other methods are not affected');
    assert.deepEqual(await call('sendVerificationMessage', params), { http: 429, ok: false, error: 'FLOOD_WAIT_5' });
    assert.equal((await call('sendVerificationMessage', params)).ok, true);
    const refused = await fetch(`${base}/_fail`, { method: 'POST', body: JSON.stringify({ method: 'nope' }) });
    assert.equal(refused.status, 400);
});
