/** Which framing an upgrade path speaks. */
export type Endpoint = 'raw' | 'sockjs';

const RAW_PATHS = new Set(['/websocket', '/websocket/', '/sockjs/websocket']);
// SockJS clients pick `<server>` (3 digits) and `<session>` (8 random chars) themselves; neither may contain a dot.
const SOCKJS_PATH = /^\/sockjs\/[^/.]{1,3}\/[^/.]{1,64}\/websocket\/?$/;

export function endpointOf(url: string | undefined): Endpoint | undefined {
  const path = (url ?? '').split('?', 1)[0] ?? '';
  if (RAW_PATHS.has(path)) return 'raw';
  if (SOCKJS_PATH.test(path)) return 'sockjs';
  return undefined;
}
