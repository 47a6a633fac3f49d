import type { Clock } from '../../src/core/clock.ts';
import { decodeBase32 } from '../../src/core/otp/base32.ts';
import { generateTOTP } from '../../src/core/otp/totp.ts';
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
    links: { verifyEmail: (token) => `memory://verify?token=${token}`, resetPassword: (token) => `memory://reset?token=${token}`, vetoFactorChange: (token) => `memory://veto?token=${token}` },
  });
  return { core, clock, keyRing, notices, stores, tables, policy };
}

const memoryContext = { client: 'rest' as const, ip: '192.0.2.1', userAgent: 'memory core' };

/**
 * A memory core with one user who signed up without a factor, then enrolled an authenticator in that first
 * session (its step is spent). `code()` is the authenticator's code at the core's clock; the first session is
 * still signed in.
 */
export async function memoryUserWithAuthenticator(label: string, password: string, options: Parameters<typeof memoryCore>[0] = {}) {
  const memory = memoryCore(options);
  const { core, clock } = memory;
  const email = `${label}.${Math.random().toString(36).slice(2)}@example.test`;
  const { user } = await core.auth.register({ email, password });
  const first = await core.auth.signIn({ identity: email, password }, memoryContext);
  if (first.kind !== 'session') throw new Error('a user without a factor gets a session');
  const asker = { session: first.issued.session, context: memoryContext, proof: { kind: 'recent' as const, sessionId: first.issued.session.id } };
  const enrolment = await core.factors.totp.enrol(user.id, asker);
  const code = () => generateTOTP(decodeBase32(enrolment.secret), clock.now().getTime());
  const { backupCodes } = await core.factors.totp.confirm(user.id, { kind: 'code', code: code() }, asker);
  return { ...memory, user, email, code, backupCodes, first: first.issued };
}
