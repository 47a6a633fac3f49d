/**
 * Proof, inside this process, that the guard let a user through for one operation. Only the guard
 * makes passes (a module-private WeakSet remembers them) and each is spent once, so a façade cannot
 * forge one or reuse it for another call.
 */
export interface GuardPass {
  readonly userId: string;
  readonly operation: string;
}

const live = new WeakSet<GuardPass>();

export function issuePass(userId: string, operation: string): GuardPass {
  const pass = Object.freeze({ userId, operation });
  live.add(pass);
  return pass;
}

export function spendPass(pass: unknown, userId: string, operation: string): boolean {
  if (typeof pass !== 'object' || pass === null || !live.has(pass as GuardPass)) return false;
  const { userId: passUser, operation: passOperation } = pass as GuardPass;
  live.delete(pass as GuardPass);
  return passUser === userId && passOperation === operation;
}
