import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { CodeInput, WebAuthnResponse } from './schemas.ts';

/** How a caller names the factor it proves itself with. */
export const ProofMethod = Type.Union([Type.Literal('totp'), Type.Literal('email'), Type.Literal('password'), Type.Literal('webauthn')]);

/** A fresh second factor: a code, or (with `method: "webauthn"`) the browser's answer in `webauthn`. */
export const ProofFields = {
  code: Type.Optional(CodeInput),
  method: Type.Optional(ProofMethod),
  webauthn: Type.Optional(WebAuthnResponse),
};
export const ProofBody = Type.Object(ProofFields, { additionalProperties: false });

/** A bare POST (no body) asks for the challenge: read it as `{}`. */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}

/**
 * The proof in the form the guard takes: a WebAuthn answer travels as the "code"; a code may also come in
 * Rocket.Chat's `x-2fa-code` / `x-2fa-method` headers.
 */
export function suppliedProof(request: FastifyRequest, body: { code?: unknown; method?: unknown; webauthn?: unknown } | undefined) {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const method = body?.method ?? (body?.webauthn !== undefined ? 'webauthn' : header('x-2fa-method'));
  const code = method === 'webauthn' ? body?.webauthn : (body?.code ?? header('x-2fa-code'));
  return { code, method };
}
