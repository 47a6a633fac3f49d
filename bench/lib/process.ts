import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { sleep } from './stats.ts';

/**
 * Servers under test run as child processes, so their memory and CPU are their own and not the load
 * generator's. The two still share the machine's cores: every HTTP figure is "server + generator on
 * the same 2 cores".
 */

export const ROOT = new URL('../../', import.meta.url).pathname;

/** How long a server may take to answer its readiness probe: generous, since a shared machine can be slow to start one. */
export const READY_TIMEOUT_MS = 180_000;

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly origin: string;
  readonly port: number;
  /** Resident set size of the process and all its descendants (workers), in bytes. */
  rss(): number;
  /** Number of processes in the tree (1, or primary + workers). */
  processCount(): number;
  /** User + system CPU seconds of the tree so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
  /** What the process wrote to stderr (last 64 kB), for error messages. */
  stderr(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface SpawnOptions {
  args: string[];
  env: Record<string, string | undefined>;
  port: number;
  /** Path answering 200 once the server is ready. */
  readyPath: string;
  readyTimeoutMs?: number;
  name: string;
}

/** Starts `node <args>` and resolves once `readyPath` answers 200 (polled every 10 ms). */
export async function spawnServer(options: SpawnOptions): Promise<ServerProcess & { readyMs: number }> {
  const started = process.hrtime.bigint();
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...options.env })) if (value !== undefined) env[name] = value;
  const child = spawn(process.execPath, options.args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-65_536);
  });
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const origin = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? READY_TIMEOUT_MS);
  for (;;) {
    if (exited !== undefined) throw new Error(`${options.name} exited with ${exited} before it was ready:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} was not ready after ${options.readyTimeoutMs ?? READY_TIMEOUT_MS} ms:\n${stderr}`);
    }
    if (await answers200(`${origin}${options.readyPath}`)) break;
    await sleep(10);
  }
  const readyMs = Number(process.hrtime.bigint() - started) / 1e6;
  const pid = child.pid!;
  return {
    child,
    origin,
    port: options.port,
    readyMs,
    rss: () => tree(pid).reduce((sum, p) => sum + rssOf(p), 0),
    processCount: () => tree(pid).length,
    cpuSeconds: () => tree(pid).reduce((sum, p) => sum + cpuOf(p), 0),
    stderr: () => stderr,
    async stop() {
      if (exited !== undefined) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** The pid and its descendants, from /proc (Linux). */
export function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const current = out[i]!;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${current}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${current}/task/${task}/children`, 'utf8').trim();
        if (children) out.push(...children.split(/\s+/).map(Number));
      } catch {
        // the task ended meanwhile
      }
    }
  }
  return out;
}

export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const TICKS_PER_SECOND = 100;

export function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Runs a bench module in a fresh Node process and returns the JSON it prints on its last stdout line. */
export async function runChildJson<T>(file: string, args: string[], env: Record<string, string> = {}): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-65_536)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${file} exited with ${code}:\n${stderr}`);
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}
