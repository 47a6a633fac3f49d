// Preloaded into a server under test (NODE_OPTIONS=--import) by the statement count of the benchmark
// (bench/lib/statement-count.ts): counts what the process sends PostgreSQL through node-postgres, each
// `client.query` one round trip, and which of them ended a committed transaction. Plain JavaScript, so it
// loads before anything else in the compiled server and in the peer alike. Written to
// `$TWOFOLD_BENCH_QUERY_DIR/<pid>.json` every 100 ms while it changes.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TWOFOLD_BENCH_QUERY_DIR;
if (dir) {
  const require = createRequire(join(process.cwd(), 'package.json'));
  const pg = require('pg');
  const counts = { roundTrips: 0, statements: 0, reads: 0, writes: 0, commits: 0, writeCommits: 0, rollbacks: 0 };
  const inTransaction = new WeakMap();
  const WRITE = /^\s*(insert|update|delete|merge)\b|\b(insert\s+into|update\s+\w+\s+set|delete\s+from)\b|\bselect\s+(\*\s+from\s+)?twofold_\w+\s*\(/i;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, values, callback) {
    const text = typeof config === 'string' ? config : (config?.text ?? '');
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
    const text = JSON.stringify(counts);
    if (text === written) return;
    written = text;
    writeFileSync(file, text);
  }, 100).unref();
}
