import { parseArgs } from 'node:util';
import type { AdminToken } from '../core/admin/tokens.ts';
import { ADMIN_SCOPES } from '../core/admin/tokens.ts';
import { WEBHOOK_KINDS } from '../core/admin/webhooks.ts';
import type { Runtime } from '../server/runtime.ts';
import type { Output } from './output.ts';

const USAGE = `usage: twofold admin token <command> | twofold admin webhook <command>
  token create --name NAME --scope S[,S…] [--ttl 90d]   a new admin API token, shown once (scopes: ${ADMIN_SCOPES.join(', ')})
  token list                                            tokens (never their secrets), with scopes and last use
  token revoke ID                                       the token stops working at once
  webhook create --url URL --kinds K[,K…]              a signed webhook endpoint (kinds: ${WEBHOOK_KINDS.join(', ')}); its secret shown once
  webhook list                                          endpoints and their last delivery status
  webhook remove ID                                     nothing more is sent to it`;

const describe = (t: AdminToken) => ({
  id: t.id,
  name: t.name,
  scopes: t.scopes,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

/** `90d`, `12h`, `30m`, `3600` (seconds) → seconds. */
export function parseDurationSeconds(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration (e.g. 90d, 12h, 30m)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

export async function adminCommand(runtime: Runtime, args: string[], out: Output): Promise<number> {
  const [group, command, ...rest] = args;
  if (group === 'webhook') return webhookCommand(runtime, command, rest, out);
  if (group !== 'token') {
    out.error(USAGE);
    return 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { name: { type: 'string' }, scope: { type: 'string', multiple: true }, ttl: { type: 'string' } },
  });
  const { tokens } = runtime.core.admin;
  switch (command) {
    case 'create': {
      if (!values.name || !values.scope) throw new Error(`--name and --scope are required\n${USAGE}`);
      const scopes = values.scope.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
      const { token, secret } = await tokens.create({ name: values.name, scopes, ttlSeconds: values.ttl ? parseDurationSeconds(values.ttl) : null });
      out.result({ ...describe(token), token: secret }, () => `${secret}\n(token ${token.id} "${token.name}", scopes ${token.scopes.join(', ')}: shown once, keep it secret)`);
      return 0;
    }
    case 'list': {
      const all = (await tokens.list()).map(describe);
      out.result(all, () =>
        all.length
          ? all.map((t) => `${t.id}  ${t.name}  [${t.scopes.join(',')}]${t.revokedAt ? '  revoked' : ''}  last used ${t.lastUsedAt ?? 'never'}`).join('\n')
          : 'no admin tokens',
      );
      return 0;
    }
    case 'revoke': {
      if (!positionals[0]) throw new Error('give the token id (twofold admin token list)');
      await tokens.revoke(positionals[0]);
      out.result({ revoked: positionals[0] }, () => `revoked ${positionals[0]}`);
      return 0;
    }
    default:
      out.error(USAGE);
      return 2;
  }
}

async function webhookCommand(runtime: Runtime, command: string | undefined, rest: string[], out: Output): Promise<number> {
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { url: { type: 'string' }, kinds: { type: 'string', multiple: true } } });
  const { webhooks } = runtime.core.admin;
  switch (command) {
    case 'create': {
      if (!values.url || !values.kinds) throw new Error(`--url and --kinds are required\n${USAGE}`);
      const kinds = values.kinds.flatMap((k) => k.split(',')).map((k) => k.trim()).filter(Boolean);
      const { endpoint, secret } = await webhooks.create({ url: values.url, kinds }, { client: 'cli' });
      out.result({ id: endpoint.id, url: endpoint.url, kinds: endpoint.kinds, secret }, () => `${secret}\n(endpoint ${endpoint.id} → ${endpoint.url} for ${endpoint.kinds.join(', ')}: the signing secret is shown once)`);
      return 0;
    }
    case 'list': {
      const all = await webhooks.list();
      out.result(all, () =>
        all.length ? all.map((e) => `${e.id}  ${e.url}  [${e.kinds.join(',')}]  last ${e.lastStatus ?? e.lastError ?? 'none'} at ${e.lastAttemptAt?.toISOString() ?? 'never'}`).join('\n') : 'no webhook endpoints',
      );
      return 0;
    }
    case 'remove': {
      if (!positionals[0]) throw new Error('give the endpoint id (twofold admin webhook list)');
      await webhooks.remove(positionals[0], { client: 'cli' });
      out.result({ removed: positionals[0] }, () => `removed ${positionals[0]}`);
      return 0;
    }
    default:
      out.error(USAGE);
      return 2;
  }
}
