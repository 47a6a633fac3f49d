import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { parseProof, type Asker, type Proof, type Session } from '../../core/index.ts';
import { CodeInput, Password, WebAuthnResponse } from './schemas.ts';
import { requestContext } from './request-context.ts';

/** How a caller names the factor it proves itself with. */
export const ProofMethod = Type.Union([
  Type.Literal('totp'),
  Type.Literal('backup'),
  Type.Literal('email'),
  Type.Literal('password'),
  Type.Literal('webauthn'),
]);

/**
 * A proof sent with a request: a code (`method` names its factor), a passkey's answer in `webauthn`, or — for a
 * user with no second factor — the `password`.
 */
export const ProofFields = {
  code: Type.Optional(CodeInput),
  method: Type.Optional(ProofMethod),
  webauthn: Type.Optional(WebAuthnResponse),
  password: Type.Optional(Password),
};
export const ProofBody = Type.Object(ProofFields, { additionalProperties: false });

type ProofBodyFields = { code?: unknown; method?: unknown; webauthn?: unknown; password?: unknown } | undefined;

/** A bare POST (no body) asks for the challenge: read it as `{}`. */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}

const header = (request: FastifyRequest, name: string) => {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * The proof a request carries, parsed once: from the body, or from Rocket.Chat's `x-2fa-code` / `x-2fa-method`
 * headers (where a password travels as its hex SHA-256, as Rocket.Chat clients send it).
 */
export function requestProof(request: FastifyRequest, body: ProofBodyFields, session: Session | null): Proof | null {
  const fromBody = body !== undefined && (body.code !== undefined || body.webauthn !== undefined || body.password !== undefined);
  const raw = fromBody ? { ...body } : { code: header(request, 'x-2fa-code'), method: body?.method ?? header(request, 'x-2fa-method') };
  return parseProof(raw, { passwordCode: fromBody ? 'plain' : 'digest', sessionId: session?.id ?? null });
}

/** Who asks and with what proof, for a protected operation of the native API. */
export function restAsker(request: FastifyRequest, session: Session, body?: ProofBodyFields): Asker {
  return {
    session,
    context: requestContext(request, 'rest'),
    proof: requestProof(request, body, session),
    preferredMethod: body?.method ?? header(request, 'x-2fa-method'),
  };
}
