import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  logs: string[];
  stop(): Promise<number | null>;
}

// The sources through tsx (never a possibly stale dist/); test/build.test.ts runs the compiled bin/twofold.js.
const BIN = new URL('../../scripts/twofold-dev.js', import.meta.url).pathname;

/** Runs `twofold <args>` in a child process (as another user with `as`, when root) and waits for it to exit. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  as?: { uid: number; gid: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...as });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The production entry: the compiled dist/ (test/build.test.ts builds it first). */
export const COMPILED_BIN = new URL('../../bin/twofold.js', import.meta.url).pathname;

/** Starts `twofold serve [args]` (the sources, or `bin` given) as its own process and resolves once it logs that it listens. */
export function startServerProcess(env: Record<string, string>, timeoutMs = 90_000, bin = BIN, args: string[] = []): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', ...args], {
      // LOG_LEVEL stays info: the "listening" line is how we learn the port.
      env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', RATE_LIMITS: 'false', ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${logs.join('\n')}`));
    }, timeoutMs);
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${logs.join('\n')}`));
    });
    createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg?.startsWith('twofold is listening') && entry.url) {
          clearTimeout(timer);
          resolve({
            url: entry.url,
            child,
            logs,
            async stop() {
              child.kill('SIGTERM');
              return exited;
            },
          });
        }
      } catch {
        // not a JSON log line
      }
    });
  });
}
