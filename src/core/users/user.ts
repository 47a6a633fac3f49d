/** A user as every façade may see it: no password hash. */
export interface User {
  id: string;
  email: string;
  username: string | null;
  emailVerifiedAt: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A user row with its password hash; stays inside the core. */
export interface UserRecord extends User {
  emailNormalized: string;
  passwordHash: string;
  /** When the email second factor was turned on; null when it is off. */
  emailTwoFactorEnabledAt: Date | null;
  /** Labels an operator gives (`admin`, `staff`): what the enforcement policy may name. */
  roles: string[];
  /** While the enforcement policy covers the user: until when they may be without a second factor. */
  setupDueAt: Date | null;
  /** When the owner vetoed a factor change from its mailed link: sign-in is refused until an operator unlocks it. */
  lockedByOwnerAt: Date | null;
}

export function publicUser(record: UserRecord): User {
  const { id, email, username, emailVerifiedAt, disabledAt, createdAt, updatedAt } = record;
  return { id, email, username, emailVerifiedAt, disabledAt, createdAt, updatedAt };
}
