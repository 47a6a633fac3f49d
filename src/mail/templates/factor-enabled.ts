import { NOT_YOU, factorLabel, formatWhen, plainText, type Template } from './common.ts';
import { layout, paragraph } from './html.ts';

export const factorEnabled: Template<'factor-enabled'> = (notice, ctx) => {
  const what = `Two-step sign-in with ${factorLabel(notice.factor)} was turned on for your ${ctx.productName} account on ${formatWhen(notice.at)}.`;
  const next = 'From now on you will be asked for a code after your password.';
  return {
    subject: `${ctx.productName}: two-step sign-in turned on`,
    text: plainText(ctx, notice.to, [what, next, NOT_YOU]),
    html: layout({ productName: ctx.productName, title: 'Two-step sign-in turned on', to: notice.to, body: [paragraph(what), paragraph(next), paragraph(NOT_YOU)] }),
  };
};
