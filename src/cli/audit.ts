import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { ChainBreak, SignedHead } from '../core/audit/chain.ts';
import type { Runtime } from '../server/runtime.ts';
import type { Output } from './output.ts';

const USAGE = `usage: twofold audit <command>
  verify [--user ID|EMAIL] [--against HEAD.json]   walk the hash chains (all, or one user's); with --against, also
                                                   check that a published head still holds; exit 1 on a break
  head                                             the signed digest of every chain head, to publish outside
  export [--since ISO] [--format jsonl]            every event with its chain, place and hashes, one JSON line each`;

const EXPORT_BATCH = 1000;

/** `twofold audit`: the tamper-evident audit log (docs/security.md, "The audit chain"). */
export async function auditCommand(runtime: Runtime, args: string[], out: Output): Promise<number> {
  const [command, ...rest] = args;
  const audit = runtime.core.admin.audit;
  const { values } = parseArgs({ args: rest, options: { user: { type: 'string' }, against: { type: 'string' }, since: { type: 'string' }, format: { type: 'string' } } });

  if (command === 'verify') {
    const userId = values.user ? (await runtime.core.admin.findUser(values.user)).id : undefined;
    const result = await audit.verify(userId);
    const published = values.against ? await audit.checkPublished(JSON.parse(await readFile(values.against, 'utf8')) as SignedHead) : [];
    const breaks = [...result.breaks, ...published];
    out.result({ ok: breaks.length === 0, chains: result.chains, events: result.events, breaks }, () =>
      breaks.length === 0
        ? `ok: ${result.events} events in ${result.chains} chains, every link holds${values.against ? ', and the published head still does' : ''}`
        : [`BROKEN: ${breaks.length} break(s) in ${result.events} events, ${result.chains} chains`, ...breaks.map(describe)].join('\n'),
    );
    return breaks.length === 0 ? 0 : 1;
  }
  if (command === 'head') {
    const head = await audit.head();
    out.result(head, () => JSON.stringify(head, null, 2));
    return 0;
  }
  if (command === 'export') {
    if (values.format && values.format !== 'jsonl') {
      out.error('--format: only jsonl');
      return 2;
    }
    const since = values.since ? new Date(values.since) : null;
    if (since && Number.isNaN(since.getTime())) {
      out.error('--since must be an ISO date');
      return 2;
    }
    for (let after: { chain: string; seq: number } | null = null; ; ) {
      const batch = await audit.page(since, after, EXPORT_BATCH);
      for (const event of batch) process.stdout.write(`${JSON.stringify(event)}\n`);
      if (batch.length < EXPORT_BATCH) return 0;
      const last = batch.at(-1)!;
      after = { chain: last.chain, seq: last.seq };
    }
  }
  out.error(USAGE);
  return 2;
}

function describe(b: ChainBreak): string {
  const where = `chain ${b.chain}${b.seq === null ? '' : ` #${b.seq}`}${b.eventId ? ` (event ${b.eventId})` : ''}`;
  return `  ${b.problem.padEnd(17)} ${where}: expected ${b.expected ?? '(none)'}, found ${b.found ?? '(none)'}`;
}
