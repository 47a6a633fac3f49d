import { NOT_YOU, factorLabel, formatWhen, plainText, type Template } from './common.ts';
import { layout, paragraph } from './html.ts';

export const factorDisabled: Template<'factor-disabled'> = (notice, ctx) => {
  const what = `Two-step sign-in with ${factorLabel(notice.factor)} was turned off for your ${ctx.productName} account on ${formatWhen(notice.at)}.`;
  const next = 'Your account is now protected by fewer checks. You can turn two-step sign-in on again at any time.';
  return {
    subject: `${ctx.productName}: two-step sign-in turned off`,
    text: plainText(ctx, notice.to, [what, next, NOT_YOU]),
    html: layout({ productName: ctx.productName, title: 'Two-step sign-in turned off', to: notice.to, body: [paragraph(what), paragraph(next), paragraph(NOT_YOU)] }),
  };
};
