import { NOT_YOU, formatWhen, plainText, type Template } from './common.ts';
import { layout, paragraph } from './html.ts';

export const backupCodesRegenerated: Template<'backup-codes-regenerated'> = (notice, ctx) => {
  const what = `A new set of backup codes was created for your ${ctx.productName} account on ${formatWhen(notice.at)}.`;
  const next = 'Your old backup codes no longer work. Keep the new ones somewhere safe.';
  return {
    subject: `${ctx.productName}: new backup codes created`,
    text: plainText(ctx, notice.to, [what, next, NOT_YOU]),
    html: layout({ productName: ctx.productName, title: 'New backup codes created', to: notice.to, body: [paragraph(what), paragraph(next), paragraph(NOT_YOU)] }),
  };
};
