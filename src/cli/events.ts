import { parseArgs } from 'node:util';
import type { SecurityEventKind } from '../core/index.ts';
import type { Runtime } from '../server/runtime.ts';
import type { Output } from './output.ts';

/** `twofold events`: the audit log, newest first, for operators. */
export async function eventsCommand(runtime: Runtime, args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { user: { type: 'string' }, kind: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } },
  });
  const userId = values.user ? (await runtime.core.admin.findUser(values.user)).id : undefined;
  const since = values.since ? new Date(values.since) : undefined;
  if (since && Number.isNaN(since.getTime())) {
    out.error('--since must be an ISO date');
    return 2;
  }
  const events = await runtime.core.admin.events({
    limit: Math.min(10_000, Number(values.limit ?? 100)),
    ...(userId ? { userId } : {}),
    ...(values.kind ? { kind: values.kind as SecurityEventKind } : {}),
    ...(since ? { since } : {}),
  });
  out.result(events, () =>
    events.length === 0
      ? 'no events'
      : events.map((e) => `${e.createdAt.toISOString()}  ${e.kind.padEnd(24)} ${e.userId ?? '-'}  ${e.ip ?? ''} ${JSON.stringify(e.details)}`).join('\n'),
  );
  return 0;
}
