import { profileLimits, type Profile, type ProfileColumn, type ProfileStore } from '../core/users/profile.ts';
import type { Queryable } from './db.ts';

export function createProfileStore(db: Queryable): ProfileStore {
  return {
    async get(userId) {
      const rows = await db.query<{ properties: Profile }>('SELECT properties FROM user_profiles WHERE user_id = $1', [userId]);
      return rows[0]?.properties ?? {};
    },
    async merge(userId, changes, columns, now) {
      const set = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== null));
      const removed = Object.keys(changes).filter((name) => changes[name] === null);
      // One statement: a merge on top of the stored properties, so parallel updates of other properties survive;
      // the user's `updated` moves (Backendless' `updated` covers every column); new names join the app's list
      // while it has room.
      const rows = await db.query<{ properties: Profile }>(
        `WITH listed AS (
           INSERT INTO user_profile_columns (name, type, first_seen_at)
           SELECT c.name, c.type, $4 FROM jsonb_to_recordset($5::jsonb) AS c(name text, type text)
           WHERE (SELECT count(*) FROM user_profile_columns) < $6
           ON CONFLICT (name) DO NOTHING
         ), touched AS (
           UPDATE users SET updated_at = $4 WHERE id = $1
         )
         INSERT INTO user_profiles AS p (user_id, properties, updated_at) VALUES ($1, $2::jsonb, $4)
         ON CONFLICT (user_id) DO UPDATE SET properties = (p.properties || $2::jsonb) - $3::text[], updated_at = $4
         RETURNING properties`,
        [userId, JSON.stringify(set), removed, now, JSON.stringify(columns), profileLimits.maxColumns],
      );
      return rows[0]!.properties;
    },
    async columns() {
      return db.query<ProfileColumn>('SELECT name, type FROM user_profile_columns ORDER BY first_seen_at, name');
    },
  };
}
