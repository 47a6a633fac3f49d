import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { TRANSFER_FORMATS, type TransferFormat } from '../core/admin/totp-formats.ts';
import type { Runtime } from '../server/runtime.ts';
import type { Output } from './output.ts';

export const IMPORT_USAGE = `usage: twofold import totp --format ${TRANSFER_FORMATS.join('|')} FILE [--dry-run]`;
export const EXPORT_USAGE = `usage: twofold export totp --format ${TRANSFER_FORMATS.join('|')} [--out FILE] --i-understand-this-exports-secrets`;

function formatOption(raw: string | undefined, usage: string): TransferFormat {
  if (!raw || !(TRANSFER_FORMATS as readonly string[]).includes(raw)) throw new Error(`--format must be one of ${TRANSFER_FORMATS.join(', ')}\n${usage}`);
  return raw as TransferFormat;
}

/** `twofold import totp`: reads another system's export; `--dry-run` reports what would happen and writes nothing. */
export async function importCommand(runtime: Runtime, args: string[], out: Output): Promise<number> {
  const [what, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { format: { type: 'string' }, 'dry-run': { type: 'boolean' } } });
  if (what !== 'totp' || !positionals[0]) {
    out.error(IMPORT_USAGE);
    return 2;
  }
  const format = formatOption(values.format, IMPORT_USAGE);
  const report = await runtime.core.admin.totp.import(format, await readFile(positionals[0], 'utf8'), { dryRun: values['dry-run'] === true });
  out.result(report, () =>
    [
      `${report.dryRun ? 'would import' : 'imported'} ${report.imported.length} authenticator(s)`,
      ...report.imported.map((i) => `  ${i.where}: ${i.user}`),
      `skipped ${report.skipped.length}`,
      ...report.skipped.map((s) => `  ${s.where}: ${s.reason}`),
    ].join('\n'),
  );
  return 0;
}

/** `twofold export totp`: every active authenticator's secret in the clear; refused without the explicit flag. */
export async function exportCommand(runtime: Runtime, args: string[], out: Output): Promise<number> {
  const [what, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: { format: { type: 'string' }, out: { type: 'string' }, 'i-understand-this-exports-secrets': { type: 'boolean' } },
  });
  if (what !== 'totp') {
    out.error(EXPORT_USAGE);
    return 2;
  }
  const format = formatOption(values.format, EXPORT_USAGE);
  const { text, count } = await runtime.core.admin.totp.export(format, { iUnderstandThisExportsSecrets: values['i-understand-this-exports-secrets'] === true });
  if (values.out) {
    // Readable by the operator alone: the file holds every user's second factor.
    await writeFile(values.out, text, { mode: 0o600, flag: 'wx' });
    out.result({ exported: count, file: values.out }, () => `exported ${count} authenticator(s) to ${values.out}`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
