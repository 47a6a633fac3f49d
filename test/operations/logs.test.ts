// Logs: JSON lines for machines, short readable lines for a person at a terminal, and a start-up line that says
// where the server is, what it keeps its data in and where its mail goes.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/server/logger.ts';

function collect(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('log lines', () => {
  it('are JSON objects when they go to a pipe or a file', () => {
    const { lines, stream } = collect();
    createLogger('info', stream).info({ url: 'http://127.0.0.1:8080' }, 'twofold is listening on http://127.0.0.1:8080');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, service: 'twofold', url: 'http://127.0.0.1:8080', msg: 'twofold is listening on http://127.0.0.1:8080' });
  });

  it('at a terminal are one short line each: time, level, message, and only what the message does not say', () => {
    const { lines, stream } = collect();
    const logger = createLogger('info', stream, { pretty: true });
    logger.info({ url: 'http://127.0.0.1:8080', database: 'pglite', mail: 'outbox' }, 'twofold is listening on http://127.0.0.1:8080 · database: … · mail: …');
    logger.info({ reqId: 'req-1', req: { method: 'GET', url: '/v1/me', ip: '127.0.0.1' } }, 'incoming request');
    logger.info({ reqId: 'req-1', res: { statusCode: 200 }, responseTime: 3.7 }, 'request completed');
    logger.warn({ file: '/srv/data/secret-keys' }, 'generated a key ring');
    logger.info({ token: 'a-session-token' }, 'redacted');

    const plain = lines.map((line) => line.replace(/\u001b\[[0-9;]*m/g, ''));
    expect(plain).toHaveLength(5);
    expect(plain[0]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: twofold is listening on http:\/\/127\.0\.0\.1:8080 · database: … · mail: …$/);
    expect(plain[1]).toMatch(/INFO: GET \/v1\/me$/);
    expect(plain[2]).toMatch(/INFO: → 200 in 4 ms$/);
    expect(plain[3]).toMatch(/WARN: generated a key ring \{"file":"\/srv\/data\/secret-keys"\}$/);
    expect(plain[4]).toMatch(/"token":"\[redacted\]"/);
    expect(plain.join('\n')).not.toContain('a-session-token');
  });
});
