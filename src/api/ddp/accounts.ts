import type { Core } from '../../core/index.ts';
import type { LoginResult } from '../../core/index.ts';
import { isTwofoldError } from '../../core/errors.ts';
import type { PasswordLoginInput } from '../../core/auth/password-login.ts';
import { ddpContext, forgetLogin, rememberLogin } from './connection-session.ts';
import { MeteorError, type MethodHandler, type MethodInvocation } from './types.ts';

const matchFailed = () => new MeteorError(400, 'Match failed');
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Meteor accounts over DDP: `login` (password, resume, `{totp: {login, code}}`) and `logout`. */
export function accountMethods(core: Core): Record<string, MethodHandler> {
  async function finish(invocation: MethodInvocation, result: LoginResult, type: 'password' | 'resume') {
    if (result.kind !== 'session') throw new MeteorError('totp-required', 'TOTP Required');
    const { session, token } = result.issued;
    rememberLogin(invocation.connection, { userId: result.user.id, sessionId: session.id, token });
    return { id: result.user.id, token, tokenExpires: session.expiresAt, type };
  }

  async function resume(invocation: MethodInvocation, token: unknown) {
    if (typeof token !== 'string') throw matchFailed();
    try {
      const { session, user } = await core.authenticate(token);
      rememberLogin(invocation.connection, { userId: user.id, sessionId: session.id, token });
      return { id: user.id, token, tokenExpires: session.expiresAt, type: 'resume' as const };
    } catch (error) {
      if (isTwofoldError(error) && error.code === 'session_expired') throw new MeteorError(403, 'Your session has expired. Please log in again.');
      if (isTwofoldError(error) && error.status === 401) throw new MeteorError(403, "You've been logged out by the server. Please log in again.");
      throw error;
    }
  }

  return {
    async login(invocation, options) {
      if (!isObject(options)) throw new MeteorError(400, 'Unrecognized options for login request');
      if ('resume' in options) return resume(invocation, options.resume);
      const context = ddpContext(invocation.connection);
      try {
        if (isObject(options.totp)) {
          const input = await passwordLogin(core, options.totp.login);
          const result = await core.loginWithPasswordAndCode(input, { code: options.totp.code, method: options.totp.method }, context);
          return await finish(invocation, result, 'password');
        }
        if ('user' in options || 'password' in options) {
          const input = await passwordLogin(core, options);
          return await finish(invocation, await core.loginWithPassword(input, context, 'challenge'), 'password');
        }
      } catch (error) {
        // One ambiguous answer for unknown users and wrong passwords (no enumeration).
        if (isTwofoldError(error) && (error.code === 'invalid_credentials' || error.code === 'user_not_found')) {
          throw new MeteorError(403, 'Something went wrong. Please check your credentials.');
        }
        throw error;
      }
      throw new MeteorError(400, 'Unrecognized options for login request');
    },

    async logout(invocation) {
      const { userId, sessionId } = invocation.connection;
      forgetLogin(invocation.connection);
      if (userId && sessionId) await core.revokeSession(userId, sessionId).catch(() => undefined);
      return undefined;
    },
  };
}

/** Reads `{user: {username|email|id}, password: {digest, algorithm} | "<plain>"}` (exactly one selector). */
async function passwordLogin(core: Core, request: unknown): Promise<PasswordLoginInput> {
  if (!isObject(request) || !isObject(request.user)) throw matchFailed();
  const selectors = Object.keys(request.user).filter((k) => ['username', 'email', 'id'].includes(k));
  if (selectors.length !== 1 || Object.keys(request.user).length !== 1) throw matchFailed();
  const [key] = selectors as ['username' | 'email' | 'id'];
  const value = request.user[key];
  if (typeof value !== 'string') throw matchFailed();
  const identity = key === 'id' ? await emailOfUserId(core, value) : value;

  const password = request.password;
  if (typeof password === 'string') return { identity, password };
  if (isObject(password) && typeof password.digest === 'string' && (password.algorithm ?? 'sha-256') === 'sha-256') {
    return { identity, passwordDigest: password.digest };
  }
  throw matchFailed();
}

/** Login by user id: an unknown id must fail like a wrong password, so it becomes an identity nobody has. */
async function emailOfUserId(core: Core, id: string): Promise<string> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return '\u0000unknown';
  try {
    return (await core.getUser(id)).email;
  } catch {
    return '\u0000unknown';
  }
}
