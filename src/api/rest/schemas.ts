import Type from 'typebox';
import type { Session, User } from '../../core/index.ts';
import type { IssuedSession } from '../../core/sessions/session.ts';
import type { TotpEnrollment } from '../../core/index.ts';
import type { Links } from '../http/links.ts';

/** Request and response shapes of the native API. Every route declares its schemas from here. */
export const UserSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    username: Type.Union([Type.String(), Type.Null()]),
    emailVerified: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
);

export const SessionSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    client: Type.String(),
    ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    lastSeenAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
    current: Type.Boolean(),
  },
);

export const Email = Type.String({ minLength: 1, maxLength: 254 });
export const Password = Type.String({ maxLength: 4096 });
export const OpaqueToken = Type.String({ minLength: 1, maxLength: 256 });

export function userJson(user: User) {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    emailVerified: user.emailVerifiedAt !== null,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export function sessionJson(session: Session, currentId?: string) {
  return {
    id: session.id,
    client: session.client,
    ip: session.ip,
    userAgent: session.userAgent,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    current: session.id === currentId,
  };
}

/**
 * WebAuthn JSON as @simplewebauthn defines it. The server checks these with the library, so the schemas only
 * fix the envelope; nested members pass through as the browser produced them.
 */
export const WebAuthnResponse = Type.Object(
  { id: Type.String({ maxLength: 1024 }), rawId: Type.String({ maxLength: 1024 }), type: Type.String({ maxLength: 32 }), response: Type.Object({}, { additionalProperties: true }) },
  { additionalProperties: true, description: 'A RegistrationResponseJSON or AuthenticationResponseJSON from the browser.' },
);
export const WebAuthnRequestOptions = Type.Object(
  { challenge: Type.String(), rpId: Type.Optional(Type.String()), timeout: Type.Optional(Type.Number()) },
  { additionalProperties: true, description: 'PublicKeyCredentialRequestOptionsJSON, for navigator.credentials.get().' },
);
export const WebAuthnCreationOptions = Type.Object(
  { challenge: Type.String(), rp: Type.Object({}, { additionalProperties: true }), user: Type.Object({}, { additionalProperties: true }) },
  { additionalProperties: true, description: 'PublicKeyCredentialCreationOptionsJSON, for navigator.credentials.create().' },
);

/** A code as typed: digits from the authenticator (string or number) or a backup code. */
export const CodeInput = Type.Union([Type.String({ maxLength: 64 }), Type.Integer({ minimum: 0 })]);

export const IssuedSessionSchema = Type.Object({
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  user: UserSchema,
  session: SessionSchema,
});

export const SecondFactorRequiredSchema = Type.Object({
  secondFactorRequired: Type.Literal(true),
  transactionId: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  methods: Type.Array(Type.String()),
  rememberDeviceDays: Type.Integer({ minimum: 0, description: 'How long `rememberDevice: true` would remember this device (0: not offered).' }),
});

export function issuedSessionJson(user: User, issued: IssuedSession) {
  return {
    token: issued.token,
    expiresAt: issued.session.expiresAt.toISOString(),
    user: userJson(user),
    session: sessionJson(issued.session, issued.session.id),
  };
}

export const TotpEnrollmentSchema = Type.Object({
  secret: Type.String(),
  uri: Type.String(),
  qrUrl: Type.String(),
  transactionId: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});

export function totpEnrollmentJson(enrollment: TotpEnrollment, links: Links) {
  return {
    secret: enrollment.secret,
    uri: enrollment.uri,
    qrUrl: links.qrImage(enrollment.qrId),
    transactionId: enrollment.transactionId,
    expiresAt: enrollment.expiresAt.toISOString(),
  };
}

export const SecurityEventSchema = Type.Object({
  kind: Type.String(),
  at: Type.String({ format: 'date-time' }),
  client: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
