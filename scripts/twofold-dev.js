#!/usr/bin/env node
// `twofold` on the TypeScript sources through tsx's loader (a dev dependency): what the tests spawn, and
// `npm run dev`, so that neither ever runs a stale dist/. Production runs bin/twofold.js (compiled).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
