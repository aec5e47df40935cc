// The seed flow through a client generated from OpenTfa's OpenAPI document: openapi-typescript
// turns /openapi/v1.json into ./generated/opentfa.d.ts, openapi-fetch calls the server with it,
// and tsc checks this file against those types before it runs.
//
// node build/seed-flow.js <baseUrl> <apiKey> <deliveries log>
// The log channel writes each SMS it "sends" to the deliveries log; the PIN is read from there.
import { readFileSync, existsSync } from "node:fs";
import createClient from "openapi-fetch";
import type { paths } from "./generated/opentfa.js";

const [baseUrl, key, log] = process.argv.slice(2);
if (!baseUrl || !key || !log) {
  throw new Error("usage: seed-flow <baseUrl> <apiKey> <deliveries log>");
}
const deliveries: string = log;

const otp = createClient<paths>({ baseUrl, headers: { Authorization: `App ${key}` } });
const to = "41793026727";

function need<T>(step: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`${step}: ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

async function pinFromLog(): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const lines = existsSync(deliveries) ? readFileSync(deliveries, "utf8").split("\n") : [];
    const line = lines.find((l) => l.includes(`sms to=${to} `));
    const pin = line?.match(/Your pin is (\d+)/)?.[1];
    if (pin) {
      return pin;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no SMS to ${to} in ${deliveries} within 10 s`);
}

const application = need("create application", await otp.POST("/2fa/2/applications", {
  body: {
    name: "generated client",
    enabled: true,
    configuration: { pinAttempts: 5, pinTimeToLive: "10m", sendPinPerPhoneNumberLimit: "5/1d", verifyPinLimit: "50/1h" },
  },
}));

const template = need("create template", await otp.POST("/2fa/2/applications/{appId}/messages", {
  params: { path: { appId: application.applicationId } },
  body: { messageText: "Your pin is {{pin}}", pinLength: 4, pinType: "NUMERIC", language: "en" },
}));

const sent = need("send PIN", await otp.POST("/2fa/2/pin", {
  params: { query: { ncNeeded: false } },
  body: { applicationId: application.applicationId, messageId: template.messageId, to, from: "InfoSMS" },
}));

const pin = await pinFromLog();
const wrong = need("verify a wrong PIN", await otp.POST("/2fa/2/pin/{pinId}/verify", {
  params: { path: { pinId: sent.pinId } },
  body: { pin: pin === "0000" ? "1111" : "0000" },
}));
const verified = need("verify", await otp.POST("/2fa/2/pin/{pinId}/verify", {
  params: { path: { pinId: sent.pinId } },
  body: { pin },
}));

const status = need("verification status", await otp.GET("/2fa/2/applications/{appId}/verifications", {
  params: { path: { appId: application.applicationId }, query: { msisdn: to } },
}));

const unknown = await otp.GET("/2fa/2/applications/{appId}", { params: { path: { appId: "0000000000000000000000000000DEAD" } } });

console.log(JSON.stringify({
  smsStatus: sent.smsStatus,
  wrong: { verified: wrong.verified, pinError: wrong.pinError, attemptsRemaining: wrong.attemptsRemaining },
  verified: verified.verified,
  verifications: status.verifications.map((v) => ({ msisdn: v.msisdn, verified: v.verified })),
  unknownApplication: { status: unknown.response.status, messageId: unknown.error?.requestError.serviceException.messageId },
}));
