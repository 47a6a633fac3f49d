import { decodeBase32, encodeBase32 } from '../otp/base32.ts';
import { createTOTPKeyURI, parseTOTPKeyURI } from '../otp/key-uri.ts';
import { defaultTotpParams, type TotpParams } from '../otp/totp.ts';

/**
 * The formats TOTP secrets move in and out of twofold, so a team can switch without re-enrolling every phone:
 * - `otpauth`: one `otpauth://totp/Issuer:account?secret=…` URI per line (what QR codes hold; Google
 *   Authenticator exports, `2fa`/`pass-otp` keep), the account being the user's email address or username;
 * - `csv`: a header `user,secret,algorithm,digits,period` (the last three optional: SHA1, 6, 30), base32 secrets;
 * - `authelia-yaml`: Authelia's `authelia storage user totp export` file (`totp_configurations:` of `username`,
 *   `algorithm`, `digits`, `period`, `secret` in base32).
 */
export const TRANSFER_FORMATS = ['otpauth', 'csv', 'authelia-yaml'] as const;
export type TransferFormat = (typeof TRANSFER_FORMATS)[number];

/** One secret as read from a file, before it meets the user store. */
export interface TransferRecord {
  /** Where it came from, for the report: `line 3`, `entry 2`. */
  where: string;
  user: string;
  secret: Uint8Array;
  params: TotpParams;
}

/** A record that could not be read, and why; the import reports it and goes on. */
export interface UnreadRecord {
  where: string;
  reason: string;
}

const ALGORITHMS = new Set(['SHA1', 'SHA256', 'SHA512']);

/** Checks what a code generator must agree on: a known algorithm, 6 to 8 digits, a sane period, a real key. */
function record(where: string, user: string, secretText: string, raw: { algorithm?: string; digits?: string; period?: string }): TransferRecord | UnreadRecord {
  if (!user) return { where, reason: 'no user' };
  const algorithm = (raw.algorithm || defaultTotpParams.algorithm).toUpperCase();
  const digits = Number(raw.digits || defaultTotpParams.digits);
  const periodSeconds = Number(raw.period || defaultTotpParams.periodSeconds);
  if (!ALGORITHMS.has(algorithm)) return { where, reason: `unsupported algorithm ${algorithm}` };
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) return { where, reason: `unsupported digits ${raw.digits}` };
  if (!Number.isInteger(periodSeconds) || periodSeconds < 15 || periodSeconds > 300) return { where, reason: `unsupported period ${raw.period}` };
  let secret: Uint8Array;
  try {
    secret = decodeBase32(secretText.replace(/[\s=]/g, '').toUpperCase());
  } catch {
    return { where, reason: 'the secret is not base32' };
  }
  // RFC 4226 4: at least 128 bits; shorter keys are guessable offline from a few codes.
  if (secret.length < 16) return { where, reason: `the secret is ${secret.length * 8} bits (at least 128 needed)` };
  return { where, user, secret, params: { algorithm: algorithm as TotpParams['algorithm'], digits, periodSeconds } };
}

export function parseTransferFile(format: TransferFormat, text: string): Array<TransferRecord | UnreadRecord> {
  switch (format) {
    case 'otpauth':
      return lines(text).map(({ n, line }) => {
        try {
          const uri = parseTOTPKeyURI(line);
          const p = uri.params;
          return record(`line ${n}`, uri.accountName, encodeBase32(uri.secret), { algorithm: p.algorithm, digits: String(p.digits), period: String(p.periodSeconds) });
        } catch (error) {
          return { where: `line ${n}`, reason: (error as Error).message };
        }
      });
    case 'csv': {
      const rows = lines(text);
      const header = rows.shift()?.line.split(',').map((h) => h.trim().toLowerCase()) ?? [];
      if (!header.includes('user') || !header.includes('secret')) return [{ where: 'line 1', reason: 'the header must name user and secret columns' }];
      return rows.map(({ n, line }) => {
        const cells = Object.fromEntries(line.split(',').map((cell, i) => [header[i] ?? `_${i}`, cell.trim()]));
        return record(`line ${n}`, cells.user ?? '', cells.secret ?? '', cells);
      });
    }
    case 'authelia-yaml':
      return autheliaEntries(text).map((entry, i) => record(`entry ${i + 1}`, entry.username ?? '', entry.secret ?? '', entry));
  }
}

/** Writes records in a format `parseTransferFile` reads back (and other tools read). */
export function formatTransferFile(format: TransferFormat, records: readonly Omit<TransferRecord, 'where'>[], issuer: string): string {
  switch (format) {
    case 'otpauth':
      return records.map((r) => createTOTPKeyURI({ issuer, accountName: r.user, secret: r.secret, params: r.params })).join('\n') + '\n';
    case 'csv':
      return ['user,secret,algorithm,digits,period', ...records.map((r) => [r.user, encodeBase32(r.secret), r.params.algorithm, r.params.digits, r.params.periodSeconds].join(','))].join('\n') + '\n';
    case 'authelia-yaml':
      return (
        'totp_configurations:\n' +
        records
          .map((r) =>
            [`  - username: ${JSON.stringify(r.user)}`, `    issuer: ${JSON.stringify(issuer)}`, `    algorithm: ${r.params.algorithm}`, `    digits: ${r.params.digits}`,
              `    period: ${r.params.periodSeconds}`, `    secret: ${encodeBase32(r.secret)}`].join('\n'),
          )
          .join('\n') +
        '\n'
      );
  }
}

function lines(text: string): Array<{ n: number; line: string }> {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ n: i + 1, line: line.trim() }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'));
}

/**
 * The one YAML shape Authelia exports: a `totp_configurations` list of flat `key: scalar` maps. Read by hand
 * rather than with a YAML library: nothing else of YAML is accepted (no anchors, tags or nesting).
 */
function autheliaEntries(text: string): Array<Record<string, string>> {
  const entries: Array<Record<string, string>> = [];
  let inList = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '');
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (/^totp_configurations:\s*$/.test(line)) {
      inList = true;
      continue;
    }
    if (!/^\s/.test(line)) inList = false;
    if (!inList) continue;
    const item = /^\s*-\s+(.*)$/.exec(line);
    if (item) entries.push({});
    const pair = /^([A-Za-z_]+):\s*(.*)$/.exec((item ? item[1]! : line).trim());
    if (pair && entries.length > 0) entries[entries.length - 1]![pair[1]!] = unquote(pair[2]!);
  }
  return entries;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) {
    return v.startsWith('"') ? (JSON.parse(v) as string) : v.slice(1, -1).replace(/''/g, "'");
  }
  return v;
}
