import { formatWhen, plainText, type Template } from './common.ts';
import { layout, paragraph } from './html.ts';

/** Someone registered with an address that already has an account: its owner hears of it, the caller learns nothing. */
export const registrationAttempt: Template<'registration-attempt'> = (notice, ctx) => {
  const what = `On ${formatWhen(notice.at)} someone tried to create a new ${ctx.productName} account with this email address, which already has one.`;
  const next = 'Nothing changed: your account, its password and its sign-in methods are as they were.';
  const advice = 'If it was you, sign in with your existing account (use "Forgot password?" if you need to). If it was not you, you may ignore this message: nobody got into your account.';
  return {
    subject: `${ctx.productName}: someone tried to register with your address`,
    text: plainText(ctx, notice.to, [what, next, advice]),
    html: layout({ productName: ctx.productName, title: 'Someone tried to register with your address', to: notice.to, body: [paragraph(what), paragraph(next), paragraph(advice)] }),
  };
};
