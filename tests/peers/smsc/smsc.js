'use strict';
// SMPP 3.4 SMSC simulator for OpenTfa's SMPP integration tests.
//
//   node smsc.js --port P --control-port C [--system-id X] [--password Y]
//
// Port 0 lets the OS choose; the chosen ports are printed on the ready line:
//   listening smpp=P control=C
// Everything binds to 127.0.0.1 only.

const http = require('http');
const smpp = require('smpp');

// ---------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
    const result = { port: 2775, controlPort: 0, systemId: null, password: null };
    for (let i = 0; i < argv.length; i++) {
        const name = argv[i];
        const value = argv[i + 1];
        switch (name) {
            case '--port': result.port = Number(value); i++; break;
            case '--control-port': result.controlPort = Number(value); i++; break;
            case '--system-id': result.systemId = value; i++; break;
            case '--password': result.password = value; i++; break;
            default:
                process.stderr.write(`unknown argument ${name}\n`);
                process.exit(2);
        }
    }
    if (!Number.isInteger(result.port) || !Number.isInteger(result.controlPort)) {
        process.stderr.write('--port and --control-port must be integers\n');
        process.exit(2);
    }
    return result;
}

const args = parseArgs(process.argv.slice(2));
const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------
// Raw short_message capture.
//
// node-smpp decodes short_message (and message_payload) into {udh, message} text
// according to data_coding before handlers see the PDU. The tests need the exact
// octets the ESME sent, so keep a copy of the raw buffers before that decoding.

const originalFilter = smpp.PDU.prototype._filter;
smpp.PDU.prototype._filter = function (func) {
    if (func === 'decode') {
        if (Buffer.isBuffer(this.short_message)) {
            this.raw_short_message = Buffer.from(this.short_message);
        }
        if (Buffer.isBuffer(this.message_payload)) {
            this.raw_message_payload = Buffer.from(this.message_payload);
        }
    }
    return originalFilter.call(this, func);
};

// ---------------------------------------------------------------------------
// GSM 03.38 default alphabet (unpacked, one septet per octet) with the extension
// table, written out here independently of node-smpp's tables.

const GSM_BASIC =
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = { 0x0a: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2f: '\\', 0x3c: '[', 0x3d: '~', 0x3e: ']', 0x40: '|', 0x65: '€' };
const GSM_ENCODE = new Map();
for (let i = 0; i < GSM_BASIC.length; i++) {
    if (i !== 0x1b) GSM_ENCODE.set(GSM_BASIC[i], [i]);
}
for (const [code, ch] of Object.entries(GSM_EXTENSION)) GSM_ENCODE.set(ch, [0x1b, Number(code)]);

function gsmDecode(bytes) {
    let out = '';
    for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i] & 0x7f;
        if (b === 0x1b && i + 1 < bytes.length) {
            const next = bytes[++i] & 0x7f;
            out += GSM_EXTENSION[next] !== undefined ? GSM_EXTENSION[next] : GSM_BASIC[next];
        } else {
            out += GSM_BASIC[b];
        }
    }
    return out;
}

function gsmEncode(text) {
    const out = [];
    for (const ch of text) {
        const code = GSM_ENCODE.get(ch);
        out.push(...(code || [0x3f]));
    }
    return Buffer.from(out);
}

function decodeText(dataCoding, bytes) {
    switch (dataCoding & 0x0f) {
        case 0x00: return gsmDecode(bytes);
        case 0x01: return bytes.toString('latin1');
        case 0x03: return bytes.toString('latin1');
        case 0x08: {
            const swapped = Buffer.from(bytes);
            swapped.swap16();
            return swapped.toString('utf16le');
        }
        default: return null;
    }
}

// Splits off a user data header when esm_class has UDHI (0x40) and decodes the
// concatenation element (IEI 0x00, 8-bit reference, or 0x08, 16-bit reference).
function splitUdh(esmClass, raw) {
    if (!(esmClass & 0x40) || raw.length === 0) return { udh: null, body: raw };
    const udhl = raw[0];
    const udh = raw.subarray(1, 1 + udhl);
    const body = raw.subarray(1 + udhl);
    const result = { udh: { hex: raw.subarray(0, 1 + udhl).toString('hex') }, body };
    for (let i = 0; i + 1 < udh.length;) {
        const iei = udh[i];
        const len = udh[i + 1];
        const data = udh.subarray(i + 2, i + 2 + len);
        if (iei === 0x00 && len === 3) {
            Object.assign(result.udh, { reference: data[0], total: data[1], seq: data[2] });
        } else if (iei === 0x08 && len === 4) {
            Object.assign(result.udh, { reference: data.readUInt16BE(0), total: data[2], seq: data[3] });
        }
        i += 2 + len;
    }
    return result;
}

// ---------------------------------------------------------------------------
// State

const state = {
    messages: [],
    binds: [],
    unbinds: [],
    delivered: [],
    nextMessageId: 0x10000000,
    mode: defaultMode()
};

function defaultMode() {
    // throttle / queueFull: answer the next N submit_sm with ESME_RTHROTTLED / ESME_RMSGQFUL.
    // submitStatus: answer every submit_sm with this status, after acceptBeforeStatus more were accepted.
    // respondDelayMs: hold each submit_sm_resp this long.
    return {
        throttle: 0, queueFull: 0, receiptDelayMs: 0, receiptBeforeResp: false, receiptStat: 'DELIVRD',
        submitStatus: 0, acceptBeforeStatus: 0, respondDelayMs: 0, silent: false
    };
}

const sessions = new Set();
let nextSessionId = 1;

function smppDate(date) {
    const pad = (n) => String(n).padStart(2, '0');
    return pad(date.getUTCFullYear() % 100) + pad(date.getUTCMonth() + 1) + pad(date.getUTCDate()) +
        pad(date.getUTCHours()) + pad(date.getUTCMinutes());
}

const MESSAGE_STATES = { ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8 };

// Finds the session that should carry a receipt: the submitting session when it can
// receive, otherwise another receive-capable session of the same system_id.
function receiptSession(submitting) {
    if (submitting.bound && submitting.bindKind !== 'transmitter' && !submitting.closed) return submitting;
    for (const s of sessions) {
        if (s.bound && !s.closed && s.bindKind !== 'transmitter' && s.systemId === submitting.systemId) return s;
    }
    return null;
}

// Receipts are sent as plain ASCII text, as SMSCs do.
function asciiOnly(text) {
    return text.replace(/[^\x20-\x7e]/g, '?');
}

function sendReceipt(session, record, text, callback) {
    const target = receiptSession(session);
    if (!target) {
        callback && callback();
        return;
    }
    const now = new Date();
    const stat = state.mode.receiptStat;
    const receiptText = `id:${record.message_id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} ` +
        `submit date:${smppDate(now)} done date:${smppDate(now)} stat:${stat} err:000 text:${asciiOnly(text || '').slice(0, 20)}`;
    target.smpp.deliver_sm({
        source_addr_ton: record.dest_addr_ton,
        source_addr_npi: record.dest_addr_npi,
        source_addr: record.destination_addr,
        dest_addr_ton: record.source_addr_ton,
        dest_addr_npi: record.source_addr_npi,
        destination_addr: record.source_addr,
        esm_class: 0x04,
        data_coding: 0x00,
        short_message: Buffer.from(receiptText, 'latin1'),
        receipted_message_id: record.message_id,
        message_state: MESSAGE_STATES[stat] || 7
    }, (resp) => {
        state.delivered.push({ kind: 'receipt', message_id: record.message_id, command_status: resp.command_status });
        callback && callback();
    });
}

// ---------------------------------------------------------------------------
// SMPP server

const server = smpp.createServer((session) => {
    const entry = { smpp: session, bound: false, bindKind: null, systemId: null, closed: false, id: String(nextSessionId++) };
    sessions.add(entry);

    session.on('error', (err) => {
        process.stderr.write(`session error: ${err.message}\n`);
    });
    session.on('close', () => {
        entry.closed = true;
        sessions.delete(entry);
    });

    function onBind(kind) {
        return (pdu) => {
            let status = 0;
            if (entry.bound) {
                status = smpp.ESME_RALYBND;
            } else if (args.systemId !== null && pdu.system_id !== args.systemId) {
                status = smpp.ESME_RINVSYSID;
            } else if (args.password !== null && pdu.password !== args.password) {
                status = smpp.ESME_RINVPASWD;
            }
            state.binds.push({
                command: pdu.command, system_id: pdu.system_id, system_type: pdu.system_type,
                interface_version: pdu.interface_version, command_status: status, session: entry.id
            });
            if (status !== 0) {
                session.send(pdu.response({ command_status: status }));
                return;
            }
            entry.bound = true;
            entry.bindKind = kind;
            entry.systemId = pdu.system_id;
            session.send(pdu.response({ system_id: 'OpenTfaSMSC' }));
        };
    }

    session.on('bind_transceiver', onBind('transceiver'));
    session.on('bind_transmitter', onBind('transmitter'));
    session.on('bind_receiver', onBind('receiver'));

    session.on('enquire_link', (pdu) => {
        if (state.mode.silent) return;
        session.send(pdu.response());
    });

    session.on('unbind', (pdu) => {
        state.unbinds.push({ system_id: entry.systemId, session: entry.id });
        entry.bound = false;
        session.send(pdu.response(), () => session.close());
    });

    session.on('submit_sm', (pdu) => {
        if (state.mode.silent) return;
        if (!entry.bound || entry.bindKind === 'receiver') {
            session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
            return;
        }
        if (state.mode.throttle > 0) {
            state.mode.throttle--;
            session.send(pdu.response({ command_status: smpp.ESME_RTHROTTLED }));
            return;
        }
        if (state.mode.queueFull > 0) {
            state.mode.queueFull--;
            session.send(pdu.response({ command_status: smpp.ESME_RMSGQFUL }));
            return;
        }
        if (state.mode.submitStatus) {
            if (state.mode.acceptBeforeStatus > 0) {
                state.mode.acceptBeforeStatus--;
            } else {
                session.send(pdu.response({ command_status: state.mode.submitStatus }));
                return;
            }
        }
        const raw = pdu.raw_short_message || Buffer.alloc(0);
        const payload = pdu.raw_message_payload || null;
        const split = splitUdh(pdu.esm_class, raw.length > 0 ? raw : (payload || raw));
        const messageId = (state.nextMessageId++).toString(16).toUpperCase();
        const record = {
            message_id: messageId,
            system_id: entry.systemId,
            session: entry.id,
            service_type: pdu.service_type,
            source_addr: pdu.source_addr,
            source_addr_ton: pdu.source_addr_ton,
            source_addr_npi: pdu.source_addr_npi,
            destination_addr: pdu.destination_addr,
            dest_addr_ton: pdu.dest_addr_ton,
            dest_addr_npi: pdu.dest_addr_npi,
            esm_class: pdu.esm_class,
            registered_delivery: pdu.registered_delivery,
            data_coding: pdu.data_coding,
            short_message: raw.toString('hex'),
            message_payload: payload ? payload.toString('hex') : null,
            udh: split.udh,
            text: decodeText(pdu.data_coding, split.body)
        };
        state.messages.push(record);

        const wantsReceipt = (pdu.registered_delivery & 0x03) === 0x01 ||
            ((pdu.registered_delivery & 0x03) === 0x02 && state.mode.receiptStat !== 'DELIVRD');
        const delay = state.mode.respondDelayMs;
        const respond = () => {
            const send = () => session.send(pdu.response({ message_id: messageId }));
            if (delay > 0) setTimeout(send, delay); else send();
        };
        if (wantsReceipt && state.mode.receiptBeforeResp) {
            // The receipt goes out, and is acknowledged, before the submit_sm_resp.
            sendReceipt(entry, record, record.text, respond);
            return;
        }
        respond();
        if (wantsReceipt) {
            setTimeout(() => sendReceipt(entry, record, record.text), state.mode.receiptDelayMs);
        }
    });

    session.on('deliver_sm_resp', () => { });
    session.on('generic_nack', (pdu) => {
        state.delivered.push({ kind: 'generic_nack', sequence_number: pdu.sequence_number, command_status: pdu.command_status });
    });

    session.on('unknown', (pdu) => {
        session.send(pdu.response());
    });
});

// ---------------------------------------------------------------------------
// Probes: make the SMSC send something to the bound ESMEs and report the answers.

function boundSessions() {
    return [...sessions].filter((s) => s.bound && !s.closed);
}

function withTimeout(promise, ms) {
    return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve({ timeout: true }), ms))]);
}

async function probeEnquireLink() {
    const results = await Promise.all(boundSessions().map((s) => withTimeout(new Promise((resolve) => {
        s.smpp.enquire_link({}, (resp) => resolve({ command: resp.command, command_status: resp.command_status }));
    }), 3000)));
    return results;
}

let nextProbeSequence = 0x7ff00000;

// Sends a request with a command_id that SMPP 3.4 does not define; node-smpp cannot
// build one, so the 16-octet header is written to the socket directly.
async function probeUnknownCommand() {
    const results = await Promise.all(boundSessions().map((s) => withTimeout(new Promise((resolve) => {
        const sequence = nextProbeSequence++;
        const header = Buffer.alloc(16);
        header.writeUInt32BE(16, 0);
        header.writeUInt32BE(0x000000ff, 4);
        header.writeUInt32BE(0, 8);
        header.writeUInt32BE(sequence, 12);
        const onPdu = (pdu) => {
            if (pdu.sequence_number === sequence) {
                s.smpp.removeListener('pdu', onPdu);
                resolve({ command: pdu.command, command_status: pdu.command_status });
            }
        };
        s.smpp.on('pdu', onPdu);
        s.smpp.socket.write(header);
    }), 3000)));
    return results;
}

async function sendMobileOriginated(body) {
    const target = boundSessions().find((s) => s.bindKind !== 'transmitter');
    if (!target) return { sent: false };
    const ucs2 = body.ucs2 === true;
    let shortMessage;
    if (ucs2) {
        shortMessage = Buffer.from(body.text || '', 'utf16le');
        shortMessage.swap16();
    } else {
        shortMessage = gsmEncode(body.text || '');
    }
    return withTimeout(new Promise((resolve) => {
        target.smpp.deliver_sm({
            source_addr_ton: 1,
            source_addr_npi: 1,
            source_addr: body.source || '',
            dest_addr_ton: 0,
            dest_addr_npi: 1,
            destination_addr: body.destination || '',
            esm_class: 0x00,
            data_coding: ucs2 ? 0x08 : 0x00,
            short_message: shortMessage
        }, (resp) => resolve({ sent: true, command_status: resp.command_status }));
    }), 3000);
}

// ---------------------------------------------------------------------------
// HTTP control API

function readJson(req) {
    return new Promise((resolve, reject) => {
        let data = '';
        req.setEncoding('utf8');
        req.on('data', (chunk) => { data += chunk; });
        req.on('end', () => {
            if (!data) return resolve({});
            try { resolve(JSON.parse(data)); } catch (e) { reject(e); }
        });
        req.on('error', reject);
    });
}

function reply(res, status, body) {
    const json = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
}

const control = http.createServer(async (req, res) => {
    try {
        const route = `${req.method} ${req.url.split('?')[0]}`;
        switch (route) {
            case 'GET /health':
                return reply(res, 200, { status: 'ok', sessions: sessions.size, bound: boundSessions().length });
            case 'GET /messages':
                return reply(res, 200, state.messages);
            case 'GET /binds':
                return reply(res, 200, state.binds);
            case 'GET /unbinds':
                return reply(res, 200, state.unbinds);
            case 'GET /delivered':
                return reply(res, 200, state.delivered);
            case 'POST /reset':
                state.messages = [];
                state.binds = [];
                state.unbinds = [];
                state.delivered = [];
                state.mode = defaultMode();
                return reply(res, 200, { reset: true });
            case 'POST /mode': {
                const body = await readJson(req);
                for (const key of Object.keys(defaultMode())) {
                    if (key in body) state.mode[key] = body[key];
                }
                return reply(res, 200, state.mode);
            }
            case 'POST /probe/enquire-link':
                return reply(res, 200, await probeEnquireLink());
            case 'POST /probe/unknown-command':
                return reply(res, 200, await probeUnknownCommand());
            case 'POST /mo':
                return reply(res, 200, await sendMobileOriginated(await readJson(req)));
            default:
                return reply(res, 404, { error: `no route ${route}` });
        }
    } catch (e) {
        return reply(res, 500, { error: e.message });
    }
});

// ---------------------------------------------------------------------------
// Start

server.on('error', (e) => {
    process.stderr.write(`smpp listen error: ${e.message}\n`);
    process.exit(1);
});
control.on('error', (e) => {
    process.stderr.write(`control listen error: ${e.message}\n`);
    process.exit(1);
});

server.listen(args.port, HOST, () => {
    control.listen(args.controlPort, HOST, () => {
        process.stdout.write(`listening smpp=${server.address().port} control=${control.address().port}\n`);
    });
});

for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => process.exit(0));
}
