/**
 * The fleet trust bundle: the CSCA certificates and CRLs a backend (@cccd/server) publishes to its kiosk agents, as
 * an ES256 compact JWS (header `typ` TRUST_BUNDLE_TYP) whose payload is this schema. The agent checks the
 * signature against a pinned key, refuses a lower version than the one it holds (no rollback) and an expired
 * bundle, and keeps the last good bundle on disk (docs/trust-feed.md).
 */
import { z } from 'zod';

export const TRUST_BUNDLE_TYP = 'cccd-trust-bundle+jws';
/** Bound on the JWS an agent accepts from a feed (the two ICAO master lists together are under 2 MB of DER). */
export const TRUST_BUNDLE_MAX_BYTES = 16 * 1024 * 1024;

const der = z
  .base64()
  .min(4)
  .max(64 * 1024);
const label = z.string().max(200);

export const trustBundleSchema = z.strictObject({
  /** Format version of this payload. */
  v: z.literal(1),
  /** Monotonic bundle version: an agent never goes back to a lower one. */
  version: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** Seconds since the epoch. */
  issuedAt: z.int().min(0),
  /** Seconds since the epoch; an agent stops trusting the bundle's CSCAs after this. */
  expiresAt: z.int().min(0),
  /** Who published it (shown in /health and logs). */
  issuer: z.string().min(1).max(100),
  cscas: z.array(z.strictObject({ der, source: label.optional() })).max(5000),
  crls: z
    .array(
      z.strictObject({
        der: z
          .base64()
          .min(4)
          .max(4 * 1024 * 1024),
        source: label.optional(),
      }),
    )
    .max(5000),
  /** Where the CSCAs came from (e.g. the ICAO master list and its SHA-256), for the operator's records. */
  provenance: z
    .array(
      z.strictObject({
        name: label,
        sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/)
          .optional(),
        note: label.optional(),
      }),
    )
    .max(100)
    .default([]),
});

export type TrustBundle = z.infer<typeof trustBundleSchema>;
export type TrustBundleInput = z.input<typeof trustBundleSchema>;
