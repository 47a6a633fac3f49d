import type { Proof } from '../challenge/proof.ts';
import { hasFactor } from '../challenge/factors.ts';
import { signInWithAnswer } from '../challenge/sign-in.ts';
import { TwofoldError } from '../errors.ts';
import type { RequestContext } from '../sessions/session.ts';
import { endEarlierLogins } from '../sessions/concurrent-logins.ts';
import type { Wiring } from '../wiring.ts';
import { passwordStep, type PasswordLoginInput } from './password-login.ts';
import { startSignIn } from './sign-in.ts';

/**
 * A password sign-in that carries its second factor in the same call (DDP `{totp: {login, code}}`): with no answer
 * along, or no factor to answer, it is the sign-in's own challenge or a session; else the answer completes it.
 */
export async function passwordSignInWithAnswer(w: Wiring, input: PasswordLoginInput, proof: Proof | null, context: RequestContext) {
  const { user, state } = await passwordStep(w.passwordStep, input, context);
  if (!proof || proof.kind === 'recent' || !hasFactor(state)) {
    const started = await startSignIn(w.signInStart, user, context, { style: 'challenge' }, state);
    if (started.kind !== 'session') throw new TwofoldError('second_factor_required');
    return endEarlierLogins(w.logins, started, context);
  }
  return endEarlierLogins(w.logins, { kind: 'session' as const, user, issued: await signInWithAnswer(w.signIn, state, proof, context) }, context);
}
