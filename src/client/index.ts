/**
 * twofold/client: a small typed client for the native `/v1` API, for Node and browsers (it needs only
 * `fetch`). Types come from `api-types.ts`, generated from the server's OpenAPI document.
 */
import type { ErrorBody, ErrorCode, Paths } from './api-types.ts';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

export type { ErrorBody, ErrorCode, Paths, PendingFactorChange, Session, User } from './api-types.ts';

type Method<P extends keyof Paths> = keyof Paths[P] & string;
type Operation<P extends keyof Paths, M extends Method<P>> = Paths[P][M];
type Responses<P extends keyof Paths, M extends Method<P>> = Operation<P, M> extends { responses: infer R } ? R : never;
/** The body of the operation's success answer (its 2xx response). */
export type Success<P extends keyof Paths, M extends Method<P>> = Responses<P, M>[Extract<keyof Responses<P, M>, 200 | 201 | 202 | 204>];
type Input<P extends keyof Paths, M extends Method<P>> = Omit<Operation<P, M>, 'responses'>;

/** A failure the server reported: the catalogue code (see the API docs), its HTTP status and details. */
export class TwofoldClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network_error' | 'unexpected_response',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'TwofoldClientError';
  }
}

export interface ClientOptions {
  /** Where twofold answers, e.g. `https://auth.example.org` (empty for the same origin in a browser). */
  baseUrl?: string;
  /** The session token, when signed in. */
  token?: string | null;
  fetch?: typeof fetch;
}

export function createClient(options: ClientOptions = {}) {
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let token = options.token ?? null;

  async function call<P extends keyof Paths, M extends Method<P>>(
    method: M,
    path: P,
    input: Partial<Input<P, M>> & { headers?: Record<string, string> } = {},
  ): Promise<Success<P, M>> {
    const { body, query, params, headers: extra } = input as { body?: unknown; query?: Record<string, string>; params?: Record<string, string>; headers?: Record<string, string> };
    let url = `${baseUrl}${String(path).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params?.[name] ?? ''))}`;
    if (query) url += `?${new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined) as [string, string][])}`;
    const headers: Record<string, string> = { ...extra };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(url, { method: method.toUpperCase(), headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (error) {
      throw new TwofoldClientError(0, 'network_error', (error as Error).message);
    }
    const text = await response.text();
    const parsed = text ? safeJson(text) : null;
    if (!response.ok) {
      const error = (parsed as Partial<ErrorBody> | null)?.error;
      throw new TwofoldClientError(response.status, error?.code ?? 'unexpected_response', error?.message ?? response.statusText, error?.details ?? {});
    }
    return parsed as Success<P, M>;
  }

  return {
    /** Any route of the native API, typed by path and method. */
    call,
    get token() {
      return token;
    },
    setToken(value: string | null) {
      token = value;
    },

    register: (body: Paths['/v1/users']['post']['body']) => call('post', '/v1/users', { body }),
    /**
     * Signs in; a 201 carries the session (kept by the client), a 202 the transaction for the second factor.
     * A remembered device's token (`deviceToken`) skips the second factor; browsers send the cookie by themselves.
     */
    async signIn(login: string, password: string, options: { deviceToken?: string } = {}) {
      const headers: Record<string, string> = options.deviceToken ? { 'x-twofold-device': options.deviceToken } : {};
      const result = await call('post', '/v1/sessions', { body: { login, password }, headers });
      if ('token' in result) token = result.token;
      return result;
    },
    /** Finishes a sign-in with a code; `rememberDevice` asks for a device token (and cookie) for later sign-ins. */
    async completeSecondFactor(transactionId: string, code: string, method?: 'totp' | 'email', options: { rememberDevice?: boolean } = {}) {
      const body = { transactionId, code, ...(method ? { method } : {}), ...(options.rememberDevice ? { rememberDevice: true } : {}) };
      const result = await call('post', '/v1/sessions/second-factor', { body });
      token = result.token;
      return result;
    },
    async signOut() {
      await call('delete', '/v1/sessions/current');
      token = null;
    },
    /** The signed-in user and the app's own properties of it (`profile`). */
    me: () => call('get', '/v1/me'),
    /** Sets, changes or (with null) removes the app's properties of the signed-in user; the others stay. */
    updateProfile: (profile: Record<string, unknown>) => call('patch', '/v1/me', { body: { profile } }),
    sessions: () => call('get', '/v1/me/sessions'),
    revokeSession: (id: string) => call('delete', '/v1/me/sessions/{id}', { params: { id } }),
    /** Every other session ends and remembered devices are forgotten; needs a fresh proof (`second_factor_required`). */
    revokeOtherSessions: (proof: Proof = {}) => call('post', '/v1/me/sessions/revoke-others', { body: proofBody(proof) }),
    events: (limit?: number) => call('get', '/v1/me/events', limit ? { query: { limit: String(limit) } } : {}),
    verifyEmail: (verificationToken: string) => call('post', '/v1/email-verification', { body: { token: verificationToken } }),
    resendVerification: () => call('post', '/v1/me/email-verification'),
    /** A new verification link without a session (a user REQUIRE_EMAIL_CONFIRMATION keeps out): 202 for any address. */
    resendVerificationTo: (email: string) => call('post', '/v1/email-verification/resend', { body: { email } }),
    /**
     * "Forgot my password": mails `<PUBLIC_URL>/#reset=<token>` to the account at `email`, if any (202 for any
     * address). The page reads the token from the fragment and calls `resetPassword`.
     */
    requestPasswordReset: (email: string) => call('post', '/v1/password-resets', { body: { email } }),
    /** Sets the new password with a reset link's token; signs nobody in (sign in next: a second factor is still asked). */
    resetPassword: (resetToken: string, password: string) => call('post', '/v1/password-resets/confirm', { body: { token: resetToken, password } }),
    /**
     * "This wasn't me": the token of a factor-change mail's link (`<PUBLIC_URL>/#veto=<token>`), no session needed.
     * Cancels the user's waiting factor changes, ends every session (this client's token too) and locks the account
     * until an operator unlocks it; `veto_token_invalid` for an unknown, used or expired token.
     */
    async vetoFactorChange(vetoToken: string) {
      await call('post', '/v1/factor-changes/veto', { body: { token: vetoToken } });
      token = null;
    },
    changePassword: (currentPassword: string, newPassword: string, proof: Proof = {}) =>
      call('post', '/v1/me/password', { body: { currentPassword, newPassword, ...proofBody(proof) } }),
    totp: {
      status: () => call('get', '/v1/me/totp'),
      /** Adding a factor needs a proof of an existing one (or the password) within the step-up window. */
      enroll: (proof: Proof = {}) => call('post', '/v1/me/totp', { body: proofBody(proof) }),
      confirm: (code: string) => call('post', '/v1/me/totp/confirm', { body: { code } }),
      disable: (proof: Proof = {}) => call('post', '/v1/me/totp/disable', { body: proofBody(proof) }),
      regenerateBackupCodes: (proof: Proof = {}) => call('post', '/v1/me/backup-codes', { body: proofBody(proof) }),
    },
    email2fa: {
      enable: (proof: Proof = {}) => call('post', '/v1/me/email-2fa', { body: proofBody(proof) }),
      /** Needs a fresh proof: without one it throws `second_factor_required` with the challenge. */
      disable: (proof: Proof = {}) => call('post', '/v1/me/email-2fa/disable', { body: proofBody(proof) }),
      sendCode: (emailOrUsername: string) => call('post', '/v1/email-codes', { body: { emailOrUsername } }),
    },
    /**
     * Passkeys and security keys; the options and answers are those of @simplewebauthn/browser. The server's
     * schemas fix only the options' envelope (the library checks the rest), so their full type is the library's.
     */
    webauthn: {
      loginOptions: async (transactionId: string) =>
        (await call('post', '/v1/sessions/webauthn-options', { body: { transactionId } })) as PublicKeyCredentialRequestOptionsJSON,
      async completeSignIn(transactionId: string, response: AuthenticationResponseJSON, options: { rememberDevice?: boolean } = {}) {
        const body = { transactionId, method: 'webauthn' as const, webauthn: response, ...(options.rememberDevice ? { rememberDevice: true } : {}) };
        const result = await call('post', '/v1/sessions/second-factor', { body });
        token = result.token;
        return result;
      },
      registrationOptions: async (proof: Proof = {}) =>
        (await call('post', '/v1/me/webauthn/registration-options', { body: proofBody(proof) })) as unknown as PublicKeyCredentialCreationOptionsJSON,
      register: (name: string, response: RegistrationResponseJSON) => call('post', '/v1/me/webauthn/credentials', { body: { name, response } }),
      list: () => call('get', '/v1/me/webauthn/credentials'),
      /** Renames a key; a name another key of the user has is `webauthn_name_taken`. */
      rename: (id: string, name: string) => call('patch', '/v1/me/webauthn/credentials/{id}', { params: { id }, body: { name } }),
      /** Needs a fresh second factor: without one it throws `second_factor_required` (options in `details.webauthn`). */
      remove: (id: string, proof: Proof = {}) => call('post', '/v1/me/webauthn/credentials/{id}/remove', { params: { id }, body: proofBody(proof) }),
    },
    /** Remembered devices: each skips the second factor at sign-in until it expires or is forgotten. */
    devices: {
      list: () => call('get', '/v1/me/devices'),
      revoke: (id: string) => call('delete', '/v1/me/devices/{id}', { params: { id } }),
    },
    /** "Does this user's code satisfy my operation?": resolves, or throws `second_factor_required` with the challenge. */
    stepUp: (body: Paths['/v1/me/step-up']['post']['body']) => call('post', '/v1/me/step-up', { body }),
    /** The password rule and the lifetimes the server is configured with, to tell people about them. */
    policy: () => call('get', '/v1/policy'),
    /**
     * The operator's API: a client made with an admin API token (`createClient({ token: adminToken })`, the token
     * from `twofold admin token create`). Each call needs a scope of the token; none returns a secret.
     */
    admin: {
      users: {
        search: (query: Paths['/v1/admin/users']['get']['query'] = {}) => call('get', '/v1/admin/users', { query } as never) as Promise<Success<'/v1/admin/users', 'get'>>,
        get: (id: string) => call('get', '/v1/admin/users/{id}', { params: { id } }),
        events: (id: string, query: Paths['/v1/admin/users/{id}/events']['get']['query'] = {}) =>
          call('get', '/v1/admin/users/{id}/events', { params: { id }, query } as never) as Promise<Success<'/v1/admin/users/{id}/events', 'get'>>,
        /** Removes one kind of factor (or `all`); the user's sessions end and they are mailed. */
        reset: (id: string, factor: Paths['/v1/admin/users/{id}/reset']['post']['body']['factor']) =>
          call('post', '/v1/admin/users/{id}/reset', { params: { id }, body: { factor } }),
        unlock: (id: string) => call('post', '/v1/admin/users/{id}/unlock', { params: { id } }),
      },
      auditHead: () => call('get', '/v1/admin/audit/head'),
      /** Signed webhook endpoints (scope `webhooks:manage`); `create` answers the signing secret, once. */
      webhooks: {
        list: () => call('get', '/v1/admin/webhooks'),
        create: (body: Paths['/v1/admin/webhooks']['post']['body']) => call('post', '/v1/admin/webhooks', { body }),
        remove: (id: string) => call('delete', '/v1/admin/webhooks/{id}', { params: { id } }),
        deliveries: (id: string) => call('get', '/v1/admin/webhooks/{id}/deliveries', { params: { id } }),
      },
      /** RFC 7662 introspection of a user's session token, for app backends (scope `sessions:introspect`). */
      introspect: (sessionToken: string) => call('post', '/v1/sessions/introspect', { body: { token: sessionToken } }),
    },
  };
}

export type TwofoldClient = ReturnType<typeof createClient>;

/**
 * A fresh proof for a protected call: a code (`totp`, a backup code, `email`), the password (`password`, for a
 * user with no second factor), or a passkey's answer to `details.webauthn`. Without `code` and `webauthn`,
 * `method` asks for that method's challenge (e.g. mails an email code).
 */
export interface Proof {
  code?: string;
  method?: ProofMethod;
  webauthn?: AuthenticationResponseJSON;
}
export type ProofMethod = NonNullable<Paths['/v1/me/step-up']['post']['body']['method']>;

function proofBody(proof: Proof) {
  const method = proof.method ?? (proof.webauthn ? 'webauthn' : undefined);
  // A password travels in its own field: it may be longer than any code.
  if (method === 'password') return { method, ...(proof.code ? { password: proof.code } : {}) };
  return {
    ...(proof.code ? { code: proof.code } : {}),
    ...(method ? { method } : {}),
    ...(proof.webauthn ? { webauthn: proof.webauthn } : {}),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
