import { decodeBase32, encodeBase32 } from './base32.ts';
import type { OtpAlgorithm } from './hotp.ts';
import { defaultTotpParams, type TotpParams } from './totp.ts';

/**
 * Google's Key URI Format, the one every authenticator app reads from a QR code:
 * `otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
 * The issuer goes in both places: older apps read only the label, newer ones prefer the parameter.
 */
export function createTOTPKeyURI(options: { issuer: string; accountName: string; secret: Uint8Array; params?: TotpParams }): string {
  // A colon would be read as the issuer/account separator.
  if (options.issuer.includes(':')) throw new RangeError('the issuer must not contain ":"');
  const params = options.params ?? defaultTotpParams;
  const issuer = encodeURIComponent(options.issuer);
  const label = `${issuer}:${encodeURIComponent(options.accountName)}`;
  const query = [
    `secret=${encodeBase32(options.secret)}`,
    `issuer=${issuer}`,
    `algorithm=${encodeURIComponent(params.algorithm)}`,
    `digits=${encodeURIComponent(params.digits)}`,
    `period=${encodeURIComponent(params.periodSeconds)}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}

export interface ParsedTOTPKeyURI {
  issuer: string;
  accountName: string;
  secret: Uint8Array;
  params: TotpParams;
}

const ALGORITHMS: ReadonlySet<string> = new Set<OtpAlgorithm>(['SHA1', 'SHA256', 'SHA512']);

/** Reads what other generators write too: missing parameters take the format's defaults. */
export function parseTOTPKeyURI(uri: string): ParsedTOTPKeyURI {
  const match = /^otpauth:\/\/totp\/([^?#]*)(?:\?([^#]*))?/i.exec(uri);
  if (match === null) throw new RangeError('not an otpauth://totp/ URI');
  const { labelIssuer, accountName } = splitLabel(match[1]!);
  const query = new URLSearchParams(match[2] ?? '');
  const secret = query.get('secret');
  if (!secret) throw new RangeError('the key URI has no secret');

  const algorithm = (query.get('algorithm') ?? defaultTotpParams.algorithm).toUpperCase();
  if (!ALGORITHMS.has(algorithm)) throw new RangeError(`unknown algorithm ${JSON.stringify(algorithm)}`);
  return {
    issuer: query.get('issuer') ?? labelIssuer,
    accountName,
    secret: decodeBase32(secret),
    params: {
      algorithm: algorithm as OtpAlgorithm,
      digits: integerParam(query, 'digits', defaultTotpParams.digits, 6, 8),
      periodSeconds: integerParam(query, 'period', defaultTotpParams.periodSeconds, 1, Number.MAX_SAFE_INTEGER),
    },
  };
}

// The format allows a literal or an encoded colon between issuer and account, and spaces after it.
function splitLabel(label: string): { labelIssuer: string; accountName: string } {
  const literal = label.indexOf(':');
  const encoded = literal >= 0 ? null : /%3A/i.exec(label);
  const start = literal >= 0 ? literal : encoded?.index;
  if (start === undefined) return { labelIssuer: '', accountName: decodeComponent(label) };
  const end = literal >= 0 ? literal + 1 : start + 3;
  return {
    labelIssuer: decodeComponent(label.slice(0, start)),
    accountName: decodeComponent(label.slice(end)).replace(/^ +/, ''),
  };
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // URIError otherwise: callers of this module expect every bad URI to be a RangeError.
    throw new RangeError(`malformed percent-encoding in ${JSON.stringify(text)}`);
  }
}

function integerParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const text = query.get(name);
  if (text === null) return fallback;
  const value = /^[0-9]{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) throw new RangeError(`${name}=${text} is not an integer from ${min} to ${max}`);
  return value;
}
