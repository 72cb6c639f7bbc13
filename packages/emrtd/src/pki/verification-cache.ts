/**
 * An explicit, bounded cache for a verifier that checks many documents against the same PKI (a backend):
 *
 * - signature verdicts on certificates and CRLs, keyed by a SHA-256 over every input of the check (algorithm,
 *   the signer's whole SubjectPublicKeyInfo, the signed bytes, the signature, the quirk policy). A verdict is a
 *   pure function of those bytes, so a hit returns exactly what verifying again would: a tampered certificate
 *   (same subject, other bytes) is another key and is verified afresh. Nothing time-dependent is cached: validity
 *   periods, CRL freshness and revocation are evaluated by the caller on every verification;
 * - precomputed multiplication tables (noble's `precompute`) for EC public keys seen `precomputeAfter` times
 *   (a Document Signer's key signs thousands of SODs; a table costs about eight verifications to build and makes
 *   each later one ~3× cheaper). Only keys of certificates whose path to a trust-store anchor validated count
 *   (`recordTrustedKey`, called by verify/chain.ts): a key made up for a forged DS certificate in an evidence bundle
 *   is verified the ordinary way, and however many of them come, they neither build tables nor evict the real ones.
 *
 * Nothing is global: whoever wants the cache creates one and passes it (`verifyEvidence(…, { cache })`).
 * Only pass keys that recur (certificate keys); a chip's Active Authentication key is never routed here.
 */
import { hex, utf8 } from '../codec/bytes.js';
import type { EcDomainParameters, EcPoint } from '../crypto/domain-params.js';
import { sha256 } from '../crypto/hash.js';
import type { SubjectPublicKeyInfo } from '../lds/public-key.js';
import { type EcKeyTables, ecPublicPoint, resolveCurve } from './ec.js';
import { type SignatureCheck, type SignatureInput, verifySignature } from './signature.js';

export interface VerificationCacheOptions {
  /** Signature verdicts kept (certificates, CRLs); least recently used dropped first. Default 4096. */
  maxVerdicts?: number;
  /** EC keys with a precomputed table (≈ 0.4 MB each on a 256-bit curve, 0.9 MB on P-521). Default 16. */
  maxKeyTables?: number;
  /**
   * Verifications with one key before its table is built. Default 8: a table costs about eight verifications, so
   * a key met that often has paid for it, and no key (e.g. one made up for a forged DS certificate) can make the
   * verifier do more than about twice the work it would do without tables.
   */
  precomputeAfter?: number;
}

export interface VerificationCacheStats {
  verdictHits: number;
  verdictMisses: number;
  verdicts: number;
  keyTables: number;
}

/** Window of the precomputed tables: noble's default for its base points (1408 points on a 256-bit curve). */
const TABLE_WINDOW = 6;

/** A Map in recency order: a hit moves the entry to the end, the first entry is the least recently used. */
class Lru<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value!);
  }
  delete(key: string): void {
    this.#map.delete(key);
  }
  get size(): number {
    return this.#map.size;
  }
  clear(): void {
    this.#map.clear();
  }
}

function bound(n: number | undefined, fallback: number, name: string): number {
  const v = n ?? fallback;
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`VerificationCache: ${name} must be an integer ≥ 0`);
  return v;
}

/** Every input of verifySignature, length-prefixed so no two different inputs hash the same stream. */
function verdictKey(input: SignatureInput): string {
  const h = sha256.create();
  const field = (b: Uint8Array) => {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, b.length);
    h.update(len).update(b);
  };
  const q = input.quirks ?? {};
  field(utf8('cccd-signature-verdict/1'));
  field(utf8(input.algorithm.oid));
  field(input.algorithm.parameters ?? new Uint8Array());
  field(utf8(input.digestAlgorithm ?? ''));
  field(input.spki.raw);
  field(input.data);
  field(input.signature);
  field(Uint8Array.of(q.nonDerEcdsa ? 1 : 0, q.pkcs1WithPssKey ? 1 : 0, q.curveMismatch ? 1 : 0));
  return hex(h.digest());
}

const tableKey = (params: EcDomainParameters, encoded: Uint8Array) => `${params.name}:${hex(encoded)}`;

const copy = (c: SignatureCheck): SignatureCheck => ({ ...c, reasons: c.reasons.map((r) => ({ ...r })) });

export class VerificationCache implements EcKeyTables {
  readonly #verdicts: Lru<SignatureCheck>;
  readonly #tables: Lru<EcPoint>;
  /** Uses of keys without a table yet (bounded too: one-off keys must not grow it). */
  readonly #uses: Lru<number>;
  readonly #precomputeAfter: number;
  #hits = 0;
  #misses = 0;

  constructor(options: VerificationCacheOptions = {}) {
    this.#verdicts = new Lru(bound(options.maxVerdicts, 4096, 'maxVerdicts'));
    const tables = bound(options.maxKeyTables, 16, 'maxKeyTables');
    this.#tables = new Lru(tables);
    this.#uses = new Lru(Math.max(64, tables * 8));
    this.#precomputeAfter = Math.max(1, bound(options.precomputeAfter, 8, 'precomputeAfter'));
  }

  /** verifySignature, remembered: for certificate and CRL signatures, whose keys and bytes recur. */
  verifySignature(input: SignatureInput): SignatureCheck {
    if (this.#verdicts.max === 0) return verifySignature(input, this);
    const key = verdictKey(input);
    const cached = this.#verdicts.get(key);
    if (cached) {
      this.#hits++;
      return copy(cached);
    }
    this.#misses++;
    const check = verifySignature(input, this);
    this.#verdicts.set(key, copy(check));
    return check;
  }

  /** EcKeyTables: the key's point with its table, when `recordTrustedKey` has built one; a lookup, nothing more. */
  pointFor(params: EcDomainParameters, encoded: Uint8Array): EcPoint | undefined {
    if (this.#tables.max === 0) return undefined;
    return this.#tables.get(tableKey(params, encoded));
  }

  /**
   * One use of a certificate's key whose path to a trust-store anchor has validated (verify/chain.ts): the key earns
   * a table once it has been used `precomputeAfter` times. Keys whose chain did not validate must never come here.
   */
  recordTrustedKey(spki: SubjectPublicKeyInfo): void {
    if (this.#tables.max === 0 || spki.publicKey.kind !== 'ec') return;
    const params = resolveCurve(spki.domainParameters)?.params;
    const encoded = params && ecPublicPoint(params, spki.publicKey.point);
    if (!params || !encoded) return;
    const key = tableKey(params, encoded);
    if (this.#tables.get(key)) return;
    const uses = (this.#uses.get(key) ?? 0) + 1;
    if (uses < this.#precomputeAfter) {
      this.#uses.set(key, uses);
      return;
    }
    this.#uses.delete(key);
    const point = params.curve.fromBytes(encoded);
    if (point.is0()) return;
    // Eager (isLazy false): the table is built here, once, not on some later caller's verification.
    point.precompute(TABLE_WINDOW, false);
    this.#tables.set(key, point);
  }

  get stats(): VerificationCacheStats {
    return {
      verdictHits: this.#hits,
      verdictMisses: this.#misses,
      verdicts: this.#verdicts.size,
      keyTables: this.#tables.size,
    };
  }

  /** Drops every verdict and table (e.g. to bound memory after a trust-store swap; never needed for safety). */
  clear(): void {
    this.#verdicts.clear();
    this.#tables.clear();
    this.#uses.clear();
  }
}
