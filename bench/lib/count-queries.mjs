// Preloaded into a server under test (NODE_OPTIONS=--import) by the statement count of the benchmark
// (bench/lib/statement-count.ts): counts what the process sends PostgreSQL through node-postgres, each
// `client.query` one round trip, and which of them ended a committed transaction. Plain JavaScript, so it
// loads before anything else in the compiled server and in the peer alike. Written to
// `$TWOFOLD_BENCH_QUERY_DIR/<pid>.json` every 100 ms while it changes.
// Only what an HTTP request sends is counted (the request's async context, followed by AsyncLocalStorage): a
// server's own timers (twofold's webhook outbox, polled once a second by every instance) run during the quiet
// pauses of the count too, and would otherwise add themselves to the requests' figures (12 polls over a phase
// showed up as 0.12 round trips per request of 100, 0.6 per request of 20). They are counted apart (`background`,
// the same fields), so that PostgreSQL's own count of commits can be corrected by theirs.
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TWOFOLD_BENCH_QUERY_DIR;
if (dir) {
  const require = createRequire(join(process.cwd(), 'package.json'));
  const pg = require('pg');
  const zero = () => ({ roundTrips: 0, statements: 0, reads: 0, writes: 0, commits: 0, writeCommits: 0, rollbacks: 0 });
  const all = { ...zero(), background: zero() };
  const inRequest = new AsyncLocalStorage();
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, ...args) {
    return event === 'request' ? inRequest.run(true, () => emit.call(this, event, ...args)) : emit.call(this, event, ...args);
  };
  const inTransaction = new WeakMap();
  const WRITE = /^\s*(insert|update|delete|merge)\b|\b(insert\s+into|update\s+\w+\s+set|delete\s+from)\b|\bselect\s+(\*\s+from\s+)?twofold_\w+\s*\(/i;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, values, callback) {
    const text = typeof config === 'string' ? config : (config?.text ?? '');
    const counts = inRequest.getStore() ? all : all.background;
    counts.roundTrips++;
    // A multi-statement simple query (`BEGIN; SET LOCAL …`) is one round trip of several statements.
    const parts = text.split(';').map((s) => s.trim()).filter(Boolean);
    for (const part of parts) {
      counts.statements++;
      const head = part.slice(0, 12).toLowerCase();
      const state = inTransaction.get(this) ?? { open: false, wrote: false };
      if (head.startsWith('begin') || head.startsWith('start')) {
        inTransaction.set(this, { open: true, wrote: false });
      } else if (head.startsWith('commit')) {
        counts.commits++;
        if (state.wrote) counts.writeCommits++;
        inTransaction.set(this, { open: false, wrote: false });
      } else if (head.startsWith('rollback')) {
        counts.rollbacks++;
        inTransaction.set(this, { open: false, wrote: false });
      } else if (head.startsWith('set ')) {
        // a setting, neither read nor write
      } else {
        const write = WRITE.test(part);
        if (write) counts.writes++;
        else counts.reads++;
        if (state.open) state.wrote ||= write;
        else {
          counts.commits++;
          if (write) counts.writeCommits++;
        }
      }
    }
    return original.call(this, config, values, callback);
  };
  let written = '';
  const file = join(dir, `${process.pid}.json`);
  setInterval(() => {
    const text = JSON.stringify(all);
    if (text === written) return;
    written = text;
    writeFileSync(file, text);
  }, 100).unref();
}
