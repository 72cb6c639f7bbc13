/**
 * Publishing the fleet trust bundle (docs/trust-feed.md): the server's CSCAs and CRLs as an ES256 compact JWS with
 * header `typ` TRUST_BUNDLE_TYP, whose payload is `trustBundleSchema` of @cccd/client — what the agent's TrustFeed
 * verifies. The agent refuses a lower version (rollback) and the same version with other content
 * (version-reused), so the publisher's payload is a function of the trust material, the ttl and the hour only.
 */
import { createHash } from 'node:crypto';
import { TRUST_BUNDLE_TYP, type TrustBundle, type TrustBundleInput, trustBundleSchema } from '@cccd/client';
import type { TrustStore } from '@cccd/emrtd';
import { CompactSign, importPKCS8 } from 'jose';
import { ServerError } from './errors.js';

/** The ES256 (P-256) signing key: PKCS#8 PEM, or a key already imported. */
export type TrustBundleKeyInput = string | CryptoKey;
type Key = Awaited<ReturnType<typeof importPKCS8>>;

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

async function importKey(key: TrustBundleKeyInput): Promise<Key> {
  if (typeof key !== 'string') return key;
  try {
    return await importPKCS8(key, 'ES256');
  } catch {
    // jose's message may quote the key: say what is wrong only.
    throw new ServerError('ERR_TRUST_BUNDLE', 'the trust bundle key is not an ES256 (P-256) PKCS#8 PEM private key');
  }
}

/** Signs one bundle. The payload is validated first: an invalid one is a typed error naming the key, never a value. */
export async function signTrustBundle(payload: TrustBundleInput, privateKey: TrustBundleKeyInput): Promise<string> {
  const parsed = trustBundleSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map(String).join('.') || 'payload';
    throw new ServerError('ERR_TRUST_BUNDLE', `trust bundle ${path}: ${issue?.code ?? 'invalid'}`);
  }
  return new CompactSign(new TextEncoder().encode(JSON.stringify(parsed.data)))
    .setProtectedHeader({ alg: 'ES256', typ: TRUST_BUNDLE_TYP })
    .sign(await importKey(privateKey));
}

export interface TrustBundlePayloadOptions {
  trustStore: TrustStore;
  /** Shown by the agents in /health. */
  issuer: string;
  version: number;
  issuedAt: number;
  expiresAt: number;
  provenance?: TrustBundle['provenance'];
}

/** The payload for a trust store: its CSCAs and link certificates and its CRLs, each with its source. */
export function trustBundlePayload(o: TrustBundlePayloadOptions): TrustBundle {
  // A source names its file by base name only: the server's folder layout is none of the kiosks' business.
  const label = (s: string) => s.replace(/^file:.*[\\/]/, 'file:').slice(0, 200);
  return {
    v: 1,
    version: o.version,
    issuedAt: o.issuedAt,
    expiresAt: o.expiresAt,
    issuer: o.issuer,
    cscas: o.trustStore.anchors().map((a) => ({ der: base64(a.certificate.raw), source: label(a.source) })),
    crls: o.trustStore.crls().map((c) => ({ der: base64(c.crl.raw), source: label(c.source) })),
    provenance: o.provenance ?? [],
  };
}

export interface TrustBundlePublisherOptions {
  key: TrustBundleKeyInput;
  trustStore: TrustStore;
  issuer: string;
  /** Seconds a bundle is valid (at least two hours: a fresh bundle has at least ttl minus one hour left). */
  ttlSec: number;
  /**
   * 'auto' (default): the version is the start of the current hour (AUTO_PERIOD_SEC) in seconds since the epoch,
   * issuedAt that start, expiresAt start + ttl. The period does not depend on the ttl, so changing the ttl never
   * lowers the version; every instance and every restart signs the same payload within an hour. A change of the
   * trust material takes effect on the agents at the next hour: within the hour it has the version already
   * published, and agents holding that version refuse it as `version-reused` (docs/trust-feed.md). A number pins
   * the version: the bundle is signed once, when first asked for; bump it for every new bundle (a restart signs
   * new times, which agents holding that version refuse as reused).
   */
  version?: 'auto' | number;
  provenance?: TrustBundle['provenance'];
  now?: () => number;
}

export interface PublishedTrustBundle {
  jws: string;
  version: number;
  expiresAt: number;
  /** HTTP entity tag of `jws`. */
  etag: string;
}

export interface TrustBundlePublisher {
  /** The bundle to serve now (signed again only when its window has passed). */
  current(): Promise<PublishedTrustBundle>;
}

/** The step of `version: 'auto'`: fixed, whatever the ttl. */
export const AUTO_PERIOD_SEC = 3600;

export function createTrustBundlePublisher(o: TrustBundlePublisherOptions): TrustBundlePublisher {
  if (!Number.isInteger(o.ttlSec) || o.ttlSec < 2 * AUTO_PERIOD_SEC)
    throw new ServerError('ERR_TRUST_BUNDLE', 'the trust bundle ttl must be a whole number of seconds, at least 7200');
  const now = o.now ?? Date.now;
  const key = importKey(o.key);
  key.catch(() => {}); // rethrown by current(); never an unhandled rejection
  let signed: Promise<PublishedTrustBundle> | undefined;
  let windowStart = -1;

  const sign = async (version: number, issuedAt: number): Promise<PublishedTrustBundle> => {
    const expiresAt = issuedAt + o.ttlSec;
    const payload = trustBundlePayload({ ...o, version, issuedAt, expiresAt });
    const jws = await signTrustBundle(payload, await key);
    const etag = `"${createHash('sha256').update(jws).digest('base64url').slice(0, 27)}"`;
    return { jws, version, expiresAt, etag };
  };
  return {
    current() {
      const nowS = Math.floor(now() / 1000);
      if (typeof o.version === 'number') {
        signed ??= sign(o.version, nowS);
        return signed;
      }
      const start = nowS - (nowS % AUTO_PERIOD_SEC);
      if (start !== windowStart || !signed) {
        windowStart = start;
        signed = sign(Math.max(start, 1), start);
        // A failed signing is retried on the next request rather than served forever.
        signed.catch(() => {
          windowStart = -1;
        });
      }
      return signed;
    },
  };
}
