import { NOT_YOU, formatWhen, plainText, type Template } from './common.ts';
import { layout, paragraph } from './html.ts';

export const totpReplayRejected: Template<'totp-replay-rejected'> = (notice, ctx) => {
  const what = `On ${formatWhen(notice.at)}, someone tried to sign in to your ${ctx.productName} account with an authenticator code that had already been used. It was refused.`;
  const ifYou = 'If you simply entered the same code twice, there is nothing to do.';
  return {
    subject: `${ctx.productName}: a reused sign-in code was refused`,
    text: plainText(ctx, notice.to, [what, ifYou, NOT_YOU]),
    html: layout({ productName: ctx.productName, title: 'A reused sign-in code was refused', to: notice.to, body: [paragraph(what), paragraph(ifYou), paragraph(NOT_YOU)] }),
  };
};
