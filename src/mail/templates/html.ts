/**
 * The HTML half of every mail: escaping, a tagged template that escapes by default, and the one
 * layout all mails share. Anything that is not wrapped in `SafeHtml` is treated as text.
 */

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text to HTML text or attribute value (quoted with `"` or `'`). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => entities[char]!);
}

/** Markup that is already safe to emit as is. Only `html` and `layout` make one. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** `html\`<p>${text}</p>\``: interpolated values are escaped unless they are `SafeHtml` (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

export interface LayoutOptions {
  productName: string;
  title: string;
  /** The paragraphs, already built with `html`. */
  body: SafeHtml[];
  /** The address(es) the mail goes to, named in the footer. */
  to: string | string[];
}

/** The single, deliberately plain layout: a heading, the paragraphs, a small footer. */
export function layout({ productName, title, body, to }: LayoutOptions): string {
  const recipients = Array.isArray(to) ? to.join(', ') : to;
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>
<body style="margin:0;padding:24px;background:#f6f6f6;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#222;line-height:1.5">
<div style="max-width:520px;margin:0 auto;background:#fff;border-radius:6px;padding:24px">
<h1 style="margin:0 0 16px;font-size:20px">${title}</h1>
${body.map((block) => html`${block}\n`)}<p style="margin:24px 0 0;color:#777;font-size:12px">${productName} sent this mail to ${recipients}.</p>
</div>
</body>
</html>
`.value;
}

/** A paragraph of the layout's body. */
export function paragraph(content: SafeHtml | string): SafeHtml {
  return html`<p style="margin:0 0 12px">${content}</p>`;
}

/** A mailed link: clickable when it is a web link, with the address to copy below; anything else only shown, as text. */
export function linkParagraphs(link: string, label: string): SafeHtml[] {
  const shown = html`<span style="word-break:break-all">${link}</span>`;
  if (!/^https?:\/\//i.test(link)) return [paragraph(html`Open this address in your browser:<br>${shown}`)];
  return [
    paragraph(html`<a href="${link}" style="color:#0b57d0;font-weight:bold">${label}</a>`),
    paragraph(html`If the link does not open, copy this address into your browser:<br>${shown}`),
  ];
}
