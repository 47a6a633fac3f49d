// Threat 12 (bad input), OWASP ASVS 5.1 / 13.1: property-based fuzzing throws 10 000 malformed REST bodies
// and 10 000 broken DDP frames at a running server. Every answer is a typed 4xx (REST) or a Meteor error
// (DDP): no 5xx, no crash, no unhandled rejection, and the heap does not grow with the noise.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** Heap in use after a full collection (the flag is switched on at run time for this measurement). */
function settledHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

let t: TestServer;
const unhandled: unknown[] = [];
const record = (reason: unknown) => unhandled.push(reason);
beforeAll(async () => {
  process.on('unhandledRejection', record);
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
  process.off('unhandledRejection', record);
});

const ROUTES = [
  'POST /v1/users',
  'POST /v1/sessions',
  'POST /v1/sessions/second-factor',
  'POST /v1/email-verification',
  'POST /v1/email-codes',
  'POST /v1/me/step-up',
  'POST /v1/me/totp/confirm',
  'GET /v1/me',
  'POST /api/users/register',
  'POST /api/users/login',
  'POST /api/services/TOTP/authWith2FA',
  'POST /api/services/TOTP/disable2FA',
];

const jsonish = fc.oneof(
  fc.json(),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constant('{"email": '),
  fc.constant('{"__proto__": {"admin": true}}'),
  fc.constant(`{"email": "${'a'.repeat(5000)}@x.test", "password": "${'\u0000'.repeat(50)}"}`),
  fc.record({ email: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), password: fc.oneof(fc.string(), fc.array(fc.string())) }).map((v) => JSON.stringify(v)),
  fc.record({ transactionId: fc.string(), code: fc.oneof(fc.string(), fc.double(), fc.object()) }).map((v) => JSON.stringify(v)),
);

const requests = fc.record({
  route: fc.constantFrom(...ROUTES),
  body: jsonish,
  contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', ''),
  token: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
});

async function send(request: { route: string; body: string; contentType: string; token: string | undefined }): Promise<number> {
  const [method, path] = request.route.split(' ') as [string, string];
  const headers: Record<string, string> = {};
  if (request.contentType) headers['content-type'] = request.contentType;
  if (request.token) headers.authorization = `Bearer ${request.token.replace(/[^\x21-\x7e]/g, 'x')}`;
  const res = await fetch(`${t.url}${path}`, { method, headers, ...(method === 'POST' ? { body: request.body } : {}) });
  await res.arrayBuffer();
  return res.status;
}

describe('10 000 malformed REST requests', () => {
  it('get typed 4xx answers and never a 5xx', async () => {
    const samples = fc.sample(requests, { numRuns: 10_000, seed: 42 });
    const statuses = new Map<number, number>();
    let heapAfterWarmUp = 0;
    for (let i = 0; i < samples.length; i += 20) {
      const batch = await Promise.all(samples.slice(i, i + 20).map(send));
      for (const status of batch) statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (i === 2000) heapAfterWarmUp = settledHeap();
    }
    const fiveHundreds = [...statuses].filter(([status]) => status >= 500);
    expect(fiveHundreds).toEqual([]);
    expect(unhandled).toEqual([]);
    expect((await t.request('GET', '/readyz')).status).toBe(200);
    // Flat: the last 8 000 requests leave (after a full GC) no more than a few MB behind.
    expect(settledHeap() - heapAfterWarmUp).toBeLessThan(20 * 1024 * 1024);
    // 10 000 requests: seconds on a quiet machine, more on a busy shared one.
  }, 120_000);
});

describe('10 000 broken DDP frames', () => {
  it('get Meteor errors, the connection and the server survive', { timeout: 120_000 }, async () => {
    const frames = fc.sample(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.constant('{"msg":"method"}'),
        fc.record({ msg: fc.constantFrom('method', 'sub', 'unsub', 'connect', 'ping', 'login', 'nonsense'), id: fc.oneof(fc.string(), fc.integer()), method: fc.oneof(fc.string(), fc.constantFrom('login', 'sendEmailCode', 'callWithTwoFactorRequired', '2fa:enable')), params: fc.oneof(fc.array(fc.anything()), fc.string(), fc.object()) }).map((v) => JSON.stringify(v)),
        fc.array(fc.anything()).map((params) => JSON.stringify({ msg: 'method', id: 'x', method: 'login', params })),
      ),
      { numRuns: 10_000, seed: 7 },
    );
    const socket = new WebSocket(t.wsUrl);
    const replies: Array<Record<string, unknown>> = [];
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    let answered = 0;
    socket.on('message', (data) => {
      const reply = JSON.parse(String(data)) as Record<string, unknown>;
      replies.push(reply);
      // A method answers twice (result, then updated); count each incoming message once.
      if (reply.msg !== 'updated') answered += 1;
    });
    let closed: number | null = null;
    socket.on('close', (code) => (closed = code));
    socket.send(JSON.stringify({ msg: 'connect', version: '1', support: ['1'] }));
    let sent = 0;
    for (const frame of frames) {
      if (frame.includes('"connect"')) continue;
      // The server closes a connection with more than 100 unanswered messages; pace the flood like a
      // live client (most frames get one answer; a few, like a client's pong, get none).
      for (let waited = 0; sent - answered > 40 && waited < 100; waited += 2) await new Promise((r) => setTimeout(r, 2));
      if (closed !== null) throw new Error(`the server closed the connection (${closed}) after ${sent} frames`);
      socket.send(frame);
      sent += 1;
    }
    socket.send(JSON.stringify({ msg: 'ping', id: 'still-there' }));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no pong after the flood')), 20_000);
      socket.on('message', (data) => {
        if (String(data).includes('still-there')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    socket.close();
    const internal = replies.filter((r) => (r.error as { error?: unknown } | undefined)?.error === 500);
    expect(internal).toEqual([]);
    expect(unhandled).toEqual([]);
  });
});
