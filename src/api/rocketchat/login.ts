import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Core, Session, SignInResult, UserRecord } from '../../core/index.ts';
import { TwofoldError } from '../../core/errors.ts';
import { passwordLogin } from '../ddp/accounts.ts';
import { ddpErrors, resumeError } from '../ddp/errors.ts';
import { ddpProof } from '../ddp/protected-methods.ts';
import { requestContext } from '../rest/request-context.ts';
import { header, requireRestLogin } from './session.ts';
import { meJson, restSetupRequired } from './user-json.ts';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const FLAT_KEYS = new Set(['user', 'username', 'email', 'password', 'code']);

type LoginRequest = { kind: 'resume'; token: unknown } | { kind: 'password'; login: unknown; code: unknown };

/**
 * What a `POST /api/v1/login` body asks for, read as Rocket.Chat reads it: its flat REST form
 * `{user|username|email, password, code?}` (a `user` with `@` is an address; `password` plain or
 * `{digest, algorithm}`; the code from the body, else `x-2fa-code`) becomes the Meteor login it stands for; any
 * other body is a Meteor login request as DDP `login` takes it (`{resume}`, `{totp: {login, code}}`, `{user: {…}, password}`).
 */
export function loginRequest(body: unknown, headerCode: string | undefined): LoginRequest {
  if (!isObject(body)) throw ddpErrors.unrecognizedLogin();
  if ('resume' in body) return { kind: 'resume', token: body.resume };
  if (isObject(body.totp)) return { kind: 'password', login: body.totp.login, code: body.totp.code };
  const flat = body.password !== undefined && body.password !== null && Object.keys(body).every((key) => FLAT_KEYS.has(key));
  const selector =
    typeof body.user === 'string' ? (body.user.includes('@') ? { email: body.user } : { username: body.user })
    : typeof body.username === 'string' ? { username: body.username }
    : typeof body.email === 'string' ? { email: body.email }
    : null;
  if (flat && selector) {
    const code = body.code !== undefined && body.code !== '' ? body.code : headerCode;
    return { kind: 'password', login: { user: selector, password: body.password }, code };
  }
  if ('user' in body || 'password' in body) return { kind: 'password', login: body, code: headerCode };
  throw ddpErrors.unrecognizedLogin();
}

/** `POST /api/v1/login`, `logout` and `me`: one session model with DDP (the auth token is a resume token). */
export const loginRoutes: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  /** Rocket.Chat's answer, with what the session proved beside `authToken`: `amr` (RFC 8176) and `secondFactorAt`. */
  async function loginAnswer(user: UserRecord, authToken: string, session: Session) {
    const [{ enabled }, setup] = await Promise.all([core.factors.totp.status(user.id), core.auth.setupRequirement(user)]);
    const proved = { amr: session.amr, secondFactorAt: session.secondFactorAt?.toISOString() ?? null };
    return { status: 'success', data: { userId: user.id, authToken, ...proved, me: meJson(user, enabled), ...restSetupRequired(setup) } };
  }

  async function signIn(request: FastifyRequest): Promise<{ user: UserRecord; token: string; session: Session }> {
    const wanted = loginRequest(request.body, header(request, 'x-2fa-code'));
    if (wanted.kind === 'resume') {
      if (typeof wanted.token !== 'string') throw ddpErrors.matchFailed();
      // Meteor's words for a token that no longer works, as DDP's resume gives them.
      const { user, session } = await core.auth.authenticate(wanted.token, 'setup').catch((error: unknown) => {
        throw resumeError(error) ?? error;
      });
      return { user, token: wanted.token, session };
    }
    const input = await passwordLogin(core, wanted.login);
    const context = requestContext(request, 'rocketchat');
    const method = header(request, 'x-2fa-method');
    const result: SignInResult =
      wanted.code === undefined || wanted.code === null || wanted.code === ''
        ? await core.auth.signIn(input, context, { style: 'challenge', preferredMethod: method })
        : await core.auth.signInWithAnswer(input, ddpProof(wanted.code, method, null), context);
    if (result.kind !== 'session') throw new TwofoldError('second_factor_required');
    return { user: result.user, token: result.issued.token, session: result.issued.session };
  }

  app.post('/login', { schema: { hide: true }, config: { rateLimit: 'login', rocketChatErrors: 'login' } }, async (request) => {
    const { user, token, session } = await signIn(request);
    return { ...(await loginAnswer(user, token, session)), success: true };
  });

  // Rocket.Chat still answers GET (Restivus' old default) beside POST.
  app.route({
    method: ['GET', 'POST'],
    url: '/logout',
    schema: { hide: true },
    async handler(request) {
      const { user, session } = await requireRestLogin(core, request, 'setup');
      await core.sessions.revoke(user.id, session.id);
      return { status: 'success', data: { message: "You've been logged out!" }, success: true };
    },
  });

  app.get('/me', { schema: { hide: true } }, async (request) => {
    const { user } = await requireRestLogin(core, request, 'setup');
    const [{ enabled }, setup] = await Promise.all([core.factors.totp.status(user.id), core.auth.setupRequirement(user)]);
    return { ...meJson(user, enabled), ...restSetupRequired(setup), success: true };
  });
};
