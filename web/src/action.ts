/** Buttons and forms start actions; failures become sentences next to their field, or in the card they belong to. */
import { clearFields, FieldError, markField, say } from './dom.ts';
import type { Page } from './page.ts';
import { explain, isCode } from './text.ts';

/**
 * Server failures about one field of the form, found by the field's `autocomplete` token (every field of the page
 * has one): a code, the current password, a new password.
 */
const FIELD_OF: Record<string, string[]> = {
  code_invalid: ['one-time-code'],
  code_malformed: ['one-time-code'],
  code_required: ['one-time-code'],
  second_factor_invalid: ['one-time-code', 'current-password'],
  invalid_credentials: ['current-password'],
  missing_password: ['current-password'],
  weak_password: ['new-password'],
  invalid_email: ['email', 'username'],
};

function fieldFor(form: HTMLFormElement | null | undefined, error: unknown): HTMLInputElement | null {
  if (error instanceof FieldError) return error.field;
  const code = (error as { code?: unknown } | null)?.code;
  for (const token of (typeof code === 'string' && FIELD_OF[code]) || []) {
    const field = form?.querySelector<HTMLInputElement>(`input[autocomplete=${token}]`);
    if (field && !field.closest('[hidden]')) return field;
  }
  return null;
}

/**
 * After an action focus must not fall to <body> (a button that was disabled, hidden or redrawn drops it): back to
 * the button when it is still there, else the heading of the card or view.
 */
function keepFocus(card: Element, trigger: HTMLButtonElement | null): void {
  if (document.activeElement && document.activeElement !== document.body) return;
  if (trigger?.isConnected && trigger.offsetParent !== null) return trigger.focus();
  const heading = card.querySelector<HTMLElement>('h2[tabindex]') ?? card.closest('.view')?.querySelector<HTMLElement>('h1');
  heading?.focus();
}

/**
 * Runs an action for a card: clears its message, marks it busy, disables the button that started it,
 * and turns a failure into a sentence (or, for an ended session, back to the sign-in form).
 */
export async function run(page: Page, card: Element, trigger: HTMLButtonElement | null, action: () => Promise<void>): Promise<void> {
  // Messages of earlier steps ("You are signed in.", another card's "The session is revoked.") are stale once the
  // user acts: only the answer to this action stays.
  page.notice('');
  for (const other of card.closest('.view')?.querySelectorAll('.card') ?? [card]) say(other, '');
  clearFields(card);
  card.setAttribute('aria-busy', 'true');
  if (trigger) trigger.disabled = true;
  try {
    await action();
  } catch (error) {
    if (isCode(error, 'not_authenticated', 'session_expired')) return page.signedOut('Your session has ended. Please sign in again.');
    const field = fieldFor(trigger?.form, error);
    if (field) markField(field, explain(error));
    else say(card, explain(error), true);
  } finally {
    card.removeAttribute('aria-busy');
    if (trigger) trigger.disabled = false;
    keepFocus(card, trigger);
  }
}

/** The card an element belongs to, found when the action starts (the step-up panel moves between cards). */
const cardOf = (element: HTMLElement) => element.closest('.card') ?? document.getElementById('notice')!.parentElement!;

export function onSubmit(page: Page, form: HTMLFormElement, action: () => Promise<void>): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run(page, cardOf(form), form.querySelector('button[type=submit]'), action);
  });
}

export function onClick(page: Page, target: HTMLButtonElement, action: () => Promise<void> | void): void {
  target.addEventListener('click', () => void run(page, cardOf(target), target, async () => action()));
}
