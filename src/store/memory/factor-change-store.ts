import type { FactorChangeRecord, FactorChangeStore } from '../../core/factor-changes/store.ts';
import { changeTarget } from '../../core/factor-changes/store.ts';
import { sameKeyName } from '../../core/factors/webauthn/store.ts';
import { replaceBackupCodes } from './backup-code-store.ts';
import { deleteWhere, hex, later, uniqueViolation, type FactorChangeRow, type MemoryTables } from './tables.ts';

function record(row: FactorChangeRow): FactorChangeRecord {
  const { id, userId, kind, sessionId, requestedAt, applyAt, status, settledAt, payload } = row;
  const keyName = payload.kind === 'passkey-add' && 'key' in payload ? payload.key.name : null;
  return { id, userId, kind, sessionId, requestedAt, applyAt, status, settledAt, keyName };
}

const byApplyAt = (a: FactorChangeRow, b: FactorChangeRow) => a.applyAt.getTime() - b.applyAt.getTime() || (a.id < b.id ? -1 : 1);

/** Migration 0016 in memory: each call is as atomic as its SQL transaction (no await between read and write). */
export function createMemoryFactorChangeStore(tables: MemoryTables): FactorChangeStore {
  const { factorChanges } = tables;
  const pendingOf = (userId: string) => [...factorChanges.values()].filter((c) => c.userId === userId && c.status === 'pending');
  return {
    async insert(c) {
      tables.requireUser(c.userId);
      const target = changeTarget(c.payload, c.id);
      if ([...factorChanges.values()].some((o) => o.vetoTokenHash === hex(c.vetoTokenHash))) throw uniqueViolation('factor_changes_veto_token_key');
      // As the SQL statement: no waiting credential inserts nothing (before any unique index is looked at).
      const moving = !('appliedAlready' in c.payload) && (c.payload.kind === 'totp-enable' || c.payload.kind === 'totp-replace') ? c.payload.credentialId : null;
      const waiting = moving ? tables.totp.get(moving) : undefined;
      if (moving && (!waiting || waiting.userId !== c.userId || waiting.state === 'active')) return 'credential-gone';
      if (c.status === 'pending' && pendingOf(c.userId).some((o) => o.target === target)) return 'duplicate';
      const moved = waiting ? { ...waiting, params: { ...waiting.params } } : null;
      if (waiting) tables.deleteCredential(waiting.id);
      factorChanges.set(c.id, {
        id: c.id,
        userId: c.userId,
        kind: c.payload.kind,
        sessionId: c.sessionId,
        requestedAt: c.requestedAt,
        applyAt: c.applyAt,
        status: c.status,
        settledAt: c.status === 'applied' ? c.requestedAt : null,
        target,
        payload: c.payload,
        moved,
        vetoTokenHash: hex(c.vetoTokenHash),
        vetoUntil: c.vetoUntil,
        vetoUsedAt: null,
      });
      return 'recorded';
    },
    async applyDue(now, options) {
      const due = [...factorChanges.values()]
        .filter((c) => c.status === 'pending' && !later(c.applyAt, now) && (!options.userId || c.userId === options.userId))
        .sort(byApplyAt)
        .slice(0, options.limit);
      for (const change of due) {
        change.status = applyOne(tables, change, now) ? 'applied' : 'failed';
        change.settledAt = now;
        change.moved = null;
      }
      return due.map(record);
    },
    async listPending(userId) {
      return pendingOf(userId).sort(byApplyAt).map(record);
    },
    async veto(tokenHash, now) {
      const spent = [...factorChanges.values()].find((c) => c.vetoTokenHash === hex(tokenHash) && c.vetoUsedAt === null && later(c.vetoUntil, now));
      if (!spent) return null;
      spent.vetoUsedAt = now;
      const vetoed = pendingOf(spent.userId);
      // As the SQL: a vetoed authenticator's secret is gone for good.
      for (const change of vetoed) Object.assign(change, { status: 'vetoed', settledAt: now, moved: null });
      const user = tables.users.get(spent.userId);
      if (user) Object.assign(user, { lockedByOwnerAt: user.lockedByOwnerAt ?? now, updatedAt: now });
      return { userId: spent.userId, vetoed: vetoed.map(record) };
    },
    async unlock(userId, now) {
      const user = tables.users.get(userId);
      if (!user) return false;
      Object.assign(user, { lockedByOwnerAt: null, updatedAt: now });
      return true;
    },
  };
}

/** The SQL store's `applyOne` on the tables; false when a new key can no longer be stored. */
function applyOne(tables: MemoryTables, change: FactorChangeRow, now: Date): boolean {
  const { userId, payload } = change;
  const user = tables.users.get(userId);
  if (!user || 'appliedAlready' in payload) return false;
  switch (payload.kind) {
    case 'totp-enable':
    case 'totp-replace':
      for (const c of [...tables.totp.values()]) if (c.userId === userId && (c.state === 'active' || c.id === payload.credentialId)) tables.deleteCredential(c.id);
      tables.totp.set(change.moved!.id, { ...change.moved!, state: 'active', createdAt: now, activatedAt: now });
      replaceBackupCodes(tables, userId, payload.backupCodeHashes, now);
      return true;
    case 'totp-disable':
      deleteWhere(tables.backupCodes, (b) => b.userId === userId);
      for (const c of [...tables.totp.values()]) if (c.userId === userId) tables.deleteCredential(c.id);
      return true;
    case 'email-enable':
    case 'email-disable':
      Object.assign(user, { emailTwoFactorEnabledAt: payload.kind === 'email-enable' ? (user.emailTwoFactorEnabledAt ?? now) : null, updatedAt: now });
      return true;
    case 'passkey-add': {
      const key = payload.key;
      // As the SQL's unique indexes: the key's id, the authenticator's id, and the name among the user's keys.
      const clash = [...tables.webauthn.values()].some(
        (k) => k.id === key.id || k.credentialId === key.credentialId || (k.userId === userId && sameKeyName(k.name, key.name)),
      );
      if (clash) return false;
      tables.webauthn.set(key.id, { ...key, publicKey: new Uint8Array(key.publicKey), transports: [...key.transports], createdAt: now, lastUsedAt: null });
      return true;
    }
    case 'passkey-remove':
      if (tables.webauthn.get(payload.keyId)?.userId === userId) tables.webauthn.delete(payload.keyId);
      return true;
  }
}
