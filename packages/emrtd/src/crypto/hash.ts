import { sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';

export type HashName = 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export const HASHES: Record<HashName, (data: Uint8Array) => Uint8Array> = {
  'SHA-1': sha1,
  'SHA-224': sha224,
  'SHA-256': sha256,
  'SHA-384': sha384,
  'SHA-512': sha512,
};

/** Output length in bytes (hLen of RFC 8017). */
export const HASH_LENGTH: Record<HashName, number> = {
  'SHA-1': 20,
  'SHA-224': 28,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
};

export function digest(name: HashName, data: Uint8Array): Uint8Array {
  return HASHES[name](data);
}

export { sha1, sha256 };
