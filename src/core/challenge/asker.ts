import type { RequestContext, Session } from '../sessions/session.ts';
import type { UserRecord } from '../users/user.ts';
import type { ChallengePass } from './pass.ts';
import { spendPass } from './pass.ts';
import type { Operation } from './policy.ts';
import { operationName } from './policy.ts';
import type { Proof } from './proof.ts';
import { demandProof, type ChallengeDeps } from './require.ts';

/** Who asks for a protected operation, and what they offer as proof. */
export interface Asker {
  session: Session | null;
  context: RequestContext;
  proof: Proof | null;
  /** The factor the client wants to be challenged with (e.g. `email`). */
  preferredMethod?: unknown;
  /** A pass the challenge module gave for exactly this operation earlier in the same call. */
  pass?: ChallengePass;
}

/** Lets an operation go on only with the proof its policy row asks for (or a pass issued for it). */
export async function authorise(deps: ChallengeDeps, user: UserRecord, operation: Operation, asker: Asker): Promise<void> {
  if (asker.pass && spendPass(asker.pass, user.id, operationName(operation))) return;
  await demandProof(deps, {
    user,
    operation,
    proof: asker.proof,
    preferredMethod: asker.preferredMethod,
    session: asker.session,
    context: asker.context,
  });
}
