import type { Notice, Notifier } from '../../src/core/notices.ts';

/** Keeps what the server would have mailed, so a test can read the link or code a user would receive. */
export class RecordingNotifier implements Notifier {
  readonly sent: Notice[] = [];
  async send(notice: Notice): Promise<void> {
    this.sent.push(notice);
  }
  last<K extends Notice['kind']>(kind: K, to?: string): Extract<Notice, { kind: K }> {
    const found = [...this.sent]
      .reverse()
      .find((n) => n.kind === kind && (to === undefined || (Array.isArray(n.to) ? n.to.includes(to) : n.to === to)));
    if (!found) throw new Error(`no ${kind} notice${to ? ` to ${to}` : ''} was sent`);
    return found as Extract<Notice, { kind: K }>;
  }
}
