// `/metrics`: Prometheus text that a Prometheus parser reads, whose counters move as users act, and that is
// guarded by METRICS_TOKEN when one is set.
import parsePrometheus from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrolledUser, startLogin, verify } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ METRICS_TOKEN: 'scrape-me' });
});
afterAll(() => t.close());

type Family = { name: string; type: string; metrics: Array<{ value?: string; labels?: Record<string, string>; buckets?: Record<string, string> }> };

async function scrape(): Promise<Map<string, Family>> {
  const res = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return new Map((parsePrometheus(await res.text()) as Family[]).map((f) => [f.name, f]));
}

function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? 0);
}

describe('/metrics', () => {
  it('needs the token when one is configured', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('parses, and its counters move with requests, sign-ins, challenges and mails', async () => {
    const before = await scrape();
    const { email, password, secret } = await enrolledUser(t, 'metrics');
    await verify(t, await startLogin(t, email, password), '000000');
    t.clock.advance(30_000);
    await verify(t, await startLogin(t, email, password), authenticatorCode(secret, t.clock));
    t.clock.reset();
    const after = await scrape();

    const grew = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
    expect(grew('twofold_http_requests_total', { route: '/v1/sessions', method: 'POST', status: '202' })).toBe(2);
    expect(grew('twofold_logins_total', { result: 'ok', second_factor: 'true' })).toBe(2);
    expect(grew('twofold_challenges_total', { method: 'totp', outcome: 'failed' })).toBe(1);
    expect(grew('twofold_challenges_total', { method: 'totp', outcome: 'passed' })).toBe(2);
    expect(grew('twofold_factor_changes_total', { change: 'enabled', factor: 'totp' })).toBe(1);
    expect(after.get('twofold_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(after.has('twofold_ddp_connections')).toBe(true);
    expect(grew('twofold_mails_total', { result: 'sent' })).toBeGreaterThanOrEqual(2);
    expect(after.has('twofold_process_resident_memory_bytes')).toBe(true);
  });

  it('labels routes by template, never by raw URL (paths may carry tokens)', async () => {
    await fetch(`${t.url}/api/users/isvalidusertoken/SECRET-LOOKING-TOKEN`);
    const text = await (await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } })).text();
    expect(text).not.toContain('SECRET-LOOKING-TOKEN');
    expect(text).toContain('route="/api/users/isvalidusertoken/:token"');
  });
});
