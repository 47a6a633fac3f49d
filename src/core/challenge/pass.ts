/**
 * Proof, inside this process, that the challenge module let a user through for one operation. Only it makes
 * passes (a module-private WeakSet remembers them) and each is spent once, so a façade cannot forge one or
 * reuse it for another call. DDP's `callWithTwoFactorRequired` checks first, then runs the method with it.
 */
export interface ChallengePass {
  readonly userId: string;
  readonly operation: string;
}

const live = new WeakSet<ChallengePass>();

export function issuePass(userId: string, operation: string): ChallengePass {
  const pass = Object.freeze({ userId, operation });
  live.add(pass);
  return pass;
}

export function spendPass(pass: unknown, userId: string, operation: string): boolean {
  // A WeakSet holds only objects: anything else (a forged string, null) is simply not in it.
  if (!live.has(pass as ChallengePass)) return false;
  const { userId: passUser, operation: passOperation } = pass as ChallengePass;
  live.delete(pass as ChallengePass);
  return passUser === userId && passOperation === operation;
}
