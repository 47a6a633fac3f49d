import type { Clock } from '../clock.ts';
import { TwofoldError } from '../errors.ts';

/**
 * A user's own properties beyond what twofold needs (the name, phone, … of an app's sign-up form): Backendless'
 * `Users` table has a dynamic schema and apps written for it keep such fields on the user object. twofold
 * stores them as JSON values, keeps them apart from the account itself, and never reads them for a decision.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Profile = Record<string, JsonValue>;

/** A property name as Backendless' `describeUserClass` lists it, typed by the first value seen. */
export interface ProfileColumn {
  name: string;
  type: 'STRING' | 'INT' | 'DOUBLE' | 'BOOLEAN' | 'JSON';
}

export const profileLimits = {
  /** Backendless column names: a letter, then letters, digits or `_` (and MySQL's 64 characters). */
  nameShape: /^[A-Za-z][A-Za-z0-9_]{0,63}$/,
  maxProperties: 50,
  /** All of a user's properties together, as JSON text (UTF-8). */
  maxBytes: 16 * 1024,
  /** Nesting of objects and arrays inside one value. */
  maxDepth: 8,
  /** Property names the whole app may accumulate (describeUserClass); further names are kept but not listed. */
  maxColumns: 1000,
} as const;

/**
 * Names the user object already uses (Backendless' system columns and twofold's own answers): they are the
 * account's, never a property, whatever their case.
 */
const RESERVED = new Set(
  [
    'id',
    'objectId',
    'ownerId',
    'created',
    'updated',
    'email',
    'password',
    'userStatus',
    'emailConfirmed',
    'totpAuthEnabled',
    'lastLogin',
    'socialAccount',
    'accountType',
    'username',
    'transactionId',
    'qrURL',
    'secret',
    'backupCodes',
    'setupRequired',
  ].map((name) => name.toLowerCase()),
);

export const isReservedProperty = (name: string) => RESERVED.has(name.toLowerCase());

/** Storage port for profiles (`src/store/profile-store.ts`). */
export interface ProfileStore {
  get(userId: string): Promise<Profile>;
  /**
   * Sets the given properties and removes those given as null, in one statement (changes to other properties made
   * meanwhile are kept), and marks the user updated; records new names, with the type of their value, in the
   * app's list (up to `maxColumns`).
   */
  merge(userId: string, changes: Record<string, JsonValue>, columns: ProfileColumn[], now: Date): Promise<Profile>;
  columns(): Promise<ProfileColumn[]>;
}

export interface ProfileDeps {
  profiles: ProfileStore;
  clock: Clock;
}

/**
 * Checks properties an app sends: an object of names to JSON values (null removes one). Reserved names are
 * refused as `property_protected`; bad names, values too deep and too many as `property_invalid`.
 */
export function checkProfileChanges(input: unknown): Record<string, JsonValue> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('profile', 'an object of property names to values');
  const changes: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(input)) {
    if (isReservedProperty(name)) {
      throw new TwofoldError('property_protected', { property: name }, `"${name}" belongs to the account itself and is not a property an app may set.`);
    }
    if (!profileLimits.nameShape.test(name)) throw invalid(name, 'a name starts with a letter and has only letters, digits and "_" (at most 64)');
    if (nestsDeeper(value, profileLimits.maxDepth)) throw invalid(name, `values nest at most ${profileLimits.maxDepth} levels`);
    changes[name] = value as JsonValue;
  }
  return changes;
}

/** The profile after `changes`, checked against the limits before anything is written. */
export function mergedProfile(current: Profile, changes: Record<string, JsonValue>): Profile {
  const merged: Profile = { ...current };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  if (Object.keys(merged).length > profileLimits.maxProperties) throw invalid('profile', `at most ${profileLimits.maxProperties} properties`);
  if (Buffer.byteLength(JSON.stringify(merged)) > profileLimits.maxBytes) throw invalid('profile', `at most ${profileLimits.maxBytes} bytes of JSON in all`);
  return merged;
}

/** Applies checked changes: what the user's profile is afterwards. */
export async function updateProfile(deps: ProfileDeps, userId: string, input: unknown): Promise<Profile> {
  const changes = checkProfileChanges(input);
  if (Object.keys(changes).length === 0) return deps.profiles.get(userId);
  mergedProfile(await deps.profiles.get(userId), changes);
  return deps.profiles.merge(userId, changes, columnsOf(changes), deps.clock.now());
}

function columnsOf(changes: Record<string, JsonValue>): ProfileColumn[] {
  return Object.entries(changes)
    .filter(([, value]) => value !== null)
    .map(([name, value]) => ({ name, type: columnType(value) }));
}

function columnType(value: JsonValue): ProfileColumn['type'] {
  if (typeof value === 'string') return 'STRING';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'number') return Number.isInteger(value) ? 'INT' : 'DOUBLE';
  return 'JSON';
}

/** True when `value` nests more than `levels` objects or arrays (stops as soon as it knows: a body may nest thousands). */
function nestsDeeper(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  return (Array.isArray(value) ? value : Object.values(value)).some((child) => nestsDeeper(child, levels - 1));
}

function invalid(property: string, rule: string): TwofoldError {
  return new TwofoldError('property_invalid', { property, rule }, `The user property "${property}" is not valid: ${rule}.`);
}
