import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CitizenProfile, ProfileError, parseProfile } from './profile.js';

/** Folder of the ready profiles (simulator/profiles, shipped with the package). */
export const PROFILES_DIR = fileURLToPath(new URL('../../profiles/', import.meta.url));

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Names of the ready profiles, sorted. */
export function listProfiles(): string[] {
  return readdirSync(PROFILES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/**
 * A ready profile by name ('cccd-2021-adult') or a profile JSON file by path. Errors name the file and the failing
 * field paths, never the values.
 */
export function loadProfile(nameOrPath: string): CitizenProfile {
  const isName = NAME.test(nameOrPath) && !nameOrPath.endsWith('.json');
  if (isName && !listProfiles().includes(nameOrPath))
    throw new ProfileError(`unknown profile '${nameOrPath}' (see \`cccd sim profiles\`)`);
  const file = isName ? `${PROFILES_DIR}${nameOrPath}.json` : nameOrPath;
  const label = isName ? nameOrPath : file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ProfileError(`cannot read profile ${label} (${(e as NodeJS.ErrnoException).code ?? 'I/O error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse messages quote the text around the error; the text is personal data, so it is not repeated.
    throw new ProfileError(`profile ${label} is not valid JSON`);
  }
  return parseProfile(json, label);
}
