import type { FastifyInstance } from 'fastify';
import Type, { type Static, type TSchema } from 'typebox';
import { errorCatalogue, type ErrorCode } from '../../core/errors.ts';
import type { Core, Session, UserRecord } from '../../core/index.ts';
import type { IssuedSession } from '../../core/sessions/session.ts';
import type { TotpEnrollment } from '../../core/index.ts';
import { SetupRequiredSchema } from './setup-required.ts';
import type { Links } from '../http/links.ts';

/**
 * Request and response shapes of the native API. Every route declares its schemas from here.
 *
 * The shapes many routes share are components: each has an `$id`, is added once to the Fastify instance
 * (`addSharedSchemas`) and routes refer to it by `$ref`, so the OpenAPI document lists it once under
 * `components.schemas` and the generated client types name it (`User`, not a copy per route).
 */
const ErrorCodeComponent = component(
  'ErrorCode',
  Type.Enum(Object.keys(errorCatalogue) as ErrorCode[], { description: 'The catalogue code of a failure (src/core/errors.ts). Codes are never renamed, only added.' }),
);

const ErrorBodyComponent = component(
  'ErrorBody',
  Type.Object(
    {
      error: Type.Object({
        code: ErrorCodeComponent.ref,
        message: Type.String(),
        details: Type.Object({}, { additionalProperties: true }),
      }),
    },
    { description: 'A failure: its catalogue code, a sentence for people, and the details the code carries.' },
  ),
);

const UserComponent = component(
  'User',
  Type.Object({
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    username: Type.Union([Type.String(), Type.Null()]),
    emailVerified: Type.Boolean(),
    emailCodesEnabled: Type.Boolean({ description: 'Sign-in offers a code by email: turned on, the address verified, and email codes offered by this server.' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  }),
);

/** An app's own properties of a user: names to JSON values (the rules are the core's: `src/core/users/profile.ts`). */
const ProfileComponent = component(
  'Profile',
  Type.Record(Type.String(), Type.Unknown(), {
    description:
      "The app's own properties of the user (name, phone, …): JSON values under names that start with a letter and have " +
      'letters, digits and `_` (at most 64); at most 50 properties and 16 KiB of JSON in all. Names of the account itself ' +
      '(`email`, `password`, `objectId`, `userStatus`, …) are refused with 403 `property_protected`.',
  }),
);

/** RFC 8176 values; what each means in twofold: docs/operations.md, "Telling the app how a user signed in". */
export const AmrSchema = Type.Array(Type.Union([Type.Literal('pwd'), Type.Literal('otp'), Type.Literal('hwk'), Type.Literal('swk'), Type.Literal('user'), Type.Literal('mfa')]), {
  description:
    'What the session proved (RFC 8176): `pwd` password; `otp` an authenticator, backup or email code; `hwk` a device-bound ' +
    'passkey or security key; `swk` a synced passkey; `user` the key verified the user (PIN, biometrics); `mfa` two kinds of factor.',
});

const SessionComponent = component(
  'Session',
  Type.Object({
    id: Type.String({ format: 'uuid' }),
    client: Type.String(),
    ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    lastSeenAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
    current: Type.Boolean(),
    amr: AmrSchema,
    secondFactorAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'When this session last answered a second factor (at sign-in or a step-up); null: never.',
    }),
  }),
);

/** A passkey or security key of the user, as the API shows it (never its public key). */
const WebAuthnCredentialComponent = component(
  'WebAuthnCredential',
  Type.Object({
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    deviceType: Type.Union([Type.Literal('singleDevice'), Type.Literal('multiDevice')]),
    backedUp: Type.Boolean(),
    transports: Type.Array(Type.String()),
  }),
);

/** A factor change the veto window holds (FACTOR_CHANGE_VETO_SECONDS), as `/v1/me` lists it. */
const PendingFactorChangeComponent = component(
  'PendingFactorChange',
  Type.Object({
    id: Type.String({ format: 'uuid' }),
    kind: Type.Union([
      Type.Literal('totp-enable'),
      Type.Literal('totp-replace'),
      Type.Literal('totp-disable'),
      Type.Literal('email-enable'),
      Type.Literal('email-disable'),
      Type.Literal('passkey-add'),
      Type.Literal('passkey-remove'),
    ]),
    factor: Type.Union([Type.Literal('totp'), Type.Literal('email'), Type.Literal('webauthn')]),
    change: Type.Union([Type.Literal('enabled'), Type.Literal('replaced'), Type.Literal('disabled')]),
    requestedAt: Type.String({ format: 'date-time' }),
    applyAt: Type.String({ format: 'date-time', description: 'When it takes effect unless the owner stops it from the mailed link.' }),
  }),
);

/**
 * A component: its schema with the `$id` (for `addSchema`) and the reference routes use, typed as the
 * schema (Fastify resolves it among the instance's shared schemas).
 */
function component<T extends TSchema>(id: string, schema: T) {
  return { schema: { ...schema, $id: id }, ref: Type.Unsafe<Static<T>>(Type.Ref(`${id}#`)) };
}

/** Adds the components to the root instance, before any route refers to them. */
export function addSharedSchemas(app: FastifyInstance): void {
  for (const { schema } of [ErrorCodeComponent, ErrorBodyComponent, UserComponent, ProfileComponent, SessionComponent, WebAuthnCredentialComponent, PendingFactorChangeComponent]) app.addSchema(schema);
}

export const ErrorBodySchema = ErrorBodyComponent.ref;
export const UserSchema = UserComponent.ref;
export const SessionSchema = SessionComponent.ref;
export const ProfileSchema = ProfileComponent.ref;
export const PendingFactorChangeSchema = PendingFactorChangeComponent.ref;
export const WebAuthnCredentialSchema = WebAuthnCredentialComponent.ref;

export const Email = Type.String({ minLength: 1, maxLength: 254 });

export const Password = Type.String({ maxLength: 4096 });
export const OpaqueToken = Type.String({ minLength: 1, maxLength: 256 });

/**
 * The user as the API shows it. `emailCodesEnabled` says what sign-in does: on only with a verified address and while
 * the server offers email codes (`core.factors.email.signInOffers`), so the page never calls an account protected by
 * a code that sign-in would not ask for.
 */
export function userJson(user: UserRecord, core: Pick<Core, 'factors'>): Static<typeof UserSchema> {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    emailVerified: user.emailVerifiedAt !== null,
    emailCodesEnabled: core.factors.email.signInOffers(user),
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
    amr: session.amr,
    secondFactorAt: session.secondFactorAt?.toISOString() ?? null,
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
  setupRequired: Type.Optional(SetupRequiredSchema),
});

export const SecondFactorRequiredSchema = Type.Object({
  secondFactorRequired: Type.Literal(true),
  transactionId: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  methods: Type.Array(Type.String()),
  rememberDeviceDays: Type.Integer({ minimum: 0, description: 'How long `rememberDevice: true` would remember this device (0: not offered).' }),
});

export function issuedSessionJson(user: UserRecord, issued: IssuedSession, core: Pick<Core, 'factors'>) {
  return {
    token: issued.token,
    expiresAt: issued.session.expiresAt.toISOString(),
    user: userJson(user, core),
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
