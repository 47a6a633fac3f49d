/**
 * What the core asks to be told to a user. The core decides *that* a user must be told something;
 * `src/mail` decides how it reads. Secrets (links, codes) travel here only on their way to the user.
 */
export type Notice =
  | { kind: 'verify-email'; to: string; link: string; expiresAt: Date }
  | { kind: 'password-reset'; to: string; link: string; expiresAt: Date }
  | { kind: 'password-changed'; to: string; at: Date; reset: boolean }
  | { kind: 'email-code'; to: string[]; code: string; expiresAt: Date }
  /** `veto`: the window is on and this was a first factor, made at once; the link still locks the account. */
  | { kind: 'factor-enabled'; to: string; factor: FactorName; at: Date; veto?: { link: string; until: Date } }
  /** A factor change the veto window holds until `applyAt`: the single-use link cancels it and locks the account. */
  | { kind: 'factor-change-requested'; to: string; factor: FactorName; change: 'enabled' | 'replaced' | 'disabled'; applyAt: Date; vetoLink: string; vetoUntil: Date }
  | { kind: 'factor-disabled'; to: string; factor: FactorName; at: Date }
  | { kind: 'backup-codes-regenerated'; to: string; at: Date }
  | { kind: 'account-locked'; to: string; until: Date }
  | { kind: 'totp-replay-rejected'; to: string; at: Date }
  | { kind: 'registration-attempt'; to: string; at: Date }
  /** An operator reset second factors (the admin API, the CLI): what went, so the owner can tell if it was asked for. */
  | { kind: 'factors-reset'; to: string; factors: ResettableFactor[]; at: Date };

export type FactorName = 'totp' | 'email' | 'webauthn';

/** What an operator can reset one by one (`core/admin/factor-reset.ts`). */
export type ResettableFactor = 'totp' | 'email' | 'passkeys' | 'backup_codes' | 'remembered_devices';

/** Port implemented by `src/mail`. Throws `TwofoldError('mail_delivery_failed')` when the message could not be handed over. */
export interface Notifier {
  send(notice: Notice): Promise<void>;
}
