import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MachineInfo } from './machine.ts';

/** What each benchmark hands back, and the writer of docs/benchmarks.md and its JSON twin. */

export interface Target {
  label: string;
  goal: string;
  actual: string;
  /** null: not judged in this run (skipped, or a quick run's shrunken version). */
  met: boolean | null;
}

export interface Table {
  title?: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

export interface Section {
  id: string;
  /** Its number in the issue's list (1–8), kept when only some run. */
  number?: number;
  title: string;
  /** How it was measured, in a few sentences of Markdown. */
  method: string;
  tables: Table[];
  targets: Target[];
  notes: string[];
  /** The raw figures (every sample) for the JSON file. */
  data: unknown;
  seconds: number;
  error?: string;
}

export interface Mode {
  quick: boolean;
  runId: string;
  log: (message: string) => void;
}

// ---- number formatting -------------------------------------------------------------------------

export function rate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '–';
  if (perSecond >= 100_000) return `${Math.round(perSecond / 1000).toLocaleString('en-US')} k`;
  if (perSecond >= 100) return Math.round(perSecond).toLocaleString('en-US');
  return perSecond.toFixed(1);
}

/** Milliseconds with sub-millisecond resolution: 0.412, 3.51, 27.3, 1,204. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value < 1) return value.toFixed(3);
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '–';
}

export function percent(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value * 100)} %` : '–';
}

export function mb(bytes: number): string {
  return Number.isFinite(bytes) ? `${Math.round(bytes / 1e6)} MB` : '–';
}

// ---- the document -------------------------------------------------------------------------------

const ANALYSIS_FILE = new URL('../analysis.md', import.meta.url);

function table(t: Table): string {
  const escape = (cell: string | number) => String(cell).replace(/\|/g, '\\|');
  const head = `| ${t.columns.join(' | ')} |\n|${t.columns.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`;
  const body = t.rows.map((row) => `| ${row.map(escape).join(' | ')} |`).join('\n');
  return `${t.title ? `**${t.title}**\n\n` : ''}${head}\n${body}\n`;
}

const verdict = (met: boolean | null) => (met === null ? 'not judged' : met ? '**met**' : '**missed**');

export function renderMarkdown(machine: MachineInfo, sections: Section[], options: { quick: boolean; seconds: number }): string {
  const out: string[] = [];
  out.push('# Benchmarks\n');
  out.push(
    `Written by \`npm run bench\`${options.quick ? ' -- --quick (a reduced run: figures not judged)' : ''} on ${machine.date.slice(0, 10)}, ` +
      `in ${Math.round(options.seconds)} s. Do not edit the figures by hand: run it again. The analysis at the end comes from ` +
      '[`bench/analysis.md`](../bench/analysis.md); the raw samples are in [`benchmarks.json`](benchmarks.json).\n',
  );
  out.push(
    'Every figure is a **median over repeated, interleaved samples** (the candidates of one comparison take turns, round ' +
      'after round), and comparisons are **ratios computed within each round**, because the machine is shared and noisy. ' +
      'Servers run as child processes (their memory and CPU are their own), but they share the cores with the load ' +
      'generator (an undici-based closed loop in the benchmark process, latencies timed with `process.hrtime.bigint()`) and ' +
      'with PostgreSQL: every HTTP figure is "server + database + load generator on the same cores". All traffic is on 127.0.0.1.\n',
  );

  out.push('## Machine and versions\n');
  out.push(
    table({
      columns: ['what', 'value'],
      rows: [
        ['date', machine.date],
        ['CPU', `${machine.cpuModel}, ${machine.cores} cores (nproc)`],
        ['memory', `${machine.memoryGiB} GiB`],
        ['kernel', machine.kernel],
        ['Node.js', machine.node],
        ['PostgreSQL', `${machine.postgres} (${Object.entries(machine.postgresSettings).map(([k, v]) => `${k}=${v}`).join(', ')})`],
        ['twofold commit', machine.commit],
        ...Object.entries(machine.packages).map(([name, version]) => [name, version]),
      ],
    }),
  );

  out.push('## Targets\n');
  const numberOf = (s: Section, i: number) => s.number ?? i + 1;
  const summary = sections.flatMap((s, i) =>
    s.error
      ? [[`${numberOf(s, i)}. ${s.title}`, 'the benchmark failed', s.error.split('\n')[0]!.slice(0, 120), '**failed**']]
      : s.targets.map((t) => [`${numberOf(s, i)}. ${s.title}`, `${t.label}: ${t.goal}`, t.actual, verdict(t.met)]),
  );
  out.push(table({ columns: ['benchmark', 'target', 'measured', 'verdict'], rows: summary }));

  sections.forEach((s, i) => {
    out.push(`## ${numberOf(s, i)}. ${s.title}\n`);
    out.push(`${s.method}\n`);
    if (s.error) out.push(`**This benchmark failed in this run:**\n\n\`\`\`\n${s.error.slice(0, 2000)}\n\`\`\`\n`);
    for (const t of s.tables) out.push(table(t));
    if (s.targets.length > 0) {
      out.push(table({ columns: ['target', 'goal', 'measured', 'verdict'], rows: s.targets.map((t) => [t.label, t.goal, t.actual, verdict(t.met)]) }));
    }
    for (const note of s.notes) out.push(`- ${note}`);
    if (s.notes.length > 0) out.push('');
    out.push(`<sub>${Math.round(s.seconds)} s</sub>\n`);
  });

  if (existsSync(ANALYSIS_FILE)) out.push(readFileSync(ANALYSIS_FILE, 'utf8').trim() + '\n');

  out.push('## Running it\n');
  out.push(
    '```sh\n' +
      'npm run bench              # everything, about 12 minutes on 2 cores; rewrites docs/benchmarks.md and docs/benchmarks.json\n' +
      'npm run bench -- --quick   # reduced (under 2 minutes, what CI runs); writes .tmp/benchmarks-quick.md and .json\n' +
      'npm run bench -- --only second-factor,journey   # some of them, into .tmp/ (ids: ' +
      sections.map((s) => s.id).join(', ') +
      ')\n' +
      'npm run bench -- --only startup --merge   # measure some again and put them into docs/ in place of their old figures\n' +
      'npm run bench -- --render  # rewrite docs/benchmarks.md from docs/benchmarks.json and bench/analysis.md, measuring nothing\n```\n\n' +
      'It needs PostgreSQL on 127.0.0.1:5432 with user `postgres` (as in CI; `BENCH_DATABASE_URL` overrides the admin URL) ' +
      'and creates and drops its own databases (`bench_*`). No `wrk` or other tool is needed.\n',
  );
  return out.join('\n');
}

export function writeReport(paths: { markdown: string; json: string }, machine: MachineInfo, sections: Section[], options: { quick: boolean; seconds: number }): void {
  for (const path of [paths.markdown, paths.json]) mkdirSync(dirname(path), { recursive: true });
  writeFileSync(paths.markdown, renderMarkdown(machine, sections, options));
  writeFileSync(paths.json, `${JSON.stringify({ quick: options.quick, seconds: options.seconds, machine, sections }, null, 1)}\n`);
}
