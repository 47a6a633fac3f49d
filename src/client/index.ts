/**
 * twofold/client: a small typed client for the native `/v1` API, for Node and browsers (it needs only
 * `fetch`). Types come from `api-types.ts`, generated from the server's OpenAPI document.
 */
import type { ErrorCode } from '../core/errors.ts';
import type { Paths } from './api-types.ts';

export type { Paths } from './api-types.ts';

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
      const error = (parsed as { error?: { code?: ErrorCode; message?: string; details?: Record<string, unknown> } } | null)?.error;
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
    /** Signs in; a 201 carries the session (kept by the client), a 202 the transaction for the second factor. */
    async signIn(login: string, password: string) {
      const result = await call('post', '/v1/sessions', { body: { login, password } });
      if ('token' in result) token = result.token;
      return result;
    },
    async completeSecondFactor(transactionId: string, code: string, method?: 'totp' | 'email') {
      const result = await call('post', '/v1/sessions/second-factor', { body: { transactionId, code, ...(method ? { method } : {}) } });
      token = result.token;
      return result;
    },
    async signOut() {
      await call('delete', '/v1/sessions/current');
      token = null;
    },
    me: () => call('get', '/v1/me'),
    sessions: () => call('get', '/v1/me/sessions'),
    revokeSession: (id: string) => call('delete', '/v1/me/sessions/{id}', { params: { id } }),
    events: (limit?: number) => call('get', '/v1/me/events', limit ? { query: { limit: String(limit) } } : {}),
    verifyEmail: (verificationToken: string) => call('post', '/v1/email-verification', { body: { token: verificationToken } }),
    resendVerification: () => call('post', '/v1/me/email-verification'),
    changePassword: (body: Paths['/v1/me/password']['post']['body']) => call('post', '/v1/me/password', { body }),
    totp: {
      status: () => call('get', '/v1/me/totp'),
      enroll: () => call('post', '/v1/me/totp'),
      confirm: (code: string) => call('post', '/v1/me/totp/confirm', { body: { code } }),
      disable: (code: string) => call('post', '/v1/me/totp/disable', { body: { code } }),
      regenerateBackupCodes: (code: string) => call('post', '/v1/me/backup-codes', { body: { code } }),
    },
    email2fa: {
      enable: () => call('post', '/v1/me/email-2fa'),
      disable: (code?: string, method?: 'totp' | 'email' | 'password') => call('post', '/v1/me/email-2fa/disable', { body: { ...(code ? { code } : {}), ...(method ? { method } : {}) } }),
      sendCode: (emailOrUsername: string) => call('post', '/v1/email-codes', { body: { emailOrUsername } }),
    },
    /** "Does this user's code satisfy my operation?": resolves, or throws `second_factor_required` with the challenge. */
    stepUp: (body: Paths['/v1/me/step-up']['post']['body']) => call('post', '/v1/me/step-up', { body }),
  };
}

export type TwofoldClient = ReturnType<typeof createClient>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
