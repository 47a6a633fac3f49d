// The module groups of `npm run test:mutation`, one Stryker run each (stryker/core.conf.mjs, scripts/mutation.js).

/** The groups: what each mutates. scripts/mutation.js judges each module of a group against the threshold. */
export const GROUPS = {
  // retry.ts (the tokens a repeated sign-in derives again) is left out: its loops' mutants hang until a timeout and
  // a fresh test runner each; the sign-in tests' repeated requests hold it. store.ts is types only.
  // The challenge module in two runs (they can run side by side): the answer path, and the rest.
  answer: ['src/core/challenge/answer.ts', 'src/core/challenge/verify.ts', 'src/core/challenge/sign-in.ts'],
  challenge: [
    'src/core/challenge/*.ts',
    '!src/core/challenge/{answer,verify,sign-in,proof,retry,store}.ts',
  ],
  codes: [
    'src/core/challenge/proof.ts',
    'src/core/factors/email-codes.ts',
    'src/core/factors/backup-codes.ts',
    'src/core/factors/totp.ts',
    'src/core/limits/rate-limit.ts',
  ],
  otp: ['src/core/otp/*.ts'],
};
