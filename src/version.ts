import { existsSync, readFileSync } from 'node:fs';

/** twofold's version, from package.json (one source), wherever this file runs from (sources or a build). */
function readVersion(): string {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    const file = new URL('package.json', dir);
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'twofold' && pkg.version) return pkg.version;
  }
  return '0.0.0';
}

export const version = readVersion();
