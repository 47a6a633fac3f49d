import type { SettingsStore } from '../settings-store.ts';
import type { MemoryTables } from './tables.ts';

export function createMemorySettingsStore(tables: MemoryTables): SettingsStore {
  return {
    async getOrInit(key, candidate) {
      if (!tables.settings.has(key)) tables.settings.set(key, candidate);
      return tables.settings.get(key)!;
    },
  };
}
