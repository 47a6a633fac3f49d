import { readFile } from 'node:fs/promises';
import { createKeyRing, generateKeySpec, parseKeySpecs, type KeyRing } from '../core/crypto/keyring.ts';
import type { Runtime } from '../server/runtime.ts';
import { keyRingFile, writeKeyRingFile } from '../server/secret-keys.ts';
import type { Output } from './output.ts';

const USAGE = `usage: twofold keys <command>
  generate [id]          print a new key for TWOFOLD_SECRET_KEYS
  list                   keys of the ring and what each still protects
  rotate [--retire ID]   re-encrypt every secret under the active (first) key; with the embedded default,
                         a new key is added first. --retire checks ID is no longer needed and drops it`;

/**
 * Key rotation, online: with TWOFOLD_SECRET_KEYS, put the new key first on every instance (they then
 * decrypt with both), run `keys rotate`, and retire the old key once nothing needs it. Safe to interrupt
 * and run again: each secret is replaced by compare-and-set.
 */
export async function keysCommand(runtime: Runtime, args: string[], out: Output): Promise<number> {
  const [command, ...rest] = args;
  const keys = runtime.core.admin.keys;
  const file = keyRingFile(runtime.config);

  if (command === 'list') {
    const usage = await keys.usage();
    const ring = keys.ring();
    const rows = [...new Set([...ring.keyIds, ...usage.map((u) => u.keyId)])].map((keyId) => ({
      keyId,
      active: keyId === ring.activeKeyId,
      inRing: ring.keyIds.includes(keyId),
      ...(usage.find((u) => u.keyId === keyId) ?? { secrets: 0, backupCodes: 0, emailCodes: 0 }),
    }));
    out.result(rows, () =>
      rows
        .map((r) => `${r.keyId}${r.active ? ' (active)' : ''}${r.inRing ? '' : ' MISSING FROM THE RING'}: ${r.secrets} secrets, ${r.backupCodes} backup codes, ${r.emailCodes} email codes`)
        .join('\n'),
    );
    return rows.some((r) => !r.inRing) ? 1 : 0;
  }

  if (command !== 'rotate') {
    out.error(USAGE);
    return 2;
  }
  const retireIndex = rest.indexOf('--retire');
  const retire = retireIndex >= 0 ? rest[retireIndex + 1] : undefined;
  if (retireIndex >= 0 && !retire) {
    out.error('--retire needs a key id');
    return 2;
  }

  let specs = file ? (await readFile(file, 'utf8')).trim().split(',') : (runtime.config.secretKeys ?? '').split(',');
  if (file) specs = [generateKeySpec(`k${Date.now().toString(36)}`), ...specs];
  const ring: KeyRing = createKeyRing(parseKeySpecs(specs.join(',')));
  if (file) await writeKeyRingFile(file, specs);

  const { reencrypted } = await keys.rotate(ring);

  let retired: string | null = null;
  const blockers = retire ? await keys.retirementBlockers(retire) : [];
  if (retire && retire === ring.activeKeyId) blockers.push('it is the active key');
  if (retire && blockers.length === 0) {
    specs = specs.filter((s) => !s.startsWith(`${retire}:`));
    if (file) await writeKeyRingFile(file, specs);
    retired = retire;
  }
  const result = { activeKeyId: ring.activeKeyId, reencrypted, retired, blockers, ...(file || !retired ? {} : { TWOFOLD_SECRET_KEYS: specs.join(',') }) };
  out.result(result, () =>
    [
      `active key: ${ring.activeKeyId}; re-encrypted ${reencrypted} secrets`,
      ...(retired ? [file ? `retired ${retired} from ${file}` : `${retired} can go: set TWOFOLD_SECRET_KEYS=${specs.join(',')}`] : []),
      ...blockers.map((b) => `cannot retire ${retire} yet: ${b}`),
    ].join('\n'),
  );
  return blockers.length > 0 ? 1 : 0;
}
