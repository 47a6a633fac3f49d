import { formatWhen, plainText, type Template } from './common.ts';
import { layout, linkParagraphs, paragraph } from './html.ts';

/** Sent after sign-up (or on request): the link that proves the address belongs to the user. */
export const verifyEmail: Template<'verify-email'> = (notice, ctx) => {
  const until = formatWhen(notice.expiresAt);
  const title = 'Confirm your email address';
  return {
    subject: `Confirm your email address for ${ctx.productName}`,
    text: plainText(ctx, notice.to, [
      `Please confirm that this is your email address by opening this link:`,
      notice.link,
      `The link can be used once and works until ${until}.`,
      `If you did not sign up for ${ctx.productName}, you can ignore this mail.`,
    ]),
    html: layout({
      productName: ctx.productName,
      title,
      to: notice.to,
      body: [
        paragraph('Please confirm that this is your email address:'),
        ...linkParagraphs(notice.link, 'Confirm my email address'),
        paragraph(`The link can be used once and works until ${until}.`),
        paragraph(`If you did not sign up for ${ctx.productName}, you can ignore this mail.`),
      ],
    }),
    devSecret: notice.link,
  };
};
