/**
 * The wire shape of `admin.diagnose`: the chip profile of @cccd/emrtd's diagnoseChip (ChipProfile), strict like
 * every schema of the protocol. It holds protocols, algorithms, sizes, status words and timings — no personal data.
 * Verdict statuses are free strings so that a newer verifier's statuses (e.g. 'refused') pass through.
 */
import { z } from 'zod';

/** How long the agent gives one diagnosis (every file, CA, AA and the probes) after the card is connected. */
export const DIAGNOSE_TIMEOUT_MS = 90_000;

const short = z.string().max(64);
const text = z.string().max(1024);
const oid = z
  .string()
  .regex(/^\d+(\.\d+)+$/)
  .max(128);
const sw = z.string().regex(/^[0-9A-F]{4}$/);
const hexByte = z.string().regex(/^[0-9A-F]{2}$/);
const hexText = (maxBytes: number) =>
  z
    .string()
    .regex(/^([0-9A-F]{2})*$/)
    .max(2 * maxBytes);
const count = z.int().min(0);
const ms = z.number().min(0);
const phase = z.enum(['read', 'probe']);

const stepFailure = z.strictObject({ code: short.optional(), step: z.string().max(128).optional(), sw: sw.optional() });

const keyProfile = z.strictObject({
  type: z.enum(['RSA', 'RSA-PSS', 'EC', 'DH', 'unknown']),
  bits: count.optional(),
  curve: short.optional(),
  explicitParameters: z.boolean().optional(),
  algorithmOid: oid,
});

const securityInfo = z.strictObject({
  oid,
  type: z.enum([
    'PACEInfo',
    'PACEDomainParameterInfo',
    'ChipAuthenticationInfo',
    'ChipAuthenticationDomainParameterInfo',
    'ChipAuthenticationPublicKeyInfo',
    'TerminalAuthenticationInfo',
    'ActiveAuthenticationInfo',
    'unknown',
  ]),
  protocol: short.optional(),
  version: count.optional(),
  parameterId: count.optional(),
  parameterName: short.optional(),
  keyId: count.optional(),
  key: keyProfile.optional(),
  signatureAlgorithm: oid.optional(),
});

const probeAnswer = { sw: sw.optional(), dataBytes: count.optional(), error: short.optional() };

export const chipProfileSchema = z.strictObject({
  format: z.literal('cccd-chip-profile'),
  version: z.literal(1),
  library: z.strictObject({ name: z.literal('@cccd/emrtd'), version: short }),
  createdAt: z.iso.datetime(),
  outcome: z.enum(['complete', 'failed']),
  failure: stepFailure.optional(),
  reader: z.strictObject({
    name: z.string().max(256).optional(),
    protocol: short.optional(),
    link: z.strictObject({
      extendedLength: z.boolean().optional(),
      maxCommandLength: count.optional(),
      maxResponseLength: count.optional(),
    }),
  }),
  atr: z
    .strictObject({
      hex: hexText(33),
      historicalBytes: hexText(15),
      protocols: z.array(short).max(16),
      cardCapabilities: z
        .strictObject({
          selection: z.array(short).max(8),
          commandChaining: z.boolean().optional(),
          extendedLength: z.boolean().optional(),
        })
        .optional(),
      wellFormed: z.boolean(),
    })
    .optional(),
  cardAccess: z
    .strictObject({ bytes: count, securityInfos: z.array(securityInfo).max(32), error: short.optional() })
    .optional(),
  access: z.strictObject({
    protocol: z.enum(['PACE', 'BAC']).optional(),
    keyKind: z.enum(['CAN', 'MRZ']).optional(),
    pace: z.strictObject({ oid, protocol: short, parameterId: count, parameterName: short.optional() }).optional(),
    cipher: short.optional(),
    attempts: count.optional(),
    tried: z.array(short).max(16).optional(),
    refusals: z.array(z.strictObject({ command: short, sw: sw.optional(), error: short.optional() })).max(64),
  }),
  readBinary: z.strictObject({
    exchanges: count,
    extendedLength: z.strictObject({ used: z.boolean(), accepted: z.boolean().optional() }),
    largestAccepted: z.strictObject({ le: count, extended: z.boolean(), responseBytes: count }).optional(),
    refused: z.array(z.strictObject({ le: count, extended: z.boolean(), sw, count })).max(64),
    endOfFile: z.array(z.enum(['9000-short', '6282', '6B00'])).max(3),
    sfi: z.strictObject({ used: z.boolean(), accepted: z.boolean().optional(), refusedSw: z.array(sw).max(16) }),
  }),
  files: z
    .array(
      z.strictObject({
        file: z.enum(['COM', 'DG1', 'DG2', 'DG13', 'DG14', 'DG15', 'SOD']),
        status: z.enum(['read', 'not-found', 'access-denied', 'not-read']),
        bytes: count.optional(),
        apdus: count.optional(),
        retries: count.optional(),
        resumes: count.optional(),
        blockSizes: z.array(count).max(64).optional(),
        passive: short.optional(),
      }),
    )
    .max(16),
  com: z
    .strictObject({
      ldsVersion: short,
      unicodeVersion: short,
      dataGroups: z.array(count).max(16),
      error: short.optional(),
    })
    .optional(),
  dg14: z.strictObject({ securityInfos: z.array(securityInfo).max(32), error: short.optional() }).optional(),
  sod: z
    .strictObject({
      bytes: count,
      digestAlgorithm: short.optional(),
      signatureAlgorithm: short.optional(),
      signatureAlgorithmOid: oid.optional(),
      signerDigestAlgorithm: short.optional(),
      ldsVersion: short.optional(),
      unicodeVersion: short.optional(),
      dataGroups: z.array(count).max(16),
      documentSigner: z
        .strictObject({ issuer: text, key: keyProfile, certificateSignatureAlgorithmOid: oid })
        .optional(),
      error: short.optional(),
    })
    .optional(),
  dg15: z.strictObject({ key: keyProfile.optional(), error: short.optional() }).optional(),
  chipAuthentication: z.strictObject({
    status: short,
    performed: z.boolean(),
    success: z.boolean(),
    skipped: short.optional(),
    continuedWithoutCa: z.boolean().optional(),
    protocol: z
      .strictObject({
        oid,
        keyAgreement: short,
        cipher: short,
        group: short,
        keyId: count.optional(),
        command: short,
        inferred: z.boolean(),
      })
      .optional(),
    failure: stepFailure.optional(),
    exchanges: z.array(z.strictObject({ command: short, sw: sw.optional(), ms, error: short.optional() })).max(32),
    reasons: z.array(short).max(32),
  }),
  activeAuthentication: z.strictObject({
    status: short,
    performed: z.boolean(),
    skipped: short.optional(),
    verified: z.boolean().optional(),
    algorithm: short.optional(),
    failure: stepFailure.optional(),
    signatureBytes: count.optional(),
    exchanges: z
      .array(
        z.strictObject({
          command: short,
          le: count.optional(),
          extended: z.boolean(),
          responseBytes: count.optional(),
          sw: sw.optional(),
          ms,
        }),
      )
      .max(32),
    reasons: z.array(short).max(32),
  }),
  verification: z
    .strictObject({
      overall: short,
      passive: short,
      chip: short,
      active: short,
      missingIssuer: text.optional(),
      reasons: z.array(short).max(128),
    })
    .optional(),
  probes: z
    .strictObject({
      sfi: z.strictObject({ file: short, accepted: z.boolean(), ...probeAnswer }).optional(),
      endOfFile: z
        .strictObject({
          file: short,
          pastEnd: z.strictObject(probeAnswer),
          atEnd: z.strictObject(probeAnswer),
          behaviour: z.enum(['9000-short', '6282', '6B00', 'other']),
        })
        .optional(),
      maxNe: z
        .strictObject({
          file: short,
          tried: z.array(z.strictObject({ le: count, ...probeAnswer })).max(16),
          largestAccepted: count.optional(),
        })
        .optional(),
      error: stepFailure.optional(),
    })
    .optional(),
  refusals: z
    .array(
      z.strictObject({
        i: count,
        phase,
        command: short,
        sm: z.boolean(),
        sw: sw.optional(),
        error: short.optional(),
      }),
    )
    .max(4096),
  timing: z.strictObject({
    exchanges: count,
    apduMs: ms,
    readMs: ms,
    probeMs: ms.optional(),
    dropped: count,
    reconnects: count,
    byCommand: z.array(z.strictObject({ command: short, count, totalMs: ms, maxMs: ms })).max(64),
  }),
  exchanges: z
    .array(
      z.strictObject({
        i: count,
        phase,
        command: short,
        cla: hexByte,
        ins: hexByte,
        p1: hexByte,
        p2: hexByte,
        lc: count,
        ne: count.optional(),
        le: count.optional(),
        extended: z.boolean(),
        sm: z.boolean(),
        commandBytes: count,
        responseBytes: count.optional(),
        sw: sw.optional(),
        ms,
        error: short.optional(),
      }),
    )
    .max(4096),
});
export type ChipProfileResult = z.infer<typeof chipProfileSchema>;
