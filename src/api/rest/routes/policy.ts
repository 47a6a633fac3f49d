import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { passwordPolicy } from '../../../core/password.ts';

/** What the server is configured with, as far as a client shows it to people (set at start-up). */
export interface PublicPolicy {
  /** Life of an emailed code (EMAIL_CODE_TTL_SECONDS). */
  emailCodeTtlSeconds: number;
  /** Days a remembered device skips the second factor (TRUSTED_DEVICE_DAYS; 0: not offered). */
  rememberDeviceDays: number;
  /** How long a proven second factor lets a session add factors without a new proof (STEP_UP_WINDOW_SECONDS). */
  stepUpWindowSeconds?: number;
}

/** STEP_UP_WINDOW_SECONDS' default: ten minutes. */
export const DEFAULT_STEP_UP_WINDOW_SECONDS = 600;

const PolicySchema = Type.Object({
  passwordMinLength: Type.Integer({ minimum: 1 }),
  passwordMaxLength: Type.Integer({ minimum: 1 }),
  emailCodeTtlSeconds: Type.Integer({ minimum: 1 }),
  stepUpWindowSeconds: Type.Integer({ minimum: 0 }),
  rememberDeviceDays: Type.Integer({ minimum: 0, description: '0: signing in does not offer to remember the device.' }),
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
  };
  app.get(
    '/policy',
    { schema: { tags: ['policy'], summary: 'The password rule and the lifetimes a client shows its users', response: { 200: PolicySchema } } },
    async () => answer,
  );
};
