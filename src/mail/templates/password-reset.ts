import { formatWhen, plainText, type Template } from './common.ts';
import { layout, linkParagraphs, paragraph } from './html.ts';

/**
 * "Forgot my password": the single-use link to choose a new one. Anyone may ask for it for any address, so the
 * mail says that ignoring it changes nothing.
 */
export const passwordReset: Template<'password-reset'> = (notice, ctx) => {
  const until = formatWhen(notice.expiresAt);
  const ignore = `If you did not ask for this, you can ignore this mail: your password stays as it is.`;
  const factor = `If your account asks for a second step at sign-in (an authenticator app, a code by email or a key), it still will.`;
  return {
    subject: `Reset your ${ctx.productName} password`,
    text: plainText(ctx, notice.to, [
      `Someone asked to reset the password of your ${ctx.productName} account. To choose a new one, open this link:`,
      notice.link,
      `The link can be used once and works until ${until}.`,
      factor,
      ignore,
    ]),
    html: layout({
      productName: ctx.productName,
      title: 'Reset your password',
      to: notice.to,
      body: [
        paragraph(`Someone asked to reset the password of your ${ctx.productName} account.`),
        ...linkParagraphs(notice.link, 'Choose a new password'),
        paragraph(`The link can be used once and works until ${until}.`),
        paragraph(factor),
        paragraph(ignore),
      ],
    }),
    devSecret: notice.link,
  };
};
