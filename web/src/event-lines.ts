/** The account page's security events as a person reads them: one line for each thing that happened. */
import { eventName } from './text.ts';

export interface ListedEvent {
  kind: string;
  details: Record<string, unknown>;
  at: string;
  ip?: string | null;
  client?: string | null;
}

export interface EventLine {
  text: string;
  at: string;
  ip: string | null;
  client: string | null;
}

/** What a sign-in's second step was answered with, as the end of "Signed in with …". */
const answeredWith: Record<string, string> = {
  totp: 'an authenticator app code',
  backup: 'a backup code',
  backup_code: 'a backup code',
  email: 'an email code',
  webauthn: 'a passkey or security key',
};

const isLoginPass = (e: ListedEvent) => e.kind === 'challenge_passed' && e.details.operation === 'login';
/** The two events one sign-in with a second factor writes, in the same statement and at the same instant. */
const halves = (a: ListedEvent, b: ListedEvent) =>
  a.at === b.at && (a.ip ?? null) === (b.ip ?? null) && (a.client ?? null) === (b.client ?? null) &&
  ((a.kind === 'login_succeeded' && isLoginPass(b)) || (isLoginPass(a) && b.kind === 'login_succeeded'));

const line = (e: ListedEvent, text: string): EventLine => ({ text, at: e.at, ip: e.ip ?? null, client: e.client ?? null });

/**
 * Newest first, as listed. A sign-in that answered a second factor is one line, "Signed in with a backup code",
 * instead of "Backup code accepted" and "Signed in" side by side (in either order: they share their instant). The
 * audit log keeps both events; this is only how the page words them.
 */
export function eventLines(events: readonly ListedEvent[]): EventLine[] {
  const merged = new Set<number>();
  const lines: EventLine[] = [];
  events.forEach((event, i) => {
    if (merged.has(i)) return;
    const j = events.findIndex((other, k) => k > i && !merged.has(k) && halves(event, other));
    if (j < 0) return void lines.push(line(event, eventName(event.kind, event.details)));
    merged.add(j);
    const pass = isLoginPass(event) ? event : events[j]!;
    const how = answeredWith[String(pass.details.method)];
    lines.push(line(event, how ? `Signed in with ${how}` : 'Signed in with a second factor'));
  });
  return lines;
}
