import type { FactorName, Notice } from '../../core/notices.ts';

/** What a template makes of a notice. `devSecret` is the code or link, for the development log only. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  devSecret?: string;
}

export interface TemplateContext {
  productName: string;
}

export type NoticeKind = Notice['kind'];
export type NoticeOf<K extends NoticeKind> = Extract<Notice, { kind: K }>;
export type Template<K extends NoticeKind> = (notice: NoticeOf<K>, ctx: TemplateContext) => RenderedMail;

/** Codes read and type better in two halves: `123456` → `123-456`, `12345678` → `1234-5678`. */
export function formatCode(code: string): string {
  if (!/^\d{6,}$/.test(code)) return code;
  const half = Math.ceil(code.length / 2);
  return `${code.slice(0, half)}-${code.slice(half)}`;
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'long', timeStyle: 'short' });

/** Absolute and unambiguous, since the server does not know the reader's time zone: `1 January 2030 at 13:05 UTC`. */
export function formatWhen(date: Date): string {
  return `${dateFormat.format(date)} UTC`;
}

export function factorLabel(factor: FactorName): string {
  if (factor === 'webauthn') return 'a passkey or security key';
  return factor === 'totp' ? 'an authenticator app' : 'codes sent by email';
}

/** The plain-text part: paragraphs separated by blank lines, and the same footer as the HTML layout. */
export function plainText(ctx: TemplateContext, to: string | string[], paragraphs: string[]): string {
  const recipients = Array.isArray(to) ? to.join(', ') : to;
  return `${paragraphs.join('\n\n')}\n\n-- \n${ctx.productName} sent this mail to ${recipients}.\n`;
}

/** Advice shared by the security notices. */
export const NOT_YOU = 'If this was not you, change your password right away and tell your administrator: someone else may be able to sign in as you.';
