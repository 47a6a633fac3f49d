import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ddp } from './benchmarks/ddp.ts';
import { embedded } from './benchmarks/embedded.ts';
import { journey } from './benchmarks/journey.ts';
import { passwordLogin } from './benchmarks/password-login.ts';
import { scale } from './benchmarks/scale.ts';
import { secondFactor } from './benchmarks/second-factor.ts';
import { startup } from './benchmarks/startup.ts';
import { totpCore } from './benchmarks/totp-core.ts';
import { workers } from './benchmarks/workers.ts';
import { machineInfo, type MachineInfo } from './lib/machine.ts';
import { dropStaleDatabases } from './lib/pg.ts';
import { ROOT } from './lib/process.ts';
import { writeReport, type Mode, type Section } from './lib/report.ts';

/**
 * `npm run bench [-- --quick] [-- --only id,id]`: runs the benchmarks one after the other (never two at
 * once: they share the machine) and writes the report. A full run rewrites docs/benchmarks.md and
 * docs/benchmarks.json; a quick run (CI) writes .tmp/benchmarks-quick.md/.json unless --out says otherwise.
 * `--render` rewrites docs/benchmarks.md from docs/benchmarks.json without measuring (after editing
 * bench/analysis.md). `--only ids --merge` measures those and puts them into docs/benchmarks.json and .md in place of
 * their previous figures, keeping every other section (and saying when and at which commit they were measured).
 * The server is measured as production runs it: dist/ is compiled first (scripts/build-server.js), never stale.
 * Exits 1 when a benchmark failed, 0 otherwise (missed targets are reported, not failures).
 */

const BENCHMARKS: Array<{ id: string; title: string; run: (mode: Mode) => Promise<Omit<Section, 'seconds'>> }> = [
  { id: 'totp-core', title: 'TOTP verify core', run: totpCore },
  { id: 'password-login', title: 'Password login vs the bare argon2id rate', run: passwordLogin },
  { id: 'second-factor', title: 'The 2FA step over HTTP (PostgreSQL)', run: secondFactor },
  { id: 'journey', title: 'Full 2FA login journey', run: journey },
  { id: 'scale', title: 'Scale: the 2FA step with 10 k and 1 M users', run: scale },
  { id: 'ddp', title: 'DDP: idle WebSocket connections', run: ddp },
  { id: 'embedded', title: 'Embedded default (PGlite): start-up and memory', run: embedded },
  { id: 'workers', title: 'Workers: the 2FA step with 1 and 2 workers', run: workers },
  { id: 'startup', title: 'Start-up and idle memory: compiled JavaScript vs the tsx loader', run: startup },
];

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  if (index >= 0) return process.argv[index + 1];
  const inline = process.argv.find((arg) => arg.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

/** `--render`: rewrite the Markdown from the JSON of the last run (after editing bench/analysis.md), measuring nothing. */
function render(outDir: string): number {
  const json = join(outDir, 'benchmarks.json');
  const run = JSON.parse(readFileSync(json, 'utf8')) as { quick: boolean; seconds: number; machine: MachineInfo; sections: Section[] };
  writeReport({ markdown: join(outDir, 'benchmarks.md'), json }, run.machine, run.sections, { quick: run.quick, seconds: run.seconds });
  console.log(`rewrote ${join(outDir, 'benchmarks.md')} from ${json}`);
  return 0;
}

async function main(): Promise<number> {
  if (process.argv.includes('--render')) return render(option('--out') ?? join(ROOT, 'docs'));
  const quick = process.argv.includes('--quick');
  const only = option('--only')?.split(',').map((s) => s.trim());
  const unknown = only?.filter((id) => !BENCHMARKS.some((b) => b.id === id)) ?? [];
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.id).join(', ')}`);
    return 2;
  }
  const merge = process.argv.includes('--merge');
  if (merge && (!only || quick)) {
    console.error('--merge goes with --only (and not --quick): it replaces those sections of docs/benchmarks.json');
    return 2;
  }
  const outDir = option('--out') ?? ((quick || only) && !merge ? join(ROOT, '.tmp') : join(ROOT, 'docs'));
  const base = quick ? 'benchmarks-quick' : 'benchmarks';
  const started = process.hrtime.bigint();
  const log = (message: string) => console.log(`[${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(0).padStart(4)} s] ${message}`);
  const runId = Date.now().toString(36);
  const mode: Mode = { quick, runId, log };

  if (spawnSync(process.execPath, [join(ROOT, 'scripts/build-server.js')], { stdio: 'inherit' }).status !== 0) {
    console.error('bench: could not compile the server (scripts/build-server.js)');
    return 1;
  }
  await dropStaleDatabases('bench_');
  const machine = await machineInfo();
  log(`twofold benchmarks${quick ? ' (quick)' : ''}: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, PostgreSQL ${machine.postgres}`);

  const sections: Section[] = [];
  for (const benchmark of BENCHMARKS) {
    if (only && !only.includes(benchmark.id)) continue;
    const sectionStart = process.hrtime.bigint();
    log(`${benchmark.id} …`);
    try {
      const section = await benchmark.run(mode);
      sections.push({ ...section, number: BENCHMARKS.indexOf(benchmark) + 1, seconds: Number(process.hrtime.bigint() - sectionStart) / 1e9 });
      for (const t of section.targets) log(`  ${t.met === null ? '·' : t.met ? '✓' : '✗'} ${t.label}: ${t.actual} (goal ${t.goal})`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`  FAILED: ${message}`);
      sections.push({ id: benchmark.id, number: BENCHMARKS.indexOf(benchmark) + 1, title: benchmark.title, method: '', tables: [], targets: [], notes: [], data: null, seconds: Number(process.hrtime.bigint() - sectionStart) / 1e9, error: message });
    }
  }
  await dropStaleDatabases(`bench_${runId}_`);

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const paths = { markdown: join(outDir, `${base}.md`), json: join(outDir, `${base}.json`) };
  if (merge) {
    const previous = JSON.parse(readFileSync(paths.json, 'utf8')) as { quick: boolean; seconds: number; machine: MachineInfo; sections: Section[] };
    const stamp = `Measured on its own (\`npm run bench -- --only ${only!.join(',')} --merge\`) on ${machine.date.slice(0, 10)} at commit ${machine.commit}; the machine table describes the full run.`;
    const merged = [...previous.sections.filter((s) => !only!.includes(s.id)), ...sections.map((s) => ({ ...s, notes: [...s.notes, stamp] }))];
    merged.sort((a, b) => (a.number ?? 0) - (b.number ?? 0));
    writeReport(paths, previous.machine, merged, { quick: previous.quick, seconds: previous.seconds });
  } else writeReport(paths, machine, sections, { quick, seconds });
  log(`wrote ${paths.markdown} and ${paths.json} after ${seconds.toFixed(0)} s`);
  return sections.some((s) => s.error) ? 1 : 0;
}

process.exitCode = await main();
