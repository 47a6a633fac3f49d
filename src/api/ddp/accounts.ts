import type { Core } from '../../core/index.ts';
import type { Session, SetupRequirement, SignInResult } from '../../core/index.ts';
import { ddpProof } from './protected-methods.ts';
import { TwofoldError } from '../../core/errors.ts';
import type { PasswordLoginInput } from '../../core/auth/password-login.ts';
import { ddpContext, forgetLogin, rememberLogin } from './connection-session.ts';
import { type MethodHandler, type MethodInvocation } from './types.ts';
import { ddpErrors, resumeError } from './errors.ts';

const matchFailed = ddpErrors.matchFailed;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Meteor's login result, with what the session proved beside it: `amr` (RFC 8176 values) and `secondFactorAt`
 * (an EJSON date, null when no second factor was answered). Meteor clients ignore members they do not know.
 */
function loginResult(id: string, token: string, session: Session, type: 'password' | 'resume') {
  return { id, token, tokenExpires: session.expiresAt, type, amr: session.amr, secondFactorAt: session.secondFactorAt };
}

/** Meteor accounts over DDP: `login` (password, resume, `{totp: {login, code}}`) and `logout`. */
export function accountMethods(core: Core): Record<string, MethodHandler> {
  async function finish(invocation: MethodInvocation, result: SignInResult, type: 'password' | 'resume') {
    if (result.kind !== 'session') throw new TwofoldError('second_factor_required');
    const { session, token } = result.issued;
    rememberLogin(invocation.connection, { userId: result.user.id, sessionId: session.id, token });
    return { ...loginResult(result.user.id, token, session, type), ...ddpSetupRequired(await core.auth.setupRequirement(result.user)) };
  }

  async function resume(invocation: MethodInvocation, token: unknown) {
    if (typeof token !== 'string') throw matchFailed();
    try {
      // A session limited to setting up a factor resumes, and is told so.
      const { session, user } = await core.auth.authenticate(token, 'setup');
      rememberLogin(invocation.connection, { userId: user.id, sessionId: session.id, token });
      return { ...loginResult(user.id, token, session, 'resume'), ...ddpSetupRequired(await core.auth.setupRequirement(user)) };
    } catch (error) {
      throw resumeError(error) ?? error;
    }
  }

  return {
    async login(invocation, options) {
      if (!isObject(options)) throw ddpErrors.unrecognizedLogin();
      if ('resume' in options) return resume(invocation, options.resume);
      const context = ddpContext(invocation.connection);
      if (isObject(options.totp)) {
        const input = await passwordLogin(core, options.totp.login);
        const result = await core.auth.signInWithAnswer(input, ddpProof(options.totp.code, options.totp.method, null), context);
        return finish(invocation, result, 'password');
      }
      if ('user' in options || 'password' in options) {
        const input = await passwordLogin(core, options);
        return finish(invocation, await core.auth.signIn(input, context, { style: 'challenge' }), 'password');
      }
      throw ddpErrors.unrecognizedLogin();
    },

    async logout(invocation) {
      const { userId, sessionId } = invocation.connection;
      forgetLogin(invocation.connection);
      if (userId && sessionId) await core.sessions.revoke(userId, sessionId).catch(() => undefined);
      return undefined;
    },
  };
}

/**
 * `setupRequired` on a Meteor login result (twofold's own field; Meteor clients ignore what they do not know):
 * the enforcement policy wants a second factor by `deadline` (an EJSON date); `restricted`: it has passed, and
 * only `2fa:enable`, `2fa:validateTempToken`, `2fa:enable-email` and `logout` work until one is set up.
 */
export function ddpSetupRequired(requirement: SetupRequirement | null) {
  return requirement ? { setupRequired: { deadline: requirement.dueAt, restricted: requirement.restricted } } : {};
}

/** Reads `{user: {username|email|id}, password: {digest, algorithm} | "<plain>"}` (exactly one selector). */
export async function passwordLogin(core: Core, request: unknown): Promise<PasswordLoginInput> {
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
    return (await core.users.get(id)).email;
  } catch {
    return '\u0000unknown';
  }
}
