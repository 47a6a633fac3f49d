/** A decoded DDP message: a JSON object whose `msg` is a non-empty string. */
export type DdpMessage = Record<string, unknown> & { msg: string };

export type Incoming = { ok: true; message: DdpMessage } | { ok: false; reply: Record<string, unknown> };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One text frame's worth of DDP, or the `error` reply it deserves. */
export function parseMessage(text: string): Incoming {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Meteor sends no offendingMessage here: there is no message, only bytes.
    return { ok: false, reply: protocolError('Parse error') };
  }
  if (!isRecord(value) || typeof value.msg !== 'string' || value.msg === '') {
    return { ok: false, reply: protocolError('Bad request', value ?? undefined) };
  }
  return { ok: true, message: value as DdpMessage };
}

/** `{msg:"error"}`: a protocol-level complaint, not tied to a method call. */
export function protocolError(reason: string, offendingMessage?: unknown): Record<string, unknown> {
  return { msg: 'error', reason, ...(offendingMessage !== undefined ? { offendingMessage } : {}) };
}
