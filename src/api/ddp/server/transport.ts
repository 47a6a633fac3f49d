import { WebSocket } from 'ws';

/** How DDP message texts travel on one WebSocket: one per frame (raw) or SockJS-framed. */
export interface Transport {
  /** The DDP message texts inside one incoming text frame; undefined when the framing itself is broken. */
  unwrap(frame: string): string[] | undefined;
  /** Sends messages (a SockJS transport batches them into one frame). A closed socket swallows them. */
  send(messages: readonly string[]): void;
  /** Closes politely: a close frame (after SockJS's own `c` frame). */
  close(code: number, reason: string): void;
  /** Drops a peer that stopped answering: there is no close handshake worth waiting for. */
  abort(): void;
  /** Stops the transport's own timers once the socket has closed. */
  dispose(): void;
}

/** Sends unless the socket is already closing: a method may finish after its client left. */
export function sendFrame(socket: WebSocket, text: string): void {
  if (socket.readyState !== WebSocket.OPEN) return;
  // The callback keeps a failed write from becoming an 'error' event; the 'close' event does the cleanup.
  socket.send(text, () => undefined);
}

export function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === WebSocket.CLOSING || socket.readyState === WebSocket.CLOSED) return;
  socket.close(code, reason);
}
