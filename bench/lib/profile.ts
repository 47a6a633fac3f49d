import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The "why" of a figure: a V8 CPU profile of the server (`node --cpu-prof`), summed by where the code
 * lives, and PostgreSQL's wait events sampled from pg_stat_activity while the load runs.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Share of all samples, idle included, per place (package, source folder, V8 bucket). */
  categories: Array<{ name: string; share: number }>;
  /** The functions with the most self time (idle excluded). */
  functions: Array<{ name: string; where: string; share: number }>;
  idleShare: number;
  seconds: number;
}

function categoryOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(idle)') return '(idle: event loop waiting)';
    if (functionName === '(garbage collector)') return 'V8 garbage collector';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (modules) return `npm: ${modules[1]}`;
  const source = /\/src\/([^/]+)\/(?:([^/]+)\/)?/.exec(url);
  if (source) return `twofold src/${source[1]}${source[2] && !source[2].includes('.') ? `/${source[2]}` : ''}`;
  if (url.startsWith('node:')) return `Node.js ${url.replace(/^node:(internal\/)?/, '').split('/')[0]}`;
  return url.split('/').slice(-2).join('/');
}

/**
 * Reads the .cpuprofile in `dir` and sums self time, counting only samples inside `windowUs` (the load's
 * measured window: V8 stamps samples with the monotonic clock, as process.hrtime does), so start-up and
 * shutdown are left out.
 */
export function summariseProfile(dir: string, windowUs?: [number, number], top = 12): ProfileSummary {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  // The server writes one profile; with several (tsx helpers), take the biggest.
  const file = files.map((f) => join(dir, f)).sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0]!;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMicros = new Map<number, number>();
  let at = profile.startTime;
  let counted = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (windowUs && (at < windowUs[0] || at > windowUs[1])) return;
    counted += delta;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
  });
  if (windowUs && counted < (windowUs[1] - windowUs[0]) * 0.5) {
    throw new Error(`the CPU profile covers ${(counted / 1e6).toFixed(1)} s of the ${((windowUs[1] - windowUs[0]) / 1e6).toFixed(1)} s window: clocks differ?`);
  }
  const total = [...selfMicros.values()].reduce((a, b) => a + b, 0) || 1;

  const categories = new Map<string, number>();
  const functions = new Map<string, { where: string; micros: number }>();
  let idle = 0;
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id);
    if (!node) continue;
    const category = categoryOf(node.callFrame);
    categories.set(category, (categories.get(category) ?? 0) + micros);
    if (node.callFrame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    const name = node.callFrame.functionName || '(anonymous)';
    const key = `${name}@${node.callFrame.url}:${node.callFrame.lineNumber}`;
    const entry = functions.get(key) ?? { where: category, micros: 0 };
    entry.micros += micros;
    functions.set(key, entry);
  }
  return {
    categories: [...categories.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, micros]) => ({ name, share: micros / total })),
    functions: [...functions.entries()]
      .sort((a, b) => b[1].micros - a[1].micros)
      .slice(0, top)
      .map(([key, value]) => ({ name: key.split('@')[0]!, where: value.where, share: value.micros / total })),
    idleShare: idle / total,
    seconds: counted / 1e6,
  };
}

export interface WaitSummary {
  samples: number;
  /** Share of (backend × sample) observations per state: active running, waiting on X, idle. */
  states: Array<{ state: string; share: number }>;
}

/** Samples pg_stat_activity for `database` every `everyMs` until `stop()` is called. */
export function sampleWaits(adminUrl: string, database: string, everyMs = 50): { stop: () => Promise<WaitSummary> } {
  const client = new pg.Client({ connectionString: adminUrl });
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ state: string | null; wait_event_type: string | null; wait_event: string | null }>(
        `SELECT state, wait_event_type, wait_event FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
        [database],
      );
      samples++;
      for (const row of rows) {
        const state =
          row.state === 'active'
            ? row.wait_event
              ? `active, waiting: ${row.wait_event_type}/${row.wait_event}`
              : 'active, on CPU'
            : `${row.state ?? 'unknown'} (waiting for the app)`;
        counts.set(state, (counts.get(state) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    await client.end();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const total = [...counts.values()].reduce((a, b) => a + b, 0) || 1;
      return { samples, states: [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([state, n]) => ({ state, share: n / total })) };
    },
  };
}
