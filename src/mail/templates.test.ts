import { describe, expect, it } from 'vitest';
import type { Notice } from '../core/notices.ts';
import { escapeHtml, formatCode, formatWhen, renderNotice, templates } from './index.ts';

const ctx = { productName: 'Acme' };
const at = new Date('2030-01-01T12:00:00Z');
const shownAt = '1 January 2030 at 12:00 UTC';

/** One notice of every kind, addressed to `to`. */
function everyNotice(to: string): Notice[] {
  return [
    { kind: 'verify-email', to, link: 'https://acme.test/confirm?token=abc&x=1', expiresAt: at },
    { kind: 'password-reset', to, link: 'https://acme.test/#reset=abc', expiresAt: at },
    { kind: 'password-changed', to, at, reset: true },
    { kind: 'password-changed', to, at, reset: false },
    { kind: 'email-code', to: [to], code: '123456', expiresAt: at },
    { kind: 'factor-enabled', to, factor: 'totp', at },
    { kind: 'factor-disabled', to, factor: 'email', at },
    { kind: 'factors-reset', to, factors: ['totp', 'backup_codes'], at },
    { kind: 'factor-change-requested', to, factor: 'totp', change: 'replaced', applyAt: at, vetoLink: 'https://id.example/#veto=token', vetoUntil: at },
    { kind: 'factor-enabled', to, factor: 'webauthn', at, veto: { link: 'https://id.example/#veto=first', until: at } },
    { kind: 'backup-codes-regenerated', to, at },
    { kind: 'account-locked', to, until: at },
    { kind: 'totp-replay-rejected', to, at },
    { kind: 'registration-attempt', to, at },
  ];
}

describe('templates', () => {
  it('exist for every notice kind', () => {
    expect([...new Set(everyNotice('x@example.test').map((notice) => notice.kind))].sort()).toEqual(Object.keys(templates).sort());
  });

  it.each(everyNotice('"><script>alert(1)</script>@example.test'))('$kind escapes user-controlled values in the HTML', (notice) => {
    const mail = renderNotice(notice, { productName: 'Acme <b>&</b>' });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@example.test');
    expect(mail.html).toContain('Acme &lt;b&gt;&amp;&lt;/b&gt;');
    // The plain-text part is text: nothing to escape there.
    expect(mail.text).toContain('<script>');
  });

  it.each(everyNotice('ann@example.test'))('$kind says when, and keeps secrets out of the subject', (notice) => {
    const mail = renderNotice(notice, ctx);
    expect(mail.text).toContain(shownAt);
    expect(mail.html).toContain(shownAt);
    expect(mail.subject).toContain('Acme');
    expect(mail.subject).not.toMatch(/123-?456|token/);
    expect(mail.html).toMatch(/^<!doctype html>/);
  });

  it.each(everyNotice('ann@example.test').filter((n) => !['verify-email', 'email-code', 'password-reset', 'registration-attempt'].includes(n.kind)))(
    '$kind tells the user what to do if it was not them',
    (notice) => {
      expect(renderNotice(notice, ctx).text).toMatch(/If (this|it) was not you/);
    },
  );

  it('verify-email: a clickable link (escaped in the attribute), and its expiry', () => {
    const mail = renderNotice(everyNotice('ann@example.test')[0]!, ctx);
    expect(mail.html).toContain('<a href="https://acme.test/confirm?token=abc&amp;x=1"');
    expect(mail.text).toContain('https://acme.test/confirm?token=abc&x=1');
    expect(mail.text).toContain(`works until ${shownAt}`);
    expect(mail.devSecret).toBe('https://acme.test/confirm?token=abc&x=1');
  });

  it('verify-email: a link that is not http(s) is shown, never made clickable', () => {
    const mail = renderNotice({ kind: 'verify-email', to: 'a@example.test', link: 'javascript:alert(1)', expiresAt: at }, ctx);
    expect(mail.html).not.toContain('<a ');
    expect(mail.html).toContain('javascript:alert(1)');
  });

  it('email-code: the code split in two, its expiry, and what to do if it was not asked for', () => {
    const mail = renderNotice({ kind: 'email-code', to: ['a@example.test'], code: '12345678', expiresAt: at }, ctx);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('1234-5678');
      expect(part).not.toContain('12345678');
      expect(part).toContain(`until ${shownAt}`);
      expect(part).toMatch(/did not try to sign in, ignore this mail and change your password/);
    }
    expect(mail.devSecret).toBe('12345678');
  });

  it('password-reset: the link, its expiry, that the second step stays, and that ignoring it changes nothing', () => {
    const mail = renderNotice({ kind: 'password-reset', to: 'a@example.test', link: 'https://acme.test/#reset=abc', expiresAt: at }, ctx);
    expect(mail.html).toContain('<a href="https://acme.test/#reset=abc"');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain(`works until ${shownAt}`);
      expect(part).toMatch(/still will/);
      expect(part).toMatch(/ignore this mail: your password stays as it is/);
    }
    expect(mail.devSecret).toBe('https://acme.test/#reset=abc');
  });

  it('password-changed: says whether it was a reset, and that other sessions ended', () => {
    const reset = renderNotice({ kind: 'password-changed', to: 'a@example.test', at, reset: true }, ctx);
    expect(reset.subject).toBe('Acme: your password was reset');
    expect(reset.text).toMatch(/reset through a link sent to this address .* Every other signed-in session has ended/);
    expect(renderNotice({ kind: 'password-changed', to: 'a@example.test', at, reset: false }, ctx).subject).toBe('Acme: your password was changed');
  });

  it('account-locked: says until when', () => {
    expect(renderNotice({ kind: 'account-locked', to: 'a@example.test', until: at }, ctx).text).toContain(`blocked until ${shownAt}`);
  });
});

describe('helpers', () => {
  it('formatCode splits 6- and 8-digit codes in the middle and leaves anything else alone', () => {
    expect(formatCode('123456')).toBe('123-456');
    expect(formatCode('12345678')).toBe('1234-5678');
    expect(formatCode('1234567')).toBe('1234-567');
    expect(formatCode('1234')).toBe('1234');
    expect(formatCode('abc-def')).toBe('abc-def');
  });

  it('formatWhen is absolute and in UTC', () => {
    expect(formatWhen(new Date('2030-06-15T23:05:00Z'))).toBe('15 June 2030 at 23:05 UTC');
  });

  it('escapeHtml covers text and both quote styles', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
