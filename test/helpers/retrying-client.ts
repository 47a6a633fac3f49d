import { decodeBase32 } from '../../src/core/otp/base32.ts';
import { generateTOTP } from '../../src/core/otp/totp.ts';

const PASSWORD = 'cut me off if you can';
const TEMPORARY = ['database_unavailable', 'database_timeout', 'server_busy'];

export interface EnrolledUser {
  email: string;
  key: Uint8Array;
}

export type Outcome = { email: string; result: 'signed-in' | 'temporary' | 'wrong'; detail: string; retries: number; token?: string };

/**
 * A well-behaved native-API client under faults: a 5xx is retried with the very same request (the same
 * transaction, the same code) after `pauseMs`, up to `maxRetries` times; it gives up on a clean, typed 503.
 * Anything else — an untyped 5xx, a refusal of the right code — is "wrong": the server lost or broke something.
 */
export function retryingClient(baseUrl: string, { maxRetries = 10, pauseMs = 150 } = {}) {
  async function post(path: string, body: unknown) {
    const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, any> };
  }

  async function send(path: string, body: unknown) {
    let retries = 0;
    for (;;) {
      const answer = await post(path, body).catch(() => ({ status: 599, retryAfter: null, body: {} as Record<string, any> }));
      const clean = answer.status === 503 && TEMPORARY.includes(answer.body.error?.code) && answer.retryAfter !== null;
      if (answer.status < 500 || !clean || retries === maxRetries) return { answer, clean, retries };
      retries += 1;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }

  /**
   * A user with an active authenticator (its enrolment spends the current TOTP step). Setting-up is not what is
   * under test: a registration refused for the moment is tried again under a new address — the same address
   * again would meet registration privacy (an address taken by a registration that did commit gets a decoy).
   */
  async function enrolled(prefix: string, i: number): Promise<EnrolledUser> {
    for (let attempt = 0; ; attempt++) {
      const email = attempt === 0 ? `${prefix}.${i}@example.test` : `${prefix}.${i}-${attempt}@example.test`;
      const registered = await post('/v1/users', { email, password: PASSWORD, totp: true });
      if (registered.status === 503 && attempt < maxRetries) {
        await new Promise((r) => setTimeout(r, pauseMs));
        continue;
      }
      if (registered.status !== 201) throw new Error(`registering ${email}: ${registered.status} ${JSON.stringify(registered.body)}`);
      const key = decodeBase32(registered.body.totp.secret);
      const code = generateTOTP(key, Date.now());
      const confirmed = (await send('/v1/sessions/second-factor', { transactionId: registered.body.totp.transactionId, code })).answer;
      if (confirmed.status !== 201 && confirmed.status !== 200) throw new Error(`enrolling ${email}: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
      return { email, key };
    }
  }

  /** Password, then the next step's TOTP code (the enrolment spent the current one). */
  async function signIn(user: EnrolledUser): Promise<Outcome> {
    const started = await send('/v1/sessions', { login: user.email, password: PASSWORD });
    if (started.answer.status !== 202) {
      return { email: user.email, result: started.clean ? 'temporary' : 'wrong', detail: `password step: ${started.answer.status}`, retries: started.retries };
    }
    const code = generateTOTP(user.key, Date.now() + 30_000);
    const done = await send('/v1/sessions/second-factor', { transactionId: started.answer.body.transactionId, code });
    const retries = started.retries + done.retries;
    const detail = `${done.answer.status} ${done.answer.body.error?.code ?? ''} after ${done.retries} retries`;
    // 200: a retry of the request that had completed (its answer lost to a fault) gets the same session back.
    if (done.answer.status === 201 || done.answer.status === 200) return { email: user.email, result: 'signed-in', detail, retries, token: done.answer.body.token };
    return { email: user.email, result: done.clean ? 'temporary' : 'wrong', detail, retries };
  }

  return { enrolled, signIn };
}
