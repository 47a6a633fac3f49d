import { factorLabel, formatWhen, plainText, type Template } from './common.ts';
import { layout, linkParagraphs, paragraph } from './html.ts';

const WHAT = { enabled: 'added', replaced: 'replaced', disabled: 'turned off' } as const;

/**
 * A factor change held by the veto window (security.md threat 22): the owner hears of it at once, before it takes
 * effect, with the one link that stops it. Someone with the owner's session made it, so the mail says what the link
 * does: cancel, sign out everywhere, lock the account until an administrator unlocks it.
 */
export const factorChangeRequested: Template<'factor-change-requested'> = (notice, ctx) => {
  const what = `Someone signed in to your ${ctx.productName} account asked for two-step sign-in with ${factorLabel(notice.factor)} to be ${WHAT[notice.change]}. It takes effect on ${formatWhen(notice.applyAt)}.`;
  const ok = 'If this was you, there is nothing to do.';
  const stop = `If this was not you, open this link before then: it cancels the change, signs out every session and locks the account until an administrator unlocks it. The link can be used once and works until ${formatWhen(notice.vetoUntil)}.`;
  return {
    subject: `${ctx.productName}: a change to your two-step sign-in is waiting`,
    text: plainText(ctx, notice.to, [what, ok, stop, notice.vetoLink]),
    html: layout({
      productName: ctx.productName,
      title: 'A change to your two-step sign-in is waiting',
      to: notice.to,
      body: [paragraph(what), paragraph(ok), paragraph(stop), ...linkParagraphs(notice.vetoLink, 'This wasn’t me')],
    }),
    devSecret: notice.vetoLink,
  };
};
