/** DDP versions we speak, preferred first. */
export const SUPPORTED_VERSIONS: readonly string[] = ['1', 'pre2', 'pre1'];

export type Handshake = { ok: true } | { ok: false; version: string };

/**
 * Meteor's negotiation: a malformed `connect` (or one whose `support` lacks its own `version`) is told our
 * preferred version; otherwise the first of the client's `support` we speak must be the `version` it asked for.
 */
export function negotiate(message: Record<string, unknown>): Handshake {
  const { version, support } = message;
  const wellFormed =
    typeof version === 'string' &&
    Array.isArray(support) &&
    support.every((entry) => typeof entry === 'string') &&
    support.includes(version);
  if (!wellFormed) return { ok: false, version: preferred() };
  const chosen = (support as string[]).find((entry) => SUPPORTED_VERSIONS.includes(entry)) ?? preferred();
  return chosen === version ? { ok: true } : { ok: false, version: chosen };
}

function preferred(): string {
  return SUPPORTED_VERSIONS[0] ?? '1';
}
