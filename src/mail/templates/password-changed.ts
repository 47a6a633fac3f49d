import { formatWhen, plainText, type Template } from './common.ts';
import { layout, paragraph } from './html.ts';

/** After a password change or reset (ASVS 2.2.3): every other session has ended. */
export const passwordChanged: Template<'password-changed'> = (notice, ctx) => {
  const how = notice.reset ? 'was reset through a link sent to this address' : 'was changed';
  const what = `The password of your ${ctx.productName} account ${how} on ${formatWhen(notice.at)}. Every other signed-in session has ended.`;
  const notYou = notice.reset
    ? 'If this was not you, someone can read your mail: secure your mailbox, reset your password again and tell your administrator.'
    : 'If this was not you, reset your password right away and tell your administrator: someone else may be able to sign in as you.';
  const title = notice.reset ? 'Your password was reset' : 'Your password was changed';
  return {
    subject: `${ctx.productName}: ${title.toLowerCase()}`,
    text: plainText(ctx, notice.to, [what, notYou]),
    html: layout({ productName: ctx.productName, title, to: notice.to, body: [paragraph(what), paragraph(notYou)] }),
  };
};
