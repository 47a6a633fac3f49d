/** SockJS's frames on a WebSocket (sockjs-protocol 0.3): server frames are one letter, then JSON. */
export const OPEN_FRAME = 'o';
export const HEARTBEAT_FRAME = 'h';

export function messageFrame(messages: readonly string[]): string {
  return `a${JSON.stringify(messages)}`;
}

export function closeFrame(code: number, reason: string): string {
  return `c${JSON.stringify([code, reason])}`;
}

/** Client frames carry a JSON array of strings or a single JSON string; an empty frame carries nothing. */
export function readClientFrame(frame: string): string[] | undefined {
  if (frame === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return undefined;
  }
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value as string[];
  return undefined;
}
