import { NOT_YOU, factorLabel, formatWhen, plainText, type Template } from './common.ts';
import { layout, linkParagraphs, paragraph } from './html.ts';

export const factorEnabled: Template<'factor-enabled'> = (notice, ctx) => {
  const what = `Two-step sign-in with ${factorLabel(notice.factor)} was turned on for your ${ctx.productName} account on ${formatWhen(notice.at)}.`;
  const next = 'From now on you will be asked for a code after your password.';
  // Under the veto window a first factor applies at once; its link still signs everyone out and locks the account.
  const veto = notice.veto
    ? `If this was not you, open this link: it signs out every session and locks the account until an administrator unlocks it. The link can be used once and works until ${formatWhen(notice.veto.until)}.`
    : null;
  return {
    subject: `${ctx.productName}: two-step sign-in turned on`,
    text: plainText(ctx, notice.to, veto ? [what, next, veto, notice.veto!.link] : [what, next, NOT_YOU]),
    html: layout({
      productName: ctx.productName,
      title: 'Two-step sign-in turned on',
      to: notice.to,
      body: veto ? [paragraph(what), paragraph(next), paragraph(veto), ...linkParagraphs(notice.veto!.link, 'This wasn’t me')] : [paragraph(what), paragraph(next), paragraph(NOT_YOU)],
    }),
    ...(notice.veto ? { devSecret: notice.veto.link } : {}),
  };
};
