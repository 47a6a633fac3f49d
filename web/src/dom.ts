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

/** A field's trimmed value; empty, it stops the action with `message` (shown in the card). */
export function filled(field: HTMLInputElement, message: string): string {
  const value = field.value.trim();
  if (!value) throw new Error(message);
  return value;
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
