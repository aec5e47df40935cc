'use strict';
// SMTP server for OpenTfa's SMTP channel tests (nodemailer's smtp-server, mailparser).
//
//   node smtp.js --cert cert.pem --key key.pem --user U --password P
//
// Listens on 127.0.0.1 on three ports the OS chooses, printed on the ready line:
//   listening plain=P1 starttls=P2 tls=P3 control=C
// plain:    no TLS; AUTH allowed in the clear.
// starttls: STARTTLS offered; AUTH only after it and required before MAIL FROM.
// tls:      TLS from the first byte; AUTH required.
// Recipients steer the answers at RCPT TO: a local part starting "reject" and a status code
// gets that code ("reject450-…" greylisting, "reject452-…" mailbox full, "reject550-…"
// unknown user); plain "reject5…" gets 550 and "reject4…" 451.
//
// Control API (HTTP on 127.0.0.1): GET /messages lists what was received (envelope,
// session and the message parsed by mailparser), POST /reset forgets it.

const fs = require('fs');
const http = require('http');
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

function parseArgs(argv) {
    const result = { cert: null, key: null, user: 'opentfa', password: 'secret' };
    for (let i = 0; i < argv.length; i += 2) {
        const name = argv[i];
        const value = argv[i + 1];
        switch (name) {
            case '--cert': result.cert = value; break;
            case '--key': result.key = value; break;
            case '--user': result.user = value; break;
            case '--password': result.password = value; break;
            default:
                process.stderr.write(`unknown argument ${name}\n`);
                process.exit(2);
        }
    }
    if (!result.cert || !result.key) {
        process.stderr.write('--cert and --key are required\n');
        process.exit(2);
    }
    return result;
}

const args = parseArgs(process.argv.slice(2));
const HOST = '127.0.0.1';
const key = fs.readFileSync(args.key);
const cert = fs.readFileSync(args.cert);
const RECIPIENT_REPLIES = {
    450: 'Greylisted, please try again later',
    451: 'Mailbox busy, try again later',
    452: 'Mailbox full',
    550: 'Mailbox unavailable',
};
let received = [];
let nextId = 1;

function common(mode) {
    return {
        logger: false,
        name: 'smtp.test.invalid',
        banner: `OpenTfa test SMTP (${mode})`,
        key,
        cert,
        authMethods: ['PLAIN', 'LOGIN'],
        size: 1024 * 1024,
        onAuth(auth, session, callback) {
            if (auth.username === args.user && auth.password === args.password) {
                return callback(null, { user: auth.username });
            }
            return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
        },
        onRcptTo(address, session, callback) {
            const local = address.address.split('@')[0].toLowerCase();
            const match = /^reject([45])(\d\d)?/.exec(local);
            if (match) {
                const code = Number(match[1] + (match[2] || (match[1] === '5' ? '50' : '51')));
                return callback(Object.assign(new Error(RECIPIENT_REPLIES[code] || 'Recipient refused'), { responseCode: code }));
            }
            return callback();
        },
        onData(stream, session, callback) {
            const chunks = [];
            stream.on('data', c => chunks.push(c));
            stream.on('end', async () => {
                const raw = Buffer.concat(chunks);
                const id = `Q${nextId++}`;
                try {
                    const mail = await simpleParser(raw);
                    received.push({
                        queueId: id,
                        mode,
                        envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
                        envelopeTo: session.envelope.rcptTo.map(r => r.address),
                        user: session.user || null,
                        secure: !!session.secure,
                        helo: session.hostNameAppearsAs || null,
                        messageId: mail.messageId || null,
                        subject: mail.subject || null,
                        from: mail.from ? mail.from.value.map(a => ({ name: a.name, address: a.address })) : [],
                        to: mail.to ? [].concat(mail.to).flatMap(t => t.value).map(a => ({ name: a.name, address: a.address })) : [],
                        date: mail.date ? mail.date.toISOString() : null,
                        text: mail.text || null,
                        html: typeof mail.html === 'string' ? mail.html : null,
                        contentType: mail.headers.get('content-type') ? mail.headers.get('content-type').value : null,
                        raw: raw.toString('utf8'),
                    });
                    callback(null, `Queued as ${id}`);
                } catch (e) {
                    callback(Object.assign(new Error(`Could not parse the message: ${e.message}`), { responseCode: 554 }));
                }
            });
        },
    };
}

const servers = {
    plain: new SMTPServer({ ...common('plain'), disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authOptional: true }),
    starttls: new SMTPServer({ ...common('starttls'), allowInsecureAuth: false, authOptional: false }),
    tls: new SMTPServer({ ...common('tls'), secure: true, authOptional: false }),
};

for (const server of Object.values(servers)) {
    server.on('error', e => process.stderr.write(`smtp error: ${e.message}\n`));
}

function listen(server) {
    return new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(0, HOST, () => resolve(server.server.address().port));
    });
}

const control = http.createServer((req, res) => {
    const reply = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/messages') return reply(200, received);
    if (req.method === 'POST' && req.url === '/reset') {
        received = [];
        return reply(200, {});
    }
    return reply(404, { error: 'not found' });
});

(async () => {
    const plain = await listen(servers.plain);
    const starttls = await listen(servers.starttls);
    const tls = await listen(servers.tls);
    await new Promise(resolve => control.listen(0, HOST, resolve));
    process.stdout.write(`listening plain=${plain} starttls=${starttls} tls=${tls} control=${control.address().port}\n`);
})().catch(e => {
    process.stderr.write(`could not start: ${e.message}\n`);
    process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => process.exit(0));
}
