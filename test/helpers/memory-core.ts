import type { Clock } from '../../src/core/clock.ts';
import { createKeyRing, type KeyRing } from '../../src/core/crypto/keyring.ts';
import { createCore, defaultCorePolicy, type Core, type CorePolicy } from '../../src/core/index.ts';
import type { CoreLogger } from '../../src/core/logger.ts';
import { memoryStores, MemoryTables } from '../../src/store/memory/index.ts';
import type { CoreStores } from '../../src/core/index.ts';
import { RecordingNotifier } from './notices.ts';

/** A clock that moves only when told: a model's time, TOTP steps included, is exactly what the test says. */
export class ManualClock implements Clock {
  private ms: number;
  constructor(start: Date = new Date('2026-01-01T00:00:00Z')) {
    this.ms = start.getTime();
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

const quiet: CoreLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface MemoryCore {
  core: Core;
  clock: ManualClock;
  keyRing: KeyRing;
  notices: RecordingNotifier;
  stores: CoreStores;
  /** The rows behind the stores, shared by every core built on them. */
  tables: MemoryTables;
  policy: CorePolicy;
}

/**
 * The key ring memory cores seal secrets with: the suite's own key (TEST_KEYS, test/helpers/server.ts), fixed, so a
 * second core reads the first one's rows, and rows a model run leaves in the suite's shared database open for every
 * other test (key rotation and TOTP export read every authenticator there).
 */
export const memoryKeyRing = (): KeyRing => createKeyRing([{ id: 'test1', key: Buffer.from('0123456789abcdef0123456789abcdef') }]);

/**
 * A whole core over in-memory stores: no database, no network, milliseconds per flow. Rate limits are off (as in
 * the suite's servers) unless `policy` turns them on. Build a second core on `tables` (and the same clock) for
 * two instances sharing one database.
 */
export function memoryCore(options: { policy?: Partial<CorePolicy>; clock?: ManualClock; tables?: MemoryTables; notices?: RecordingNotifier } = {}): MemoryCore {
  const clock = options.clock ?? new ManualClock();
  const keyRing = memoryKeyRing();
  const notices = options.notices ?? new RecordingNotifier();
  const { tables, settings: _settings, ...stores } = memoryStores(options.tables);
  const policy: CorePolicy = { ...defaultCorePolicy, rateLimits: { ...defaultCorePolicy.rateLimits, enabled: false }, ...options.policy };
  const core = createCore({
    stores,
    keyRing,
    clock,
    notifier: notices,
    logger: quiet,
    policy,
    links: { verifyEmail: (token) => `memory://verify?token=${token}`, resetPassword: (token) => `memory://reset?token=${token}` },
  });
  return { core, clock, keyRing, notices, stores, tables, policy };
}
