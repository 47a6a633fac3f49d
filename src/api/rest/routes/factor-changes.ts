import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import type { Core } from '../../../core/index.ts';
import type { FactorChangeRecord } from '../../../core/factor-changes/store.ts';
import { describeKind } from '../../../core/factor-changes/store.ts';
import { errorResponseSchema } from '../errors.ts';
import { requestContext } from '../request-context.ts';
import { OpaqueToken, PendingFactorChangeSchema } from '../schemas.ts';

/**
 * The link a factor-change mail carries: the account page with the token in the URL fragment, which never reaches
 * a server or proxy log (as a password reset link). The page asks the owner to confirm, then posts the token to
 * `POST /v1/factor-changes/veto`.
 */
export function factorChangeVetoLink(publicUrl: string, token: string): string {
  return `${publicUrl}/#veto=${encodeURIComponent(token)}`;
}

export function pendingFactorChangeJson(change: FactorChangeRecord): Static<typeof PendingFactorChangeSchema> {
  return { id: change.id, kind: change.kind, ...describeKind(change.kind), requestedAt: change.requestedAt.toISOString(), applyAt: change.applyAt.toISOString() };
}

/** `pendingUntil` in a factor change's answer: present only when the veto window holds the change. */
export const PendingUntil = Type.Optional(
  Type.String({ format: 'date-time', description: 'Under the veto window (FACTOR_CHANGE_VETO_SECONDS): when the change takes effect. Absent: it took effect now.' }),
);

export const pendingUntilJson = (outcome: { pendingUntil?: Date | null }) => (outcome.pendingUntil ? { pendingUntil: outcome.pendingUntil.toISOString() } : {});

export const factorChangeRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  app.post(
    '/factor-changes/veto',
    {
      config: { rateLimit: 'emailVerification' },
      schema: {
        summary: "\"This wasn't me\": cancel a user's pending factor changes and lock the account",
        description:
          'The token of the link mailed when a factor change was asked for (`<PUBLIC_URL>/#veto=<token>`). No session is ' +
          'needed. Every change of that user still waiting is cancelled, every session, remembered device and pending ' +
          'sign-in ends, and sign-in is refused with 403 `account_locked_by_owner` until an operator unlocks the account ' +
          '(`POST /v1/admin/users/{id}/unlock`, `twofold user unlock`). A change already made (a first factor) stays: the ' +
          'operator resets it. The token works once, until one window after its change took effect; else 400 `veto_token_invalid`.',
        tags: ['users'],
        body: Type.Object({ token: OpaqueToken }, { additionalProperties: false }),
        response: { 204: Type.Null(), 400: errorResponseSchema, 429: errorResponseSchema },
      },
    },
    async (request, reply) => {
      await core.factorChanges.veto(request.body.token, requestContext(request, 'rest'));
      return reply.status(204).send(null);
    },
  );
};

/** The answer of a change that had none: 204 when made now, 202 `{pendingUntil}` when the veto window holds it. */
export const HeldChangeSchema = Type.Object({
  pendingUntil: Type.String({ format: 'date-time', description: 'When the change takes effect (the veto window, FACTOR_CHANGE_VETO_SECONDS).' }),
});

export function replyChange(reply: { status(code: number): { send(body: unknown): unknown } }, outcome: { pendingUntil: Date | null }): void {
  if (outcome.pendingUntil) reply.status(202).send({ pendingUntil: outcome.pendingUntil.toISOString() });
  else reply.status(204).send(null);
}
