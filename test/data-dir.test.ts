// A fresh clone has no `./data`: the data directory is created, private to its user, before anything opens it; one
// that cannot be used is a one-line error naming the path and the fix, with exit status 2.
import { chmod, mkdir, mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { dataDirectories } from '../src/server/data-dir.ts';
import { runCli } from './helpers/process.ts';

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'twofold-datadir-'));
});

describe('the data directory', () => {
  // Each command starts a process through tsx, and `migrate` an in-memory PGlite: seconds on a busy machine.
  it('is made when missing, with its parents, mode 0700', { timeout: 90_000 }, async () => {
    const dataDir = join(base, 'fresh', 'clone', 'data');
    const result = await runCli(['migrate'], { DATA_DIR: dataDir, DATABASE_URL: 'memory://' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
  });

  it('is the embedded database’s parent by default; a file:// database gets its own directory', () => {
    const at = (env: Record<string, string>) => dataDirectories(loadConfig({ DATA_DIR: '/srv/twofold', ...env })).map((d) => `${d.setting} ${d.path}`);
    expect(at({})).toEqual(['DATA_DIR /srv/twofold', 'DATA_DIR /srv/twofold/pgdata']);
    expect(at({ DATABASE_URL: 'file:///var/db/twofold', TWOFOLD_SECRET_KEYS: 'k', SMTP_URL: 'smtp://mail' })).toEqual(['DATABASE_URL /var/db/twofold']);
    // On PostgreSQL with SMTP and a key ring nothing is written locally, so nothing is created.
    expect(at({ DATABASE_URL: 'postgres://db/twofold', TWOFOLD_SECRET_KEYS: 'k', SMTP_URL: 'smtp://mail' })).toEqual([]);
  });

  it('that is a file: one line naming it and the fix, exit 2', { timeout: 90_000 }, async () => {
    const file = join(base, 'not-a-directory');
    await writeFile(file, '');
    const result = await runCli(['migrate'], { DATA_DIR: file, DATABASE_URL: 'memory://' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`twofold: DATA_DIR: ${file} is a file, not a directory: move it away, or point DATA_DIR at a directory\n`);

    const database = await runCli(['migrate'], { DATA_DIR: base, DATABASE_URL: `file://${join(file, 'db')}` });
    expect(database.code).toBe(2);
    expect(database.stderr).toMatch(/^twofold: DATABASE_URL: a file stands in the path .*not-a-directory\/db: .*\n$/);
  });

  it('that this user may not write: one line naming it and the fix, exit 2', { timeout: 90_000 }, async () => {
    const readOnly = join(base, 'read-only');
    await mkdir(readOnly, { mode: 0o500 });
    // root writes anywhere: as root, the command runs as `nobody` to meet the directory as a service user would.
    const as = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
    await chmod(base, 0o755);
    const result = await runCli(['migrate'], { DATA_DIR: readOnly, DATABASE_URL: 'memory://' }, as);
    // stderr first: a user who cannot even reach the code (a 0700 folder above the clone) shows here, not as "1".
    expect(result.stderr).toMatch(new RegExp(`^twofold: DATA_DIR: ${readOnly} is not writable by this user \\(uid \\d+\\): fix its owner or mode \\(chown, chmod 700\\), or point DATA_DIR elsewhere\\n$`));
    expect(result.code).toBe(2);
  });
});
