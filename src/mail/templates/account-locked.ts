import { formatWhen, plainText, type Template } from './common.ts';
import { layout, paragraph } from './html.ts';

export const accountLocked: Template<'account-locked'> = (notice, ctx) => {
  const what = `There were too many wrong sign-in codes for your ${ctx.productName} account, so signing in is blocked until ${formatWhen(notice.until)}.`;
  const ifYou = 'If that was you, wait until then and try again.';
  const ifNot = 'If it was not you, someone knows your password: change it as soon as you can sign in again, and tell your administrator.';
  return {
    subject: `${ctx.productName}: signing in is blocked for a while`,
    text: plainText(ctx, notice.to, [what, ifYou, ifNot]),
    html: layout({ productName: ctx.productName, title: 'Signing in is blocked for a while', to: notice.to, body: [paragraph(what), paragraph(ifYou), paragraph(ifNot)] }),
  };
};
