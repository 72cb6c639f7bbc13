/**
 * Test code: what a verified read says, as plain JSON, so that a read in the page and a read in Node can be
 * compared field by field. Session randomness (PACE and CA ephemeral keys, the AA challenge and signature, timings)
 * is left out: it differs between any two reads of one card.
 */
import type { Reason, VerifiedRead } from '@cccd/emrtd';
import { digest, hex } from '@cccd/emrtd/codec';

const codes = (reasons: Reason[] | undefined) => (reasons ?? []).map((r) => r.code);

export function summariseRead(r: VerifiedRead) {
  const { verification: v, access, chipAuthentication: ca, activeAuthentication: aa } = r;
  return {
    overall: v.overall,
    reasons: codes(v.reasons),
    checks: {
      passive: {
        status: v.passive.status,
        signature: v.passive.signature,
        dataGroups: v.passive.dataGroups,
        dataGroupHash: v.passive.dataGroupHash ?? null,
        chain: v.passive.chain.map((link) => ({ role: link.role, serial: link.serial, trusted: link.trusted })),
        reasons: codes(v.passive.reasons),
      },
      chip: v.chip
        ? { status: v.chip.status, protocol: v.chip.protocol ?? null, keyVerified: v.chip.keyVerified }
        : null,
      chipReasons: codes(v.chip?.reasons),
      active: v.active ? { status: v.active.status, algorithm: v.active.algorithm ?? null } : null,
      activeReasons: codes(v.active?.reasons),
    },
    protocol: {
      access: {
        protocol: access.protocol,
        keyKind: access.keyKind,
        pace: access.pace ?? null,
        cipher: access.cipher,
        tried: access.tried,
      },
      chipAuthentication: {
        performed: ca.performed,
        success: ca.success,
        oid: ca.transcript?.oid ?? null,
        group: ca.transcript?.group ?? null,
        cipher: ca.transcript?.cipher ?? null,
      },
      activeAuthentication: { performed: aa.performed, verified: aa.verified ?? null },
    },
    document: r.document ?? null,
    photo: r.photo
      ? {
          mimeType: r.photo.mimeType,
          width: r.photo.width,
          height: r.photo.height,
          sha256: hex(digest('SHA-256', r.photo.image)),
        }
      : null,
    crossCheck: r.crossCheck,
    missing: r.missing,
    /** Every file read: size and SHA-256 of the bytes as read from the chip. */
    files: Object.fromEntries(
      Object.entries(r.raw).map(([name, bytes]) => [
        name,
        { bytes: bytes.length, sha256: hex(digest('SHA-256', bytes)) },
      ]),
    ),
    apdus: r.report.apdus,
  };
}

export type ReadSummary = ReturnType<typeof summariseRead>;
