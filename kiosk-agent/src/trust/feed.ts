/**
 * The fleet trust feed (config `trustFeed`): fetches the backend's signed trust bundle on start and every
 * `refreshMinutes`, checks it (ES256 under the pinned key, `typ`, schema, not expired, not issued in the future, a
 * version never lower than the highest one seen — no rollback), hands it to AgentTrust and keeps it on disk so a
 * restart without network still has it. Anything wrong with a fetched bundle keeps the last good one and is logged
 * by reason; nothing from the bundle's content is logged. docs/trust-feed.md.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRUST_BUNDLE_MAX_BYTES, TRUST_BUNDLE_TYP, type TrustBundle, trustBundleSchema } from '@cccd/client';
import { compactVerify, importSPKI } from 'jose';
import { ConfigError } from '../config.js';
import type { Logger } from '../log.js';
import type { AgentTrust } from './agent-trust.js';

export const TRUST_BUNDLE_FILE = 'trust-bundle.jws';
/** The highest version ever taken, kept apart from the bundle: a damaged or deleted bundle file keeps the floor. */
export const TRUST_FLOOR_FILE = 'trust-bundle.floor';
/** A bundle's issuedAt may run ahead of this machine's clock by this much (clock skew), not more. */
const MAX_SKEW_S = 300;

export type FeedRefusal =
  | 'unreachable'
  | 'timeout'
  | 'http-status'
  | 'too-large'
  | 'bad-signature'
  | 'malformed'
  | 'bad-entry'
  | 'expired'
  | 'not-yet-valid'
  | 'rollback'
  | 'version-reused';

export class TrustFeedError extends Error {
  override name = 'TrustFeedError';
  constructor(readonly reason: FeedRefusal) {
    super(`trust bundle refused: ${reason}`);
  }
  get code(): string {
    return `trust-feed/${this.reason}`;
  }
}

export interface TrustFeedOptions {
  url: string;
  /** PEM SubjectPublicKeyInfo of the P-256 key that signs the bundles. */
  publicKey: string;
  refreshMinutes: number;
  timeoutMs: number;
  maxBytes?: number;
  dataDir: string;
  trust: AgentTrust;
  log: Logger;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface TrustFeedStatus {
  version: number | null;
  issuer: string | null;
  expiresAt: string | null;
  state: 'current' | 'expired' | 'none';
  lastCheck: string | null;
  lastError: FeedRefusal | null;
}

type Key = Awaited<ReturnType<typeof importSPKI>>;

/** Signature, header type and schema of one JWS; the payload is returned only when all three hold. */
export async function verifyBundleJws(jws: string, key: Key): Promise<{ bundle: TrustBundle; payload: string }> {
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(jws.trim(), key, { algorithms: ['ES256'] });
  } catch {
    throw new TrustFeedError('bad-signature');
  }
  if (verified.protectedHeader.typ !== TRUST_BUNDLE_TYP) throw new TrustFeedError('malformed');
  const payload = new TextDecoder().decode(verified.payload);
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    throw new TrustFeedError('malformed');
  }
  const parsed = trustBundleSchema.safeParse(json);
  if (!parsed.success) throw new TrustFeedError('malformed');
  return { bundle: parsed.data, payload };
}

/** Reads a response body up to `max` bytes; a longer one is cut off and refused. */
async function boundedText(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) throw new TrustFeedError('too-large');
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new TrustFeedError('too-large');
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

export class TrustFeed {
  readonly #o: TrustFeedOptions;
  readonly #key: Key;
  readonly #file: string;
  readonly #floorFile: string;
  #floor = 0;
  #payload: string | undefined;
  #lastCheck: number | undefined;
  #lastError: FeedRefusal | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #inflight: Promise<unknown> | undefined;

  private constructor(o: TrustFeedOptions, key: Key) {
    this.#o = o;
    this.#key = key;
    this.#file = join(o.dataDir, TRUST_BUNDLE_FILE);
    this.#floorFile = join(o.dataDir, TRUST_FLOOR_FILE);
  }

  /** Imports the key (a bad one is a ConfigError), loads the disk copy, fetches once (bounded) and schedules. */
  static async open(o: TrustFeedOptions): Promise<TrustFeed> {
    let key: Key;
    try {
      key = await importSPKI(o.publicKey, 'ES256');
    } catch {
      throw new ConfigError('trustFeed.publicKey', 'not a PEM P-256 public key (-----BEGIN PUBLIC KEY-----)');
    }
    const feed = new TrustFeed(o, key);
    await feed.#loadDisk();
    await feed.refresh().catch(() => {}); // logged inside; the disk copy (or the static paths) serve meanwhile
    feed.#timer = setInterval(() => void feed.refresh().catch(() => {}), o.refreshMinutes * 60_000);
    feed.#timer.unref();
    return feed;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  status(): TrustFeedStatus {
    const info = this.#o.trust.bundle;
    const iso = (s: number) => new Date(s).toISOString();
    return {
      version: info?.version ?? null,
      issuer: info?.issuer ?? null,
      expiresAt: info ? iso(info.expiresAt * 1000) : null,
      state: !info ? 'none' : this.#o.trust.bundleExpired() ? 'expired' : 'current',
      lastCheck: this.#lastCheck === undefined ? null : iso(this.#lastCheck),
      lastError: this.#lastError,
    };
  }

  /** One fetch and check; resolves 'updated' or 'unchanged', rejects with TrustFeedError. One at a time. */
  refresh(): Promise<'updated' | 'unchanged'> {
    if (this.#inflight) return this.#inflight as Promise<'updated' | 'unchanged'>;
    const run = this.#refresh().finally(() => {
      this.#inflight = undefined;
    });
    this.#inflight = run;
    return run;
  }

  async #refresh(): Promise<'updated' | 'unchanged'> {
    const now = this.#now();
    this.#lastCheck = now;
    try {
      const jws = await this.#fetch();
      const outcome = await this.#accept(jws, now);
      this.#lastError = null;
      if (outcome === 'updated') {
        this.#persist(jws);
        const info = this.#o.trust.bundle;
        this.#o.log.info({ event: 'trust-feed', status: 'updated', count: info?.cscas }, 'trust bundle updated');
      }
      return outcome;
    } catch (e) {
      const reason = e instanceof TrustFeedError ? e.reason : 'unreachable';
      this.#lastError = reason;
      this.#o.log.warn({ event: 'trust-feed', status: 'refused', reason }, 'trust bundle not taken');
      throw e instanceof TrustFeedError ? e : new TrustFeedError(reason);
    }
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  async #fetch(): Promise<string> {
    const doFetch = this.#o.fetch ?? fetch;
    let res: Response;
    try {
      res = await doFetch(this.#o.url, {
        signal: AbortSignal.timeout(this.#o.timeoutMs),
        redirect: 'error',
        headers: { accept: 'application/jose' },
      });
    } catch (e) {
      throw new TrustFeedError((e as Error)?.name === 'TimeoutError' ? 'timeout' : 'unreachable');
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      throw new TrustFeedError('http-status');
    }
    try {
      return await boundedText(res, this.#o.maxBytes ?? TRUST_BUNDLE_MAX_BYTES);
    } catch (e) {
      if (e instanceof TrustFeedError) throw e;
      throw new TrustFeedError((e as Error)?.name === 'TimeoutError' ? 'timeout' : 'unreachable');
    }
  }

  /** The checks in order: signature and schema, then time, then version against the highest seen. */
  async #accept(jws: string, now: number): Promise<'updated' | 'unchanged'> {
    const { bundle, payload } = await verifyBundleJws(jws, this.#key);
    const nowS = Math.floor(now / 1000);
    if (bundle.expiresAt <= nowS) throw new TrustFeedError('expired');
    if (bundle.issuedAt > nowS + MAX_SKEW_S || bundle.expiresAt <= bundle.issuedAt)
      throw new TrustFeedError('not-yet-valid');
    if (bundle.version < this.#floor) throw new TrustFeedError('rollback');
    if (bundle.version === this.#floor && this.#payload !== undefined) {
      if (payload === this.#payload) return 'unchanged';
      throw new TrustFeedError('version-reused');
    }
    try {
      this.#o.trust.apply(bundle);
    } catch {
      throw new TrustFeedError('bad-entry');
    }
    this.#floor = bundle.version;
    this.#payload = payload;
    return 'updated';
  }

  /** The last good bundle from disk: its version becomes the floor even when it has expired since. */
  async #loadDisk(): Promise<void> {
    this.#floor = this.#storedFloor();
    if (!existsSync(this.#file)) return;
    try {
      const { bundle, payload } = await verifyBundleJws(readFileSync(this.#file, 'utf8'), this.#key);
      if (bundle.version < this.#floor) throw new TrustFeedError('rollback');
      this.#o.trust.apply(bundle);
      this.#floor = bundle.version;
      this.#payload = payload;
    } catch (e) {
      const reason = e instanceof TrustFeedError ? e.reason : 'bad-entry';
      this.#o.log.warn({ event: 'trust-feed', status: 'disk-copy-ignored', reason }, 'stored trust bundle ignored');
    }
  }

  #storedFloor(): number {
    try {
      const text = existsSync(this.#floorFile) ? readFileSync(this.#floorFile, 'utf8').trim() : '';
      return /^\d{1,16}$/.test(text) ? Number(text) : 0;
    } catch {
      return 0;
    }
  }

  #persist(jws: string): void {
    try {
      for (const [file, text] of [
        [this.#file, jws],
        [this.#floorFile, String(this.#floor)],
      ] as const) {
        writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
        renameSync(`${file}.tmp`, file);
      }
    } catch (e) {
      this.#o.log.warn(
        { event: 'trust-feed', status: 'not-saved', errorName: (e as Error)?.name },
        'trust bundle not saved',
      );
    }
  }
}
