#!/usr/bin/env node
// The `twofold` command: runs the compiled server in dist/ (written by `npm run build`), plain JavaScript with no
// loader. scripts/twofold-dev.js runs the TypeScript sources instead (development and tests).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('twofold: the server is not built (no dist/): run `npm run build` first\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
