import type { UserRecord } from '../../core/users/user.ts';
import { hex, later, type LinkRow, type MemoryTables, type UserRow, userRecord } from './tables.ts';

/**
 * A mailed link used: marked used when it is live, and the user's row changed when it still has the address the
 * link went to (and `eligible` agrees). One call, like the SQL's one statement; the link is spent either way.
 */
export function consumeLink(
  tables: MemoryTables,
  links: Map<string, LinkRow>,
  tokenHash: Buffer,
  now: Date,
  change: (user: UserRow) => Partial<UserRow>,
  eligible: (user: UserRow) => boolean = () => true,
): UserRecord | null {
  const link = links.get(hex(tokenHash));
  if (!link || link.usedAt || !later(link.expiresAt, now)) return null;
  link.usedAt = now;
  const user = tables.users.get(link.userId);
  if (!user || user.emailNormalized !== link.emailNormalized || !eligible(user)) return null;
  Object.assign(user, change(user));
  return userRecord(user);
}
