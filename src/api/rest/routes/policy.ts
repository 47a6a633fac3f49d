import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { passwordPolicy } from '../../../core/password.ts';
import { defaultCorePolicy } from '../../../core/policy.ts';

/** What the server is configured with, as far as a client shows it to people (set at start-up). */
export interface PublicPolicy {
  /** Life of an emailed code (EMAIL_CODE_TTL_SECONDS). */
  emailCodeTtlSeconds: number;
  /** Days a remembered device skips the second factor (TRUSTED_DEVICE_DAYS; 0: not offered). */
  rememberDeviceDays: number;
  /** How long a proven second factor lets a session add factors without a new proof (STEP_UP_WINDOW_SECONDS). */
  stepUpWindowSeconds?: number;
  /** Sign-in waits for a verified address (REQUIRE_EMAIL_CONFIRMATION; default off). */
  requireEmailConfirmation?: boolean;
  /** Life of a password reset link (default 30 minutes). */
  passwordResetLinkSeconds?: number;
}

/** STEP_UP_WINDOW_SECONDS' default: ten minutes. */
export const DEFAULT_STEP_UP_WINDOW_SECONDS = 600;

const PolicySchema = Type.Object({
  passwordMinLength: Type.Integer({ minimum: 1 }),
  passwordMaxLength: Type.Integer({ minimum: 1 }),
  emailCodeTtlSeconds: Type.Integer({ minimum: 1 }),
  stepUpWindowSeconds: Type.Integer({ minimum: 0 }),
  rememberDeviceDays: Type.Integer({ minimum: 0, description: '0: signing in does not offer to remember the device.' }),
  requireEmailConfirmation: Type.Boolean({ description: 'Sign-in answers `email_not_confirmed` until the address is verified.' }),
  passwordResetLinkSeconds: Type.Integer({ minimum: 1, description: 'How long a mailed password reset link works.' }),
});

/**
 * The rules and lifetimes a client tells its users about (the password rule, how long an emailed code
 * lives, ...), so no client repeats the server's numbers as literals that drift when the operator changes them.
 */
export const policyRoutes: FastifyPluginAsyncTypebox<{ policy: PublicPolicy }> = async (app, { policy }) => {
  const answer = {
    passwordMinLength: passwordPolicy.minLength,
    passwordMaxLength: passwordPolicy.maxLength,
    emailCodeTtlSeconds: policy.emailCodeTtlSeconds,
    stepUpWindowSeconds: policy.stepUpWindowSeconds ?? DEFAULT_STEP_UP_WINDOW_SECONDS,
    rememberDeviceDays: policy.rememberDeviceDays,
    requireEmailConfirmation: policy.requireEmailConfirmation ?? false,
    passwordResetLinkSeconds: passwordResetLinkSeconds(policy),
  };
  app.get(
    '/policy',
    { schema: { tags: ['policy'], summary: 'The password rule and the lifetimes a client shows its users', response: { 200: PolicySchema } } },
    async () => answer,
  );
};

export const passwordResetLinkSeconds = (policy: PublicPolicy) => policy.passwordResetLinkSeconds ?? defaultCorePolicy.passwordResetTtlSeconds;
