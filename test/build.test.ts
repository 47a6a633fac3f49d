// What production runs: `npm run build` compiles the server to dist/, `bin/twofold.js` (`npm start`, the `twofold`
// binary) runs that JavaScript with no TypeScript loader, and a plain JavaScript program imports the typed client
// as `twofold/client`. The rest of the suite runs the sources; this file builds dist/ afresh, so it never tests a
// stale build.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from './helpers/db.ts';
import { COMPILED_BIN, startServerProcess, type ServerProcess } from './helpers/process.ts';
import { TEST_KEYS } from './helpers/server.ts';

const ROOT = new URL('../', import.meta.url);
const FIXTURE = new URL('fixtures/plain-client.mjs', import.meta.url).pathname;

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let server: ServerProcess;
beforeAll(async () => {
  const build = run(['scripts/build-server.js']);
  expect(build.stderr).toBe('');
  expect(build.status).toBe(0);
  server = await startServerProcess({ DATABASE_URL: 'memory://', TWOFOLD_SECRET_KEYS: TEST_KEYS, DATA_DIR: '.tmp/test-data' }, 60_000, COMPILED_BIN);
}, 120_000);
afterAll(() => server?.stop());

describe('the compiled server', () => {
  it('serves from dist/ without tsx: no module of the process is TypeScript', async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const maps = await readFile(`/proc/${server.child.pid}/maps`, 'utf8').catch(() => '');
    expect(maps).not.toMatch(/node_modules\/(tsx|esbuild)\//);
    const pkg = JSON.parse(await readFile(new URL('package.json', ROOT), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
  });

  it('loads TypeBox as one bundled module, not the package\'s hundreds of files (start-up time)', async () => {
    const schemas = await readFile(new URL('dist/api/rest/schemas.js', ROOT), 'utf8');
    expect(schemas).toContain("from '../../vendor/typebox.js'");
    expect(schemas).not.toContain("from 'typebox'");
    // The bundle is a working TypeBox (the server above started on it: its route schemas are built at load).
    expect((await import(new URL('dist/vendor/typebox.js', ROOT).href)).default.Object).toBeTypeOf('function');
  });

  it('says at start-up where it listens, what it keeps its data in and where mail goes', () => {
    const entries = server.logs.flatMap((line) => {
      try {
        return [JSON.parse(line) as { msg?: string }];
      } catch {
        return [];
      }
    });
    const startup = entries.find((e) => e.msg?.startsWith('twofold is listening'));
    const outbox = fileURLToPath(new URL('.tmp/test-data/outbox', ROOT));
    expect(startup).toMatchObject({ url: server.url, database: 'pglite', mail: 'outbox' });
    expect(startup!.msg).toBe(`twofold is listening on ${server.url} · database: embedded PostgreSQL (PGlite) in memory, lost on exit · mail: .eml files in ${outbox} (no SMTP_URL)`);
  });

  it('is what the package exports: JavaScript with .d.ts types', async () => {
    const require = createRequire(new URL('package.json', ROOT));
    expect(require.resolve('twofold/client')).toMatch(/\/dist\/client\/index\.js$/);
    const pkg = JSON.parse(await readFile(new URL('package.json', ROOT), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
    for (const entry of Object.values(pkg.exports)) {
      await expect(readFile(new URL(entry.types, ROOT), 'utf8')).resolves.toContain('export');
      await expect(readFile(new URL(entry.default, ROOT), 'utf8')).resolves.not.toMatch(/from '[^']+\.ts'/);
    }
  });
});

describe('twofold/client from plain JavaScript', () => {
  it('imports by package name from an .mjs file and signs up and in', () => {
    const email = uniqueEmail('plain-js');
    const result = run([FIXTURE, server.url, email]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ resolved: expect.stringMatching(/\/dist\/client\/index\.js$/), signedIn: true, me: email, wrong: 'invalid_credentials' });
  });

  it('is typed for that file too: the type checker reads it (checkJs) against the exported .d.ts', () => {
    const tsc = new URL('bin/tsc', `file://${createRequire(import.meta.url).resolve('typescript/package.json')}`).pathname;
    const flags = ['--ignoreConfig', '--noEmit', '--allowJs', '--checkJs', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', '--skipLibCheck'];
    const checked = run([tsc, ...flags, FIXTURE]);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.status).toBe(0);
  });
});
