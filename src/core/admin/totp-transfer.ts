import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { TwofoldError } from '../errors.ts';
import type { TotpCredential } from '../factors/totp-store.ts';
import { openSecret } from '../factors/totp.ts';
import { normalizeEmail } from '../users/identity.ts';
import type { UserStore } from '../users/store.ts';
import type { UserRecord } from '../users/user.ts';
import { formatTransferFile, parseTransferFile, type TransferFormat, type TransferRecord, type UnreadRecord } from './totp-formats.ts';

/** Storage port for moving authenticators in and out. */
export interface TotpTransferStore {
  /** Stores an active authenticator unless the user has one already (then false): never replaces a working one. */
  insertActive(credential: TotpCredential): Promise<boolean>;
  /** Every active authenticator with its user. */
  listActive(): Promise<Array<{ user: UserRecord; credential: TotpCredential }>>;
  /** Whether the user has an active authenticator. */
  hasActive(userId: string): Promise<boolean>;
}

export interface TotpTransferDeps {
  transfer: TotpTransferStore;
  users: UserStore;
  keyRing: KeyRing;
  audit: AuditLog;
  clock: Clock;
  issuer: string;
}

export interface ImportReport {
  imported: Array<{ where: string; user: string; userId: string }>;
  skipped: UnreadRecord[];
  dryRun: boolean;
}

const aad = (credentialId: string) => `totp:${credentialId}`;

async function findUser(users: UserStore, name: string): Promise<UserRecord | null> {
  if (!name.includes('@')) return users.findByUsername(name);
  try {
    return await users.findByEmail(normalizeEmail(name));
  } catch {
    return null;
  }
}

/**
 * Imports authenticators from another system's export: each secret sealed with the key ring as it arrives,
 * its algorithm, digits and period kept, active at once (the phone already has it). A user who already has an
 * authenticator keeps it; an unknown user, a bad or weak secret is skipped — every skip reported with its reason.
 */
export async function importTotp(deps: TotpTransferDeps, format: TransferFormat, text: string, options: { dryRun: boolean }): Promise<ImportReport> {
  const report: ImportReport = { imported: [], skipped: [], dryRun: options.dryRun };
  const seen = new Set<string>();
  for (const entry of parseTransferFile(format, text)) {
    if ('reason' in entry) {
      report.skipped.push(entry);
      continue;
    }
    const skip = (reason: string) => report.skipped.push({ where: entry.where, reason });
    const user = await findUser(deps.users, entry.user);
    if (!user) {
      skip(`no user ${entry.user}`);
      continue;
    }
    if (seen.has(user.id)) {
      skip(`${entry.user} appears twice in the file`);
      continue;
    }
    seen.add(user.id);
    if (options.dryRun ? await deps.transfer.hasActive(user.id) : !(await deps.transfer.insertActive(sealed(deps, user, entry)))) {
      skip(`${entry.user} has an authenticator already`);
      continue;
    }
    if (!options.dryRun) await deps.audit.record('totp_imported', user.id, { client: 'cli' }, { format, params: entry.params });
    report.imported.push({ where: entry.where, user: entry.user, userId: user.id });
  }
  return report;
}

function sealed(deps: TotpTransferDeps, user: UserRecord, entry: TransferRecord): TotpCredential {
  const id = randomUUID();
  const now = deps.clock.now();
  return {
    id,
    userId: user.id,
    state: 'active',
    secretSealed: deps.keyRing.encrypt(entry.secret, aad(id)),
    params: entry.params,
    lastUsedStep: null,
    createdAt: now,
    activatedAt: now,
  };
}

/**
 * Every active authenticator's secret, in the clear, in `format`. Whoever holds the file can sign in as these
 * users' second factor: the caller must say so explicitly, and each user's export is audited.
 */
export async function exportTotp(deps: TotpTransferDeps, format: TransferFormat, options: { iUnderstandThisExportsSecrets: boolean }): Promise<{ text: string; count: number }> {
  if (options.iUnderstandThisExportsSecrets !== true) {
    throw new TwofoldError('validation_failed', {}, 'Exporting TOTP secrets writes them in the clear: pass --i-understand-this-exports-secrets to go on.');
  }
  const rows = await deps.transfer.listActive();
  const records = rows.map(({ user, credential }) => ({ user: user.email, secret: openSecret(deps, credential), params: credential.params }));
  for (const { user } of rows) await deps.audit.record('totp_exported', user.id, { client: 'cli' }, { format });
  return { text: formatTransferFile(format, records, deps.issuer), count: records.length };
}
