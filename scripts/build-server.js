#!/usr/bin/env node
// The server half of `npm run build`: compiles src/ to dist/ (JavaScript and .d.ts, relative `.ts` imports
// rewritten to `.js`) with the TypeScript compiler the type check already uses, then copies what the code
// loads at run time besides modules: the SQL migrations (read from beside store/migrate.js). Then it makes the
// embedded database's data-directory template (dist/pgdata-template/, src/store/pglite-template.ts), which spares
// a first start initdb. dist/ is removed first, so a source file deleted since the last build cannot live on there.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { buildSync } from 'esbuild';
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
vendorTypebox();
console.log('build: compiled the server to dist/');
const { writePgliteTemplate } = await import(new URL('store/pglite-template-writer.js', dist).href);
const { DEFAULT_PGLITE_TEMPLATE } = await import(new URL('store/pglite-template.js', dist).href);
await writePgliteTemplate(DEFAULT_PGLITE_TEMPLATE);
console.log('build: made the embedded database template (dist/pgdata-template/)');

/**
 * TypeBox (the request and response schemas, built when their modules load) is imported as one bundled module,
 * dist/vendor/typebox.js, instead of its ~370 files: importing the package took about 0.25 s of every start, the
 * bundle about 0.025 s (benchmark 7, the embedded restart). Only the compiled server's `from 'typebox'` is
 * rewritten; the .d.ts files keep naming the package.
 */
function vendorTypebox() {
  const outfile = new URL('vendor/typebox.js', dist).pathname;
  buildSync({
    stdin: { contents: "export { default } from 'typebox';\nexport * from 'typebox';\n", resolveDir: root.pathname, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'warning',
  });
  for (const file of readdirSync(dist.pathname, { recursive: true })) {
    if (!String(file).endsWith('.js') || String(file).startsWith('vendor')) continue;
    const path = join(dist.pathname, String(file));
    const source = readFileSync(path, 'utf8');
    if (!source.includes("from 'typebox'")) continue;
    let target = relative(dirname(path), outfile);
    if (!target.startsWith('.')) target = `./${target}`;
    writeFileSync(path, source.replaceAll("from 'typebox'", `from '${target}'`));
  }
}
