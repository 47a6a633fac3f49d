import { formatWhen, plainText, type Template } from './common.ts';
import { html, layout, paragraph } from './html.ts';

/** Sent after sign-up (or on request): the link that proves the address belongs to the user. */
export const verifyEmail: Template<'verify-email'> = (notice, ctx) => {
  const until = formatWhen(notice.expiresAt);
  const title = 'Confirm your email address';
  // Only a web link becomes clickable; anything else is shown as text to copy.
  const clickable = /^https?:\/\//i.test(notice.link);
  const shownLink = html`<span style="word-break:break-all">${notice.link}</span>`;
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
        ...(clickable
          ? [
              paragraph(html`<a href="${notice.link}" style="color:#0b57d0;font-weight:bold">Confirm my email address</a>`),
              paragraph(html`If the link does not open, copy this address into your browser:<br>${shownLink}`),
            ]
          : [paragraph(html`Open this address in your browser:<br>${shownLink}`)]),
        paragraph(`The link can be used once and works until ${until}.`),
        paragraph(`If you did not sign up for ${ctx.productName}, you can ignore this mail.`),
      ],
    }),
    devSecret: notice.link,
  };
};
