import type { ResettableFactor } from '../../core/notices.ts';
import { NOT_YOU, formatWhen, plainText, type Template } from './common.ts';
import { layout, paragraph } from './html.ts';

const LABELS: Record<ResettableFactor, string> = {
  totp: 'your authenticator app',
  email: 'sign-in codes by email',
  passkeys: 'your passkeys and security keys',
  backup_codes: 'your backup codes',
  remembered_devices: 'your remembered devices',
};

export const factorsReset: Template<'factors-reset'> = (notice, ctx) => {
  const list = notice.factors.map((f) => LABELS[f]).join(', ');
  const what = `An administrator of ${ctx.productName} removed ${list} from your account on ${formatWhen(notice.at)}, and signed you out everywhere.`;
  const next = 'Sign in again with your password and set up two-step sign-in anew. If you did not ask for this, tell your administrator at once.';
  return {
    subject: `${ctx.productName}: an administrator reset your two-step sign-in`,
    text: plainText(ctx, notice.to, [what, next, NOT_YOU]),
    html: layout({ productName: ctx.productName, title: 'Two-step sign-in reset', to: notice.to, body: [paragraph(what), paragraph(next), paragraph(NOT_YOU)] }),
  };
};
