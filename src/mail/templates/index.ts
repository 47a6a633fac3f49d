import type { Notice } from '../../core/notices.ts';
import { accountLocked } from './account-locked.ts';
import { backupCodesRegenerated } from './backup-codes-regenerated.ts';
import type { NoticeKind, RenderedMail, Template, TemplateContext } from './common.ts';
import { emailCode } from './email-code.ts';
import { factorDisabled } from './factor-disabled.ts';
import { factorEnabled } from './factor-enabled.ts';
import { passwordChanged } from './password-changed.ts';
import { passwordReset } from './password-reset.ts';
import { totpReplayRejected } from './totp-replay-rejected.ts';
import { verifyEmail } from './verify-email.ts';
import { registrationAttempt } from './registration-attempt.ts';
import { factorsReset } from './factors-reset.ts';
import { factorChangeRequested } from './factor-change-requested.ts';

/** One template per notice kind; a new kind in `Notice` fails to compile until it has one here. */
export const templates: { readonly [K in NoticeKind]: Template<K> } = {
  'verify-email': verifyEmail,
  'password-reset': passwordReset,
  'password-changed': passwordChanged,
  'email-code': emailCode,
  'factor-enabled': factorEnabled,
  'factor-disabled': factorDisabled,
  'backup-codes-regenerated': backupCodesRegenerated,
  'account-locked': accountLocked,
  'totp-replay-rejected': totpReplayRejected,
  'registration-attempt': registrationAttempt,
  'factors-reset': factorsReset,
  'factor-change-requested': factorChangeRequested,
};

export function renderNotice(notice: Notice, ctx: TemplateContext): RenderedMail {
  // The map above pairs each kind with its template; TypeScript cannot follow that through the union.
  const template = templates[notice.kind] as (notice: Notice, ctx: TemplateContext) => RenderedMail;
  return template(notice, ctx);
}

export { formatCode, formatWhen, type NoticeOf, type RenderedMail, type Template, type TemplateContext } from './common.ts';
export { escapeHtml, html, layout, SafeHtml } from './html.ts';
