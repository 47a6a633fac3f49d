#!/usr/bin/env node
// The server half of `npm run build`: compiles src/ to dist/ (JavaScript and .d.ts, relative `.ts` imports
// rewritten to `.js`) with the TypeScript compiler the type check already uses, then copies what the code
// loads at run time besides modules: the SQL migrations (read from beside store/migrate.js). Then it makes the
// embedded database's data-directory template (dist/pgdata-template/, src/store/pglite-template.ts), which spares
// a first start initdb. dist/ is removed first, so a source file deleted since the last build cannot live on there.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('../', import.meta.url);
const dist = new URL('dist/', root);
rmSync(dist, { recursive: true, force: true });
const tsc = new URL('bin/tsc', `file://${createRequire(import.meta.url).resolve('typescript/package.json')}`).pathname;
const result = spawnSync(process.execPath, [tsc, '-p', new URL('tsconfig.build.json', root).pathname], { stdio: 'inherit' });
if (result.status !== 0) {
  console.error('build: the TypeScript compiler failed (dist/ is incomplete)');
  process.exit(result.status ?? 1);
}
cpSync(new URL('src/store/migrations/', root), new URL('store/migrations/', dist), { recursive: true, filter: (path) => !/\.(ts|js)$/.test(path) });
console.log('build: compiled the server to dist/');
const { writePgliteTemplate } = await import(new URL('store/pglite-template-writer.js', dist).href);
const { DEFAULT_PGLITE_TEMPLATE } = await import(new URL('store/pglite-template.js', dist).href);
await writePgliteTemplate(DEFAULT_PGLITE_TEMPLATE);
console.log('build: made the embedded database template (dist/pgdata-template/)');
