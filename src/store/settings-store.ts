import type { Queryable } from './db.ts';

/** Server-wide values decided once and shared by every instance (e.g. generated app credentials). */
export interface SettingsStore {
  /** Returns the stored value, storing `candidate` first if there is none: the first instance to ask wins. */
  getOrInit(key: string, candidate: string): Promise<string>;
}

export function createSettingsStore(db: Queryable): SettingsStore {
  return {
    async getOrInit(key, candidate) {
      await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, candidate]);
      const rows = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
      return rows[0]!.value;
    },
  };
}
