import { describe, expect, it } from 'vitest';
import type { Notice } from '../core/notices.ts';
import { createMailNotifier, type Mailer, type MailMessage } from './index.ts';

/** A mailer that only remembers what it was asked to send. */
function recordingMailer(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
      return { messageId: `<${sent.length}@test>` };
    },
    async verify() {},
    async close() {},
  };
}

const ctx = { productName: 'Acme' };
const at = new Date('2030-01-01T12:00:00Z');

describe('createMailNotifier', () => {
  it('renders the notice with its template and sends it to a list of addresses', async () => {
    const mailer = recordingMailer();
    await createMailNotifier(mailer, ctx).send({ kind: 'factor-enabled', to: 'ann@example.test', factor: 'totp', at });
    expect(mailer.sent).toEqual([
      expect.objectContaining({ to: ['ann@example.test'], subject: 'Acme: two-step sign-in turned on', text: expect.stringContaining('authenticator app') }),
    ]);
    expect(mailer.sent[0]).not.toHaveProperty('devSecret');
  });

  it('keeps the list of an email-code notice, without blanks or repeats', async () => {
    const mailer = recordingMailer();
    await createMailNotifier(mailer, ctx).send({ kind: 'email-code', to: ['ann@example.test', ' ann@example.test ', '', 'bob@example.test'], code: '123456', expiresAt: at });
    expect(mailer.sent[0]?.to).toEqual(['ann@example.test', 'bob@example.test']);
  });

  it('passes the secret along for the development log: the link of verify-email, the code of email-code', async () => {
    const mailer = recordingMailer();
    const notifier = createMailNotifier(mailer, ctx);
    await notifier.send({ kind: 'verify-email', to: 'ann@example.test', link: 'https://acme.test/confirm?token=t', expiresAt: at });
    await notifier.send({ kind: 'email-code', to: ['ann@example.test'], code: '123456', expiresAt: at });
    expect(mailer.sent.map((m) => m.devSecret)).toEqual(['https://acme.test/confirm?token=t', '123456']);
  });

  it('lets the mailer’s failure through', async () => {
    const failing: Mailer = { ...recordingMailer(), send: () => Promise.reject(new Error('boom')) };
    const notice: Notice = { kind: 'account-locked', to: 'ann@example.test', until: at };
    await expect(createMailNotifier(failing, ctx).send(notice)).rejects.toThrow('boom');
  });
});
