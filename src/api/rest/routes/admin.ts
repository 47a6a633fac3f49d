import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { accountSummary, hasSecondFactor, type UserFactorStatus } from '../../../core/admin/directory.ts';
import { RESETTABLE_FACTORS, parseResetTarget } from '../../../core/admin/factor-reset.ts';
import type { AdminScope, AdminToken } from '../../../core/admin/tokens.ts';
import { WEBHOOK_KINDS, type WebhookEndpoint } from '../../../core/admin/webhooks.ts';
import type { Core } from '../../../core/index.ts';
import { errorResponseSchema } from '../errors.ts';
import { bearerToken, requestContext } from '../request-context.ts';
import { SecurityEventSchema, SessionSchema, sessionJson } from '../schemas.ts';

const DateTime = Type.String({ format: 'date-time' });
const OptionalDateTime = Type.Union([DateTime, Type.Null()]);

const AdminUserSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    username: Type.Union([Type.String(), Type.Null()]),
    emailVerified: Type.Boolean(),
    disabled: Type.Boolean(),
    createdAt: DateTime,
    roles: Type.Array(Type.String(), { description: 'Roles set by an operator (`PUT /v1/admin/users/{id}/roles`, `twofold user roles`); the enforcement policy names them.' }),
    hasSecondFactor: Type.Boolean(),
    lockedUntil: OptionalDateTime,
    liveSessions: Type.Integer(),
    factors: Type.Object({
      totp: Type.Union([Type.Object({ setAt: DateTime, lastUsedAt: OptionalDateTime }), Type.Null()]),
      email: Type.Union([Type.Object({ setAt: DateTime, lastUsedAt: OptionalDateTime }), Type.Null()]),
      passkeys: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), createdAt: DateTime, lastUsedAt: OptionalDateTime, synced: Type.Boolean() })),
      backupCodes: Type.Union([Type.Object({ remaining: Type.Integer(), setAt: DateTime, lastUsedAt: OptionalDateTime }), Type.Null()]),
      rememberedDevices: Type.Integer(),
    }),
  },
  { description: 'A user and the state of each factor: set or not, since when, last used. Never a secret, hash or code.' },
);

/** Query numbers arrive as text: 1 to 500. */
const boundedLimit = (raw: string | undefined, fallback: number) => Math.min(500, Math.max(1, Number(raw ?? fallback)));
const iso = (d: Date | null) => d?.toISOString() ?? null;

function adminUserJson(status: UserFactorStatus, roles: string[]) {
  const { user } = status;
  const used = (f: { setAt: Date; lastUsedAt: Date | null } | null) => (f ? { setAt: f.setAt.toISOString(), lastUsedAt: iso(f.lastUsedAt) } : null);
  return {
    ...accountSummary(user),
    roles,
    hasSecondFactor: hasSecondFactor(status),
    lockedUntil: iso(status.lockedUntil),
    liveSessions: status.liveSessions,
    factors: {
      totp: used(status.totp),
      email: used(status.email),
      passkeys: status.passkeys.map((k) => ({ id: k.id, name: k.name, createdAt: k.createdAt.toISOString(), lastUsedAt: iso(k.lastUsedAt), synced: k.synced })),
      backupCodes: status.backupCodes
        ? { remaining: status.backupCodes.remaining, setAt: status.backupCodes.setAt.toISOString(), lastUsedAt: iso(status.backupCodes.lastUsedAt) }
        : null,
      rememberedDevices: status.rememberedDevices,
    },
  };
}

const UserParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = { 401: errorResponseSchema, 403: errorResponseSchema };

/**
 * The operator's HTTP API (`/v1/admin/*`), authenticated by admin API tokens (`twofold admin token create`), each
 * call checked against the token's scopes and audited (`admin_api_call`, with the token and the target user).
 * Nothing here returns a secret: factor state is times, counts and names.
 */
export const adminRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const { admin } = core;
  const secured = { tags: ['admin'], security: [{ adminToken: [] }] };

  /** The token for this call (or a typed refusal), and the audit record of the call. */
  async function authorize(request: FastifyRequest, scope: AdminScope, operation: string, targetUserId: string | null = null): Promise<AdminToken> {
    const token = await admin.tokens.authorize(bearerToken(request), scope);
    await admin.auditCall(token, operation, targetUserId, requestContext(request, 'admin-api'));
    return token;
  }
  const withRoles = async (statuses: UserFactorStatus[]) => statuses.map((s) => adminUserJson(s, s.user.roles));

  app.get(
    '/admin/users',
    {
      schema: {
        ...secured,
        summary: 'List or search users with the state of their factors (scope users:read)',
        querystring: Type.Object({
          search: Type.Optional(Type.String({ maxLength: 254, description: 'Part of an email address or username.' })),
          hasSecondFactor: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
          limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: '1 to 500 (default 100).' })),
          offset: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$' })),
        }),
        response: { 200: Type.Object({ users: Type.Array(AdminUserSchema) }), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      await authorize(request, 'users:read', 'users.search');
      const found = await admin.directory.search({
        search: q.search?.trim() ?? '',
        limit: boundedLimit(q.limit, 100),
        offset: Number(q.offset ?? 0),
        ...(q.hasSecondFactor !== undefined ? { hasSecondFactor: q.hasSecondFactor === 'true' } : {}),
      });
      return { users: await withRoles(found) };
    },
  );

  app.get(
    '/admin/users/:id',
    {
      schema: {
        ...secured,
        summary: "One user, their factors and live sessions (with each session's amr) (scope users:read)",
        params: UserParams,
        response: { 200: Type.Object({ user: AdminUserSchema, sessions: Type.Array(SessionSchema) }), 404: errorResponseSchema, ...errors },
      },
    },
    async (request) => {
      await authorize(request, 'users:read', 'users.show', request.params.id);
      const [user] = await withRoles([await admin.directory.status(request.params.id)]);
      const sessions = await admin.directory.sessions(request.params.id);
      return { user: user!, sessions: sessions.map((s) => sessionJson(s)) };
    },
  );

  app.get(
    '/admin/users/:id/events',
    {
      schema: {
        ...secured,
        summary: "A user's security events, newest first (scope users:read)",
        params: UserParams,
        querystring: Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })), before: Type.Optional(DateTime) }),
        response: { 200: Type.Object({ events: Type.Array(SecurityEventSchema) }), 404: errorResponseSchema, ...errors },
      },
    },
    async (request) => {
      await authorize(request, 'users:read', 'users.events', request.params.id);
      await admin.directory.status(request.params.id);
      const { before } = request.query;
      const events = await core.users.events(request.params.id, { limit: boundedLimit(request.query.limit, 50), ...(before ? { before: new Date(before) } : {}) });
      return { events: events.map((e) => ({ kind: e.kind, at: e.createdAt.toISOString(), client: e.client, ip: e.ip, userAgent: e.userAgent, details: e.details })) };
    },
  );

  app.post(
    '/admin/users/:id/reset',
    {
      schema: {
        ...secured,
        summary: 'Remove one kind of factor (or all) from a user: ends their sessions and mails them (scope users:write)',
        params: UserParams,
        body: Type.Object({ factor: Type.Union([...RESETTABLE_FACTORS.map((f) => Type.Literal(f)), Type.Literal('all')]) }),
        response: { 200: Type.Object({ user: AdminUserSchema }), 404: errorResponseSchema, ...errors },
      },
    },
    async (request) => {
      const factors = parseResetTarget(request.body.factor);
      await authorize(request, 'users:write', 'users.reset', request.params.id);
      await admin.resetFactors(request.params.id, factors, requestContext(request, 'admin-api'));
      const [user] = await withRoles([await admin.directory.status(request.params.id)]);
      return { user: user! };
    },
  );

  app.put(
    '/admin/users/:id/roles',
    {
      schema: {
        ...secured,
        summary: "Replace a user's roles; the enforcement policy applies to them at once (scope roles:write)",
        params: UserParams,
        body: Type.Object({ roles: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 16 }) }),
        response: { 200: Type.Object({ user: AdminUserSchema }), 400: errorResponseSchema, 404: errorResponseSchema, ...errors },
      },
    },
    async (request) => {
      await authorize(request, 'roles:write', 'users.roles', request.params.id);
      await admin.setRoles(request.params.id, request.body.roles, requestContext(request, 'admin-api'));
      const [user] = await withRoles([await admin.directory.status(request.params.id)]);
      return { user: user! };
    },
  );

  app.post(
    '/admin/users/:id/unlock',
    {
      schema: {
        ...secured,
        summary: 'Lift a second-factor lockout (scope users:write)',
        params: UserParams,
        response: { 200: Type.Object({ user: AdminUserSchema }), 404: errorResponseSchema, ...errors },
      },
    },
    async (request) => {
      await authorize(request, 'users:write', 'users.unlock', request.params.id);
      await admin.unlock(request.params.id);
      const [user] = await withRoles([await admin.directory.status(request.params.id)]);
      return { user: user! };
    },
  );

  app.get(
    '/admin/audit/head',
    {
      schema: {
        ...secured,
        summary: "The audit log's signed head: publish it, and later prove nothing before it changed (scope audit:read)",
        response: {
          200: Type.Object({
            at: Type.String(),
            chains: Type.Integer(),
            events: Type.Integer(),
            digest: Type.String(),
            keyId: Type.String(),
            signature: Type.String(),
            publicKey: Type.String(),
            heads: Type.Array(Type.Object({}, { additionalProperties: true })),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      await authorize(request, 'audit:read', 'audit.head');
      return admin.audit.head();
    },
  );

  const EndpointSchema = Type.Object({
    id: Type.String({ format: 'uuid' }),
    url: Type.String(),
    kinds: Type.Array(Type.String()),
    createdAt: DateTime,
    lastAttemptAt: OptionalDateTime,
    lastStatus: Type.Union([Type.Integer(), Type.Null()], { description: "The receiver's HTTP status at the last attempt (null: no answer)." }),
    lastError: Type.Union([Type.String(), Type.Null()]),
    lastSuccessAt: OptionalDateTime,
  });
  const endpointJson = (e: WebhookEndpoint) => ({
    id: e.id,
    url: e.url,
    kinds: e.kinds,
    createdAt: e.createdAt.toISOString(),
    lastAttemptAt: iso(e.lastAttemptAt),
    lastStatus: e.lastStatus,
    lastError: e.lastError,
    lastSuccessAt: iso(e.lastSuccessAt),
  });
  const webhookSecured = { ...secured, tags: ['admin', 'webhooks'] };

  app.get(
    '/admin/webhooks',
    { schema: { ...webhookSecured, summary: 'Webhook endpoints and how their last delivery went (scope webhooks:manage)', response: { 200: Type.Object({ endpoints: Type.Array(EndpointSchema) }), ...errors } } },
    async (request) => {
      await authorize(request, 'webhooks:manage', 'webhooks.list');
      return { endpoints: (await admin.webhooks.list()).map(endpointJson) };
    },
  );

  app.post(
    '/admin/webhooks',
    {
      schema: {
        ...webhookSecured,
        summary: 'Register an endpoint for kinds of security events; its signing secret is in this answer only (scope webhooks:manage)',
        body: Type.Object({
          url: Type.String({ maxLength: 2048 }),
          kinds: Type.Array(Type.Union(WEBHOOK_KINDS.map((k) => Type.Literal(k))), { minItems: 1 }),
        }),
        response: { 201: Type.Object({ endpoint: EndpointSchema, secret: Type.String({ description: 'The HMAC-SHA-256 key (whsec_…): shown once.' }) }), 400: errorResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      await authorize(request, 'webhooks:manage', 'webhooks.create');
      const { endpoint, secret } = await admin.webhooks.create(request.body, { client: 'admin-api' });
      return reply.status(201).send({ endpoint: endpointJson(endpoint), secret });
    },
  );

  app.delete(
    '/admin/webhooks/:id',
    {
      schema: {
        ...webhookSecured,
        summary: 'Remove an endpoint: nothing more is sent to it (scope webhooks:manage)',
        params: UserParams,
        response: { 204: Type.Null(), 404: errorResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      await authorize(request, 'webhooks:manage', 'webhooks.remove');
      await admin.webhooks.remove(request.params.id, { client: 'admin-api' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/admin/webhooks/:id/deliveries',
    {
      schema: {
        ...webhookSecured,
        summary: "An endpoint's recent deliveries, newest first, with their status (scope webhooks:manage)",
        params: UserParams,
        response: {
          200: Type.Object({
            deliveries: Type.Array(
              Type.Object({
                id: Type.String({ description: 'The idempotency id (twofold-webhook-id), the same on every retry.' }),
                kind: Type.String(),
                createdAt: DateTime,
                attempts: Type.Integer(),
                nextAttemptAt: DateTime,
                deliveredAt: OptionalDateTime,
                givenUpAt: OptionalDateTime,
                lastStatus: Type.Union([Type.Integer(), Type.Null()]),
                lastError: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          404: errorResponseSchema,
          ...errors,
        },
      },
    },
    async (request) => {
      await authorize(request, 'webhooks:manage', 'webhooks.deliveries');
      const deliveries = await admin.webhooks.deliveries(request.params.id);
      return {
        deliveries: deliveries.map((d) => ({
          id: d.id,
          kind: d.kind,
          createdAt: d.createdAt.toISOString(),
          attempts: d.attempts,
          nextAttemptAt: d.nextAttemptAt.toISOString(),
          deliveredAt: iso(d.deliveredAt),
          givenUpAt: iso(d.givenUpAt),
          lastStatus: d.lastStatus,
          lastError: d.lastError,
        })),
      };
    },
  );

  app.post(
    '/sessions/introspect',
    {
      schema: {
        tags: ['admin'],
        security: [{ adminToken: [] }],
        summary: "What an app backend may know of a user's bearer token (RFC 7662 token introspection; scope sessions:introspect)",
        description:
          'Answers `{active: true, sub, amr, iat, exp, …}` for a live session and `{active: false}` for anything else ' +
          '(unknown, expired, idle, revoked, a disabled account), without saying which. Asking does not count as the user’s activity.',
        body: Type.Object({ token: Type.String({ maxLength: 4096 }) }),
        response: {
          200: Type.Object({
            active: Type.Boolean(),
            sub: Type.Optional(Type.String({ description: 'The user id.' })),
            sid: Type.Optional(Type.String({ description: 'The session id.' })),
            amr: Type.Optional(Type.Array(Type.String())),
            iat: Type.Optional(Type.Integer({ description: 'Seconds since the epoch: when the session began.' })),
            exp: Type.Optional(Type.Integer({ description: 'Seconds since the epoch: when it ends at the latest.' })),
            second_factor_at: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'Seconds since the epoch: its last second factor.' })),
            client_id: Type.Optional(Type.String({ description: 'The API the session was issued through (rest, backendless, ddp, rocketchat).' })),
            token_type: Type.Optional(Type.Literal('Bearer')),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const token = await admin.tokens.authorize(bearerToken(request), 'sessions:introspect');
      const found = await admin.introspect(request.body.token);
      await admin.auditCall(token, 'sessions.introspect', found?.user.id ?? null, requestContext(request, 'admin-api'), { active: found !== null });
      if (!found) return { active: false };
      const { session } = found;
      const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
      return {
        active: true,
        sub: session.userId,
        sid: session.id,
        amr: session.amr,
        iat: seconds(session.createdAt),
        exp: seconds(session.expiresAt),
        second_factor_at: session.secondFactorAt ? seconds(session.secondFactorAt) : null,
        client_id: session.client,
        token_type: 'Bearer' as const,
      };
    },
  );
};
