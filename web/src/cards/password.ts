/**
 * The password: changed with the current one (and, for an account with a second factor, a fresh proof of it: the
 * policy table's `change-password` row, asked through the step-up panel). Other sessions end.
 */
import type { TwofoldClient } from '../../../src/client/index.ts';
import { onSubmit } from '../action.ts';
import { FieldError, say, within } from '../dom.ts';
import { applyPasswordRule, newPassword } from '../password-rule.ts';
import { explain, isCode } from '../text.ts';
import type { Card, CardContext } from './card.ts';

export function mount(root: HTMLElement, client: TwofoldClient, { page, stepUp, refresh }: CardContext): Card {
  const $ = within(root);
  const form = $<HTMLFormElement>('password-form');
  const current = $<HTMLInputElement>('pw-current');
  const chosen = $<HTMLInputElement>('pw-new');

  applyPasswordRule(page, chosen, $('pw-new-rule'));

  onSubmit(page, form, async () => {
    if (!current.value) throw new FieldError(current, 'Enter your current password.');
    const [old, next] = [current.value, newPassword(chosen)];
    await stepUp.guard(root, {
      hint: 'To change your password, first confirm it is you.',
      run: async (proof) => {
        try {
          return await client.changePassword(old, next, proof);
        } catch (error) {
          // Checked after the proof: the panel closes and the field says what is wrong.
          const field = isCode(error, 'invalid_credentials', 'missing_password') ? current : isCode(error, 'weak_password') ? chosen : null;
          if (!field) throw error;
          stepUp.close();
          throw new FieldError(field, field === current ? 'That is not your current password.' : explain(error));
        }
      },
      done: async () => {
        form.reset();
        await refresh();
        say(root, 'Your password is changed. Your other sessions were signed out and trusted devices forgotten.');
        $('h-password').focus();
      },
    });
  });

  return {
    show() {},
    clear() {
      form.reset();
      say(root, '');
    },
  };
}
