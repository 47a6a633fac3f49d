import { formatCode, formatWhen, plainText, type Template } from './common.ts';
import { html, layout, paragraph } from './html.ts';

/**
 * A one-time sign-in code. The code never goes in the subject: subjects are logged and shown in
 * notification previews.
 */
export const emailCode: Template<'email-code'> = (notice, ctx) => {
  const code = formatCode(notice.code);
  const until = formatWhen(notice.expiresAt);
  const notYou = `If you did not try to sign in, ignore this mail and change your password: someone may know it.`;
  return {
    subject: `Your ${ctx.productName} sign-in code`,
    text: plainText(ctx, notice.to, [
      `Your sign-in code is:`,
      `    ${code}`,
      `It works once, until ${until}. Never share it with anyone.`,
      notYou,
    ]),
    html: layout({
      productName: ctx.productName,
      title: 'Your sign-in code',
      to: notice.to,
      body: [
        paragraph('Your sign-in code is:'),
        paragraph(html`<strong style="font-size:28px;letter-spacing:3px;font-family:ui-monospace,Menlo,Consolas,monospace">${code}</strong>`),
        paragraph(`It works once, until ${until}. Never share it with anyone.`),
        paragraph(notYou),
      ],
    }),
    devSecret: notice.code,
  };
};
