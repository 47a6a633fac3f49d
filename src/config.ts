import { isAbsolute, join, resolve } from 'node:path';
import proxyAddr from '@fastify/proxy-addr';
import type { DatabaseTarget } from './store/index.ts';
import { defaultRateLimitPolicy, type RateLimitPolicy, type RateRuleName } from './core/limits/rate-limit.ts';
import { DEFAULT_POOL_WAIT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from './store/pool-defaults.ts';

/** Everything the server reads from its environment, validated once at start-up. */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  database: DatabaseTarget;
  /** `id:base64,...`; undefined means "generate one into the data directory" (embedded mode only). */
  secretKeys: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: string;
  production: boolean;
  /** Dev mail transport may print codes and links to the log (never in production or tests). */
  logMailSecrets: boolean;
  /** Whom `X-Forwarded-*` is believed from: the number of proxies in front (0: nobody), or their addresses. */
  trustProxy: number | string[];
  bodyLimitBytes: number;
  sessionTtlSeconds: number;
  emailVerificationTtlSeconds: number;
  issuer: string;
  productName: string;
  emailCodeTtlSeconds: number;
  rememberForSeconds: number;
  /** Rocket.Chat's 2FA settings: which code factors are offered, and email codes for new accounts without asking. */
  factors: { totp: boolean; email: boolean; emailAutoOptIn: boolean };
  /** WebAuthn relying party: its id (a domain), display name and the origins allowed to answer challenges. */
  webauthn: { rpId: string; rpName: string; origins: string[] };
  /** Days a remembered device skips the second factor at login (0: no trusted devices). */
  trustedDeviceDays: number;
  /** A session unused this long ends (0: never). */
  sessionIdleSeconds: number;
  /** How long a proof given in a session stands in for another before a factor change. */
  stepUpWindowSeconds: number;
  /** The veto window: how long a factor change of a user who already has a factor waits (0: off). */
  factorChangeVetoSeconds: number;
  /** The native API answers a registration of an existing address like a new one and mails the owner. */
  registrationPrivacy: boolean;
  /** Sign-in waits until the user's address is verified (Backendless' "email confirmation required"). */
  requireEmailConfirmation: boolean;
  /** Backendless logins per account: one (a new login ends the earlier), any number, or at most N (3044 past it). */
  backendlessMultipleLogins: { kind: 'replace' } | { kind: 'unlimited' } | { kind: 'limit'; max: number };
  /** What the Backendless seed's parameterless enable2FA / disable2FA need (session | recent | code). */
  backendlessChangeProof: 'session' | 'recent' | 'code';
  /** Bearer token that guards `/metrics`; without one, `/metrics` is open outside production and off in it. */
  metricsToken: string | undefined;
  /** Per-IP request limits (on by default; off only for load tests and the test suite), each rule configurable. */
  rateLimits: RateLimitPolicy;
  /** Open DDP connections one client address may hold on one instance (while rate limits are on). */
  ddpConnectionsPerIp: number;
  /** How long a request or DDP method may wait on the database in all before it is answered 503. */
  requestTimeoutMs: number;
  /** Backendless app id and REST API key; unset means generated once and kept in the database. */
  backendlessAppId: string | undefined;
  backendlessApiKey: string | undefined;
  /** Seconds between purges of expired rows by the server (0: none; `twofold purge` still works). */
  purgeIntervalSeconds: number;
  /** Security events older than this many days are deleted by the purge; undefined keeps them all. */
  securityEventsRetentionDays: number | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and checks the environment; collects every problem so an operator fixes them in one go. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${env[name]}")`);
    return fallback;
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  };

  const port = int('PORT', 8080, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const production = env.NODE_ENV === 'production';
  const dataDir = resolve(env.DATA_DIR || './data');

  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    const url = new URL(publicUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push('PUBLIC_URL must be an http:// or https:// URL');
  } catch {
    problems.push(`PUBLIC_URL must be an absolute URL (got "${env.PUBLIC_URL}")`);
  }

  const database = parseDatabase(
    env.DATABASE_URL,
    dataDir,
    {
      poolSize: int('DB_POOL_SIZE', 10, 1, 200),
      statementTimeoutMs: int('DB_STATEMENT_TIMEOUT_MS', DEFAULT_STATEMENT_TIMEOUT_MS, 0, 3_600_000),
      poolWaitMs: int('DB_POOL_WAIT_MS', DEFAULT_POOL_WAIT_MS, 100, 60_000),
    },
    problems,
  );
  const secretKeys = env.TWOFOLD_SECRET_KEYS || undefined;
  if (!secretKeys && database.kind === 'postgres') {
    problems.push('TWOFOLD_SECRET_KEYS is required with a PostgreSQL DATABASE_URL (generate one with `twofold keys generate`)');
  }

  for (const name of ['TWOFOLD_APP_ID', 'TWOFOLD_API_KEY']) {
    const value = env[name];
    if (value && !/^[A-Za-z0-9_-]{8,128}$/.test(value)) problems.push(`${name} must be 8 to 128 letters, digits, "-" or "_"`);
  }

  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) problems.push('SMTP_URL must start with smtp:// or smtps://');

  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const issuer = env.TWOFOLD_ISSUER || 'twofold';
  if (issuer.includes(':')) problems.push('TWOFOLD_ISSUER must not contain ":" (authenticator apps split on it)');

  const config: Config = {
    port,
    host,
    publicUrl,
    dataDir,
    database,
    secretKeys,
    smtpUrl,
    mailFrom: env.MAIL_FROM || 'twofold <no-reply@localhost>',
    logLevel,
    production,
    logMailSecrets: !production && env.NODE_ENV !== 'test' && !smtpUrl,
    trustProxy: parseTrustProxy(env.TRUST_PROXY, problems),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    sessionTtlSeconds: int('SESSION_TTL_SECONDS', 30 * 24 * 3600, 60, 365 * 24 * 3600),
    emailVerificationTtlSeconds: int('EMAIL_VERIFICATION_TTL_SECONDS', 24 * 3600, 60, 7 * 24 * 3600),
    issuer,
    productName: env.TWOFOLD_PRODUCT_NAME || issuer,
    emailCodeTtlSeconds: int('EMAIL_CODE_TTL_SECONDS', 600, 60, 600),
    rateLimits: parseRateLimits(env, bool('RATE_LIMITS', true), problems),
    ddpConnectionsPerIp: int('DDP_CONNECTIONS_PER_IP', 100, 1, 100_000),
    metricsToken: env.METRICS_TOKEN || undefined,
    rememberForSeconds: int('TWOFOLD_REMEMBER_FOR_SECONDS', 1800, 0, 30 * 24 * 3600),
    factors: { totp: bool('TOTP_ENABLED', true), email: bool('EMAIL_CODES_ENABLED', true), emailAutoOptIn: bool('EMAIL_CODES_AUTO_OPT_IN', false) },
    webauthn: parseRelyingParty(env, publicUrl, env.TWOFOLD_PRODUCT_NAME || issuer, problems),
    trustedDeviceDays: int('TRUSTED_DEVICE_DAYS', 30, 0, 365),
    sessionIdleSeconds: int('SESSION_IDLE_SECONDS', 7 * 24 * 3600, 0, 365 * 24 * 3600),
    stepUpWindowSeconds: int('STEP_UP_WINDOW_SECONDS', 600, 0, 24 * 3600),
    factorChangeVetoSeconds: int('FACTOR_CHANGE_VETO_SECONDS', 0, 0, 30 * 24 * 3600),
    registrationPrivacy: bool('REGISTRATION_PRIVACY', true),
    backendlessChangeProof: oneOf('BACKENDLESS_2FA_CHANGE_PROOF', ['session', 'recent', 'code'] as const, 'session'),
    requireEmailConfirmation: bool('REQUIRE_EMAIL_CONFIRMATION', false),
    backendlessMultipleLogins: parseMultipleLogins(env.BACKENDLESS_MULTIPLE_LOGINS, problems),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', 5_000, 500, 120_000),
    backendlessAppId: env.TWOFOLD_APP_ID || undefined,
    backendlessApiKey: env.TWOFOLD_API_KEY || undefined,
    purgeIntervalSeconds: int('PURGE_INTERVAL_SECONDS', 300, 0, 24 * 3600),
    securityEventsRetentionDays: retentionDays(env.SECURITY_EVENTS_RETENTION_DAYS, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** `BACKENDLESS_MULTIPLE_LOGINS`: `false` (Backendless' default: one login at a time), `true`, or a number (at most that many). */
function parseMultipleLogins(raw: string | undefined, problems: string[]): Config['backendlessMultipleLogins'] {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || ['false', '0', 'no', 'off'].includes(value)) return { kind: 'replace' };
  if (['true', 'yes', 'on'].includes(value)) return { kind: 'unlimited' };
  const max = Number(value);
  if (Number.isInteger(max) && max >= 1 && max <= 10_000) return { kind: 'limit', max };
  problems.push(`BACKENDLESS_MULTIPLE_LOGINS must be false, true or a number of logins from 1 to 10000 (got "${raw}")`);
  return { kind: 'replace' };
}

/**
 * WebAuthn binds keys to a domain (the RP id) and checks the page's origin: both default to PUBLIC_URL.
 * Each origin must be that domain or under it, or browsers refuse the ceremony.
 */
function parseRelyingParty(env: NodeJS.ProcessEnv, publicUrl: string, productName: string, problems: string[]): Config['webauthn'] {
  const fallbackHost = URL.canParse(publicUrl) ? new URL(publicUrl).hostname : 'localhost';
  const rpId = (env.WEBAUTHN_RP_ID || fallbackHost).toLowerCase();
  // A PUBLIC_URL that does not parse is reported once, as such, not again as an origin.
  const fallback = URL.canParse(publicUrl) ? [publicUrl] : [];
  const raw = env.WEBAUTHN_ORIGINS ? env.WEBAUTHN_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean) : fallback;
  const origins: string[] = [];
  for (const entry of raw) {
    if (!URL.canParse(entry)) {
      problems.push(`WEBAUTHN_ORIGINS: "${entry}" is not an origin like https://example.org`);
      continue;
    }
    const url = new URL(entry);
    if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) {
      problems.push(`WEBAUTHN_ORIGINS: ${url.origin} is not ${rpId} or a subdomain of it (WEBAUTHN_RP_ID)`);
    }
    origins.push(url.origin);
  }
  return { rpId, rpName: env.WEBAUTHN_RP_NAME || productName, origins };
}

/**
 * `TRUST_PROXY`: how many proxies stand in front (a hop count), or their addresses (IPs, CIDRs, or
 * `loopback`, `linklocal`, `uniquelocal`), as @fastify/proxy-addr reads them. `true` is refused: it believes
 * whatever `X-Forwarded-For` a client writes, so any client could pick its own IP and walk past every per-IP
 * limit and the IP binding of the remember-for grace.
 */
function parseTrustProxy(raw: string | undefined, problems: string[]): number | string[] {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'false' || value === 'no' || value === 'off') return 0;
  if (['true', 'yes', 'on'].includes(value)) {
    problems.push(
      'TRUST_PROXY=true would let any client choose its IP address through X-Forwarded-For: write the addresses of ' +
        'your proxies (e.g. TRUST_PROXY=loopback for one on this host, TRUST_PROXY=10.0.0.0/8 for a private network) ' +
        'or, if twofold can be reached only through them, how many there are (e.g. TRUST_PROXY=1)',
    );
    return 0;
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) problems.push(`TRUST_PROXY must be a hop count from 0 to 10 or a list of proxy addresses (got "${raw}")`);
    return Math.min(hops, 10);
  }
  const addresses = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  try {
    proxyAddr.compile(addresses);
  } catch (error) {
    problems.push(`TRUST_PROXY: ${(error as Error).message} (write IP addresses, CIDRs, loopback, linklocal or uniquelocal, comma-separated)`);
  }
  return addresses;
}

/** `RATE_LIMIT_<RULE>=N/SECONDS` (e.g. `RATE_LIMIT_LOGIN=30/60`) overrides one rule's limit and window. */
function parseRateLimits(env: NodeJS.ProcessEnv, enabled: boolean, problems: string[]): RateLimitPolicy {
  const rules = { ...defaultRateLimitPolicy.rules };
  for (const rule of Object.keys(rules) as RateRuleName[]) {
    const name = `RATE_LIMIT_${rule.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
    const limit = Number(match?.[1]);
    const windowSeconds = Number(match?.[2]);
    if (!match || limit < 1 || limit > 1_000_000 || windowSeconds < 1 || windowSeconds > 86_400) {
      problems.push(`${name} must be N/SECONDS, N requests per SECONDS seconds (1 to 1000000 per 1 to 86400, e.g. 30/60; got "${raw}")`);
      continue;
    }
    rules[rule] = { ...rules[rule], limit, windowSeconds };
  }
  return { enabled, rules };
}

/** `keep` (the default) or a number of days: the audit log is evidence, so nothing is deleted unless asked. */
function retentionDays(raw: string | undefined, problems: string[]): number | undefined {
  if (raw === undefined || raw === '' || raw === 'keep') return undefined;
  const days = Number(raw);
  if (Number.isInteger(days) && days >= 1 && days <= 36_500) return days;
  problems.push(`SECURITY_EVENTS_RETENTION_DAYS must be "keep" or a whole number of days from 1 to 36500 (got "${raw}")`);
  return undefined;
}

type PoolSettings = Omit<Extract<DatabaseTarget, { kind: 'postgres' }>, 'kind' | 'url'>;

function parseDatabase(raw: string | undefined, dataDir: string, pool: PoolSettings, problems: string[]): DatabaseTarget {
  if (!raw) return { kind: 'pglite', dataDir: join(dataDir, 'pgdata') };
  if (raw === 'memory://') return { kind: 'pglite', dataDir: undefined };
  if (raw.startsWith('file://')) {
    const path = raw.slice('file://'.length);
    return { kind: 'pglite', dataDir: isAbsolute(path) ? path : resolve(path) };
  }
  if (/^postgres(ql)?:\/\//.test(raw)) return { kind: 'postgres', url: raw, ...pool };
  problems.push('DATABASE_URL must be postgres://..., memory:// or file://<dir> (or unset for the embedded default)');
  return { kind: 'pglite', dataDir: undefined };
}
