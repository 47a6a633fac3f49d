import { profileLimits, type ProfileStore } from '../../core/users/profile.ts';
import type { MemoryTables } from './tables.ts';

export function createMemoryProfileStore(tables: MemoryTables): ProfileStore {
  return {
    async get(userId) {
      return structuredClone(tables.profiles.get(userId)?.properties ?? {});
    },
    async merge(userId, changes, columns, now) {
      tables.requireUser(userId);
      // On top of what is stored, so changes to other properties made meanwhile are kept.
      const properties = { ...(tables.profiles.get(userId)?.properties ?? {}) };
      for (const [name, value] of Object.entries(changes)) {
        if (value === null) delete properties[name];
        else properties[name] = structuredClone(value);
      }
      tables.profiles.set(userId, { properties, updatedAt: now });
      tables.users.get(userId)!.updatedAt = now;
      // New names join the app's list while it has room (the count as it was before this call).
      const room = tables.profileColumns.length < profileLimits.maxColumns;
      for (const column of columns) {
        if (room && !tables.profileColumns.some((c) => c.name === column.name)) tables.profileColumns.push({ ...column, firstSeenAt: now });
      }
      return structuredClone(properties);
    },
    async columns() {
      return [...tables.profileColumns]
        .sort((a, b) => a.firstSeenAt.getTime() - b.firstSeenAt.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map(({ name, type }) => ({ name, type }));
    },
  };
}
