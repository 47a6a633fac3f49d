/** Small DOM helpers: no framework, no innerHTML (every text from the server goes in as text). */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

/** Looks up elements by id inside `root` only: a view or a card touches nothing outside its own markup. */
export function within(root: HTMLElement) {
  return <T extends HTMLElement = HTMLElement>(id: string): T => {
    const element = root.querySelector<T>(`#${id}`);
    if (!element) throw new Error(`#${id} is missing from #${root.id}`);
    return element;
  };
}

/** A failure that belongs to one field: shown next to it (`markField`), not at the foot of the card. */
export class FieldError extends Error {
  constructor(
    readonly field: HTMLInputElement,
    message: string,
  ) {
    super(message);
  }
}

/** A field's trimmed value; empty, it stops the action with `message` (shown next to the field). */
export function filled(field: HTMLInputElement, message: string): string {
  const value = field.value.trim();
  if (!value) throw new FieldError(field, message);
  return value;
}

const errorId = (field: HTMLElement) => `${field.id}-error`;

function describedBy(field: HTMLElement, id: string, on: boolean): void {
  const ids = (field.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && x !== id);
  if (on) ids.unshift(id);
  if (ids.length > 0) field.setAttribute('aria-describedby', ids.join(' '));
  else field.removeAttribute('aria-describedby');
}

/**
 * Shows an error under its field where the eye is: linked (`aria-describedby`, read with the field), the field
 * marked `aria-invalid` and focused, and both scrolled into view (a message at the foot of a long card reads as
 * "nothing happened").
 */
export function markField(field: HTMLInputElement, text: string): void {
  let line = document.getElementById(errorId(field));
  if (!line) {
    line = el('p', '', 'field-error');
    line.id = errorId(field);
    field.after(line);
    field.addEventListener('input', () => clearField(field), { once: true });
  }
  line.textContent = text;
  field.setAttribute('aria-invalid', 'true');
  describedBy(field, line.id, true);
  field.focus({ preventScroll: true });
  field.select();
  line.scrollIntoView({ block: 'nearest' });
  field.scrollIntoView({ block: 'nearest' });
}

export function clearField(field: HTMLElement): void {
  document.getElementById(errorId(field))?.remove();
  field.removeAttribute('aria-invalid');
  describedBy(field, errorId(field), false);
}

/** Clears the field errors inside `root` (a new attempt starts clean). */
export function clearFields(root: Element): void {
  for (const field of root.querySelectorAll<HTMLElement>('[aria-invalid=true]')) clearField(field);
}

/** An element with text and an optional class. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', className = ''): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (text) element.textContent = text;
  if (className) element.className = className;
  return element;
}

export function show(element: HTMLElement, visible: boolean): void {
  element.hidden = !visible;
}

/** Writes a message into the `.msg` line of a card (a polite live region, so screen readers read it). */
export function say(card: Element, text: string, error = false): void {
  const line = card.querySelector<HTMLElement>(':scope > .msg');
  if (!line) return;
  line.textContent = text;
  line.classList.toggle('error', error && text !== '');
}

/** Copies text; where the clipboard is not available, selects it so the user can press Ctrl+C. */
export async function copyText(text: string, selectable: HTMLElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(selectable);
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    return false;
  }
}

/** Offers text as a file download through a Blob URL (nothing leaves the browser). */
export function download(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = el('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
