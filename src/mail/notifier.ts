import type { Notice, Notifier } from '../core/notices.ts';
import type { Mailer } from './mailer.ts';
import { renderNotice, type TemplateContext } from './templates/index.ts';

/**
 * The core's `Notifier` port, delivered as mail: each notice is rendered by the template of its kind
 * and handed to the mailer. Throws `TwofoldError('mail_delivery_failed')` when the mailer does.
 */
export function createMailNotifier(mailer: Mailer, ctx: TemplateContext): Notifier {
  return {
    async send(notice) {
      const { subject, text, html, devSecret } = renderNotice(notice, ctx);
      await mailer.send({ to: recipients(notice), subject, text, html, ...(devSecret !== undefined ? { devSecret } : {}) });
    },
  };
}

/** A notice's `to` as a list: trimmed, without blanks or repeats. */
export function recipients(notice: Notice): string[] {
  const list = Array.isArray(notice.to) ? notice.to : [notice.to];
  return [...new Set(list.map((address) => address.trim()).filter((address) => address !== ''))];
}
