import Type from 'typebox';
import type { SetupRequirement } from '../../core/index.ts';

/**
 * `setupRequired` on a session and on `/v1/me`: the enforcement policy wants this user to set up a second factor
 * by `deadline`. `restricted`: the deadline has passed, and the session may only read `/v1/me`, set up a factor
 * and sign out (anything else is 403 `second_factor_setup_required`) until one is set up.
 */
export const SetupRequiredSchema = Type.Object({
  deadline: Type.String({ format: 'date-time' }),
  restricted: Type.Boolean(),
});

/** The field to spread into an answer: absent when nothing is required. */
export function setupRequiredJson(requirement: SetupRequirement | null) {
  return requirement ? { setupRequired: { deadline: requirement.dueAt.toISOString(), restricted: requirement.restricted } } : {};
}
