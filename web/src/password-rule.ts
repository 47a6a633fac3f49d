/** The server's password rule (`GET /v1/policy`) on the fields where a new password is chosen. */
import { FieldError } from './dom.ts';
import type { Page } from './page.ts';

/** Sets the rule on the field and says it in `rule` (a span at the start of the field's hint). */
export function applyPasswordRule(page: Page, field: HTMLInputElement, rule: HTMLElement): void {
  void page.policy().then(
    ({ passwordMinLength: min, passwordMaxLength: max }) => {
      field.minLength = min;
      field.maxLength = max;
      rule.textContent = `${min} to ${max} characters. `;
    },
    () => {}, // the hint then only says the rest; submitting reports the server's answer (`weak_password`)
  );
}

/** The new password as typed; outside the rule it stops the action next to the field, before any request. */
export function newPassword(field: HTMLInputElement): string {
  const { value, minLength: min, maxLength: max } = field;
  if (!value) throw new FieldError(field, 'Enter a new password.');
  if (min > 0 && value.length < min) throw new FieldError(field, `Choose a password of ${min} to ${max} characters.`);
  return value;
}
