// twofold/client, the typed SDK for the native API: its types are generated from the server's OpenAPI
// document (and this test fails when they drift), and it drives a whole second-factor journey.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, TwofoldClientError } from '../../src/client/index.ts';
import { errorCatalogue } from '../../src/core/errors.ts';
import { buildOpenApiDocument } from '../../scripts/openapi/document.ts';
import { generateClientTypes } from '../../scripts/openapi/generate.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';
import { authenticatorCode } from '../helpers/totp.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('generated types', () => {
  it('match the OpenAPI document the server serves (run `npm run openapi` after changing a route)', async () => {
    const document = await buildOpenApiDocument(await testDb());
    const committedDocument = JSON.parse(await readFile(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(document).toEqual(committedDocument);
    const committedTypes = await readFile(new URL('../../src/client/api-types.ts', import.meta.url), 'utf8');
    expect(generateClientTypes(document as never)).toBe(committedTypes);
  });

  it('declare the shapes routes share once, as components, with the error code from the catalogue', async () => {
    const document = JSON.parse(await readFile(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['ErrorCode', 'ErrorBody', 'User', 'Session']));
    expect(document.components.schemas.ErrorCode.enum).toEqual(Object.keys(errorCatalogue));
    expect(document.paths['/v1/me'].get.responses['401'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
    const types = generateClientTypes(document);
    for (const name of ['ErrorCode', 'ErrorBody', 'User', 'Session']) expect(types.match(new RegExp(`^export type ${name} =`, 'gm'))).toHaveLength(1);
    expect(types).toContain('"code": ErrorCode;');
    expect(types).toContain('"user": User;');
  });
});

describe('the client', () => {
  it('registers, enrols, signs in with the second factor and reads its account', async () => {
    const client = createClient({ baseUrl: t.url });
    const email = uniqueEmail('sdk');
    const registered = await client.register({ email, password: 'typed all the way', totp: true });
    t.clock.advance(30_000);
    const confirmed = await client.completeSecondFactor(registered.totp!.transactionId, authenticatorCode(registered.totp!.secret, t.clock));
    expect(confirmed.backupCodes).toHaveLength(12);
    await client.signOut();
    expect(client.token).toBeNull();

    const pending = await client.signIn(email, 'typed all the way');
    expect(pending).toMatchObject({ secondFactorRequired: true });
    t.clock.advance(30_000);
    await client.completeSecondFactor((pending as { transactionId: string }).transactionId, authenticatorCode(registered.totp!.secret, t.clock));
    expect((await client.me()).user.email).toBe(email);
    expect(await client.totp.status()).toEqual({ enabled: true, pending: false, backupCodesRemaining: 12 });
    expect((await client.sessions()).sessions.some((s) => s.current)).toBe(true);
    expect((await client.events(10)).events.map((e) => e.kind)).toContain('login_succeeded');
    t.clock.reset();
  });

  it('throws typed errors carrying the catalogue code', async () => {
    const client = createClient({ baseUrl: t.url });
    const error = await client.signIn(uniqueEmail('nobody'), 'wrong password').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwofoldClientError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_credentials' });
    const offline = await createClient({ baseUrl: 'http://127.0.0.1:1' }).me().catch((e: unknown) => e);
    expect(offline).toMatchObject({ code: 'network_error', status: 0 });
  });
});

describe('the client under the veto window (FACTOR_CHANGE_VETO_SECONDS)', () => {
  it('types the held change, the pending list and the veto; the locked sign-in throws account_locked_by_owner', async () => {
    const server = await startTestServer({ FACTOR_CHANGE_VETO_SECONDS: '3600' });
    try {
      const client = createClient({ baseUrl: server.url });
      const email = uniqueEmail('sdk-veto');
      const registered = await client.register({ email, password: 'typed all the way', totp: true });
      server.clock.advance(30_000);
      await client.completeSecondFactor(registered.totp!.transactionId, authenticatorCode(registered.totp!.secret, server.clock));
      const held = await client.totp.disable();
      expect(held).toEqual({ pendingUntil: expect.any(String) });
      const pending = (await client.me()).pendingFactorChanges ?? [];
      expect(pending.map((change) => [change.kind, change.factor, change.change, change.applyAt])).toEqual([['totp-disable', 'totp', 'disabled', held!.pendingUntil]]);

      const link = server.notices.last('factor-change-requested', email).vetoLink;
      await client.vetoFactorChange(decodeURIComponent(new URL(link).hash.slice('#veto='.length)));
      expect(client.token).toBeNull();
      expect(await client.vetoFactorChange(decodeURIComponent(new URL(link).hash.slice('#veto='.length))).catch((e: unknown) => e)).toMatchObject({ status: 400, code: 'veto_token_invalid' });
      expect(await client.signIn(email, 'typed all the way').catch((e: unknown) => e)).toMatchObject({ status: 403, code: 'account_locked_by_owner' });
    } finally {
      await server.close();
    }
  });
});
