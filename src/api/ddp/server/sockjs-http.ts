import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUint32 } from './ids.ts';

export interface SockjsInfo {
  websocket: true;
  origins: string[];
  cookie_needed: false;
  entropy: number;
}

const INFO_PATH = '/sockjs/info';
const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';

/** The body of `GET /sockjs/info`: tells SockJS clients to use the WebSocket transport, cookie-free. */
export function sockjsInfo(): SockjsInfo {
  return { websocket: true, origins: ['*:*'], cookie_needed: false, entropy: randomUint32() };
}

/**
 * Answers `/sockjs/info` (GET, HEAD, OPTIONS) on a plain Node request; returns false for every other path so the
 * caller can route it on. Call it before any other CORS handling: browsers fetch info with credentials, so the
 * origin is reflected with `Allow-Credentials` (harmless: nothing here reads cookies, DDP logs in by token).
 */
export function handleSockjsHttp(req: IncomingMessage, res: ServerResponse): boolean {
  if ((req.url ?? '').split('?', 1)[0] !== INFO_PATH) return false;
  res.setHeader('Cache-Control', NO_CACHE);
  setCorsHeaders(req, res);
  if (req.method === 'OPTIONS') return answerPreflight(req, res);
  if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, { Allow: 'OPTIONS, GET, HEAD' });
  const body = JSON.stringify(sockjsInfo());
  res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

function setCorsHeaders(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  res.setHeader('Vary', 'Origin');
  if (origin && origin !== 'null') {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
  } else {
    res.setHeader('Access-Control-Allow-Origin', '*');
  }
}

function answerPreflight(req: IncomingMessage, res: ServerResponse): true {
  const requested = req.headers['access-control-request-headers'];
  return answer(res, 204, {
    'Access-Control-Allow-Methods': 'OPTIONS, GET',
    'Access-Control-Max-Age': '31536000',
    ...(requested ? { 'Access-Control-Allow-Headers': requested } : {}),
  });
}

function answer(res: ServerResponse, status: number, headers: Record<string, string>): true {
  res.writeHead(status, { ...headers, 'Content-Length': 0 });
  res.end();
  return true;
}
