/**
 * A compact, versioned evidence bundle of one chip read (raw SOD, raw DGs, DS certificate, AA challenge and
 * response, CA transcript) so a backend can re-run every check from the bytes instead of trusting the kiosk.
 * JSON with base64 fields; parsing is strict and fails with EvidenceError on anything unexpected.
 */
import type { ChipAuthenticationRecord } from '../ca/chip-auth.js';
import { EmrtdError } from '../errors.js';
import type { VerificationCache } from '../pki/verification-cache.js';
import { base64Decode, base64Encode } from '../pki/x509.js';
import type { TrustStore } from '../trust/store.js';
import {
  activeAuthenticationAlgorithm,
  activeAuthenticationRefused,
  verifyActiveAuthentication,
} from './active-auth.js';
import { type CardSecurityVerdict, verifyCardSecurity } from './card-security.js';
import { type ChipAuthVerdict, chipAuthenticationVerdict, combineChipVerdicts, paceCamVerdict } from './chip-auth.js';
import { cardSecurityHoldsKey, dg14ChipKeys } from './chip-keys.js';
import {
  type DgName,
  issuingStateOf,
  type PassivePolicy,
  type PassiveVerdict,
  readSod,
  type SignerSummary,
  verifyPassive,
} from './passive.js';
import { overallVerdict, type Verdict } from './verdict.js';

export const EVIDENCE_FORMAT = 'cccd-evidence';
export const EVIDENCE_VERSION = 1;

export interface ChipAuthenticationTranscript {
  /** The reader's outcome: CA completed and secure messaging continued under the new keys. */
  succeeded: boolean;
  /** id-CA-* protocol OID. */
  protocol?: string;
  keyId?: number;
  /** The terminal's ephemeral public key as sent in MSE:Set KAT / General Authenticate (base64 in JSON). */
  ephemeralPublicKey?: Uint8Array;
  /** The chip declined CA with this status word before any proof (with `succeeded: false`). */
  refusedSw?: number;
}

/**
 * The reader's PACE-CAM outcome (a claim: CA_IC cannot be re-proved offline, anyone can make one that fits a key).
 * EF.CardSecurity, which holds the key, is carried whole and re-verified.
 */
export interface PaceCamTranscript {
  result: 'match' | 'mismatch' | 'not-checked';
  /** Why it was not checked (read/types.ts PaceCamReport.notChecked). */
  notChecked?: string;
  /** id-PACE-ECDH-CAM-* OID. */
  protocol?: string;
}

/** The chip answered INTERNAL AUTHENTICATE with an error status word (a reader's claim, like CA). */
export interface ActiveAuthenticationRefusal {
  sw: number;
}

export interface EvidenceBundle {
  format: typeof EVIDENCE_FORMAT;
  version: typeof EVIDENCE_VERSION;
  createdAt: string;
  sod: Uint8Array;
  dataGroups: Partial<Record<DgName, Uint8Array>>;
  dsCertificate?: Uint8Array;
  activeAuthentication?: { challenge: Uint8Array; response: Uint8Array };
  activeAuthenticationRefused?: ActiveAuthenticationRefusal;
  chipAuthentication?: ChipAuthenticationTranscript;
  /** EF.CardSecurity as read after PACE-CAM (no personal data: keys, PACE parameters, the DS certificate). */
  cardSecurity?: Uint8Array;
  paceCam?: PaceCamTranscript;
}

/** A bundle that is not valid JSON of the expected shape. `field` names the offending field, never its value. */
export class EvidenceError extends EmrtdError {
  override name = 'EvidenceError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super('invalid-argument', `evidence bundle: ${field}: ${problem}`, { step: 'evidence' });
  }
}

const MAX_FIELD_BYTES = 1 << 20;
const MAX_JSON_CHARS = 24 << 20;
const DG_NAME = /^DG([1-9]|1[0-6])$/;

export interface CreateEvidenceInput {
  sod: Uint8Array;
  dataGroups: Partial<Record<DgName, Uint8Array>>;
  /** Defaults to the DS certificate embedded in the SOD, when there is one. */
  dsCertificate?: Uint8Array;
  activeAuthentication?: { challenge: Uint8Array; response: Uint8Array };
  activeAuthenticationRefused?: ActiveAuthenticationRefusal;
  chipAuthentication?: ChipAuthenticationTranscript;
  cardSecurity?: Uint8Array;
  paceCam?: PaceCamTranscript;
  createdAt?: Date;
}

export function createEvidence(input: CreateEvidenceInput): EvidenceBundle {
  const bundle: EvidenceBundle = {
    format: EVIDENCE_FORMAT,
    version: EVIDENCE_VERSION,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    sod: input.sod,
    dataGroups: { ...input.dataGroups },
  };
  let ds = input.dsCertificate;
  if (!ds) {
    try {
      ds = readSod(input.sod).signedData.certificates[0];
    } catch {
      // a malformed SOD is still evidence; verifyEvidence will report it
    }
  }
  if (ds) bundle.dsCertificate = ds;
  if (input.activeAuthentication) bundle.activeAuthentication = input.activeAuthentication;
  if (input.activeAuthenticationRefused) bundle.activeAuthenticationRefused = input.activeAuthenticationRefused;
  if (input.chipAuthentication) bundle.chipAuthentication = input.chipAuthentication;
  if (input.cardSecurity) bundle.cardSecurity = input.cardSecurity;
  if (input.paceCam) bundle.paceCam = input.paceCam;
  return bundle;
}

/** JSON text of a bundle (byte fields as base64). */
export function serializeEvidence(bundle: EvidenceBundle): string {
  const dataGroups: Record<string, string> = {};
  for (const [k, v] of Object.entries(bundle.dataGroups)) if (v) dataGroups[k] = base64Encode(v);
  const json: Record<string, unknown> = {
    format: bundle.format,
    version: bundle.version,
    createdAt: bundle.createdAt,
    sod: base64Encode(bundle.sod),
    dataGroups,
  };
  if (bundle.dsCertificate) json.dsCertificate = base64Encode(bundle.dsCertificate);
  if (bundle.activeAuthentication)
    json.activeAuthentication = {
      challenge: base64Encode(bundle.activeAuthentication.challenge),
      response: base64Encode(bundle.activeAuthentication.response),
    };
  if (bundle.chipAuthentication) {
    const ca = bundle.chipAuthentication;
    const out: Record<string, unknown> = { succeeded: ca.succeeded };
    if (ca.protocol !== undefined) out.protocol = ca.protocol;
    if (ca.keyId !== undefined) out.keyId = ca.keyId;
    if (ca.ephemeralPublicKey) out.ephemeralPublicKey = base64Encode(ca.ephemeralPublicKey);
    if (ca.refusedSw !== undefined) out.refusedSw = ca.refusedSw;
    json.chipAuthentication = out;
  }
  if (bundle.activeAuthenticationRefused)
    json.activeAuthenticationRefused = { sw: bundle.activeAuthenticationRefused.sw };
  if (bundle.cardSecurity) json.cardSecurity = base64Encode(bundle.cardSecurity);
  if (bundle.paceCam) json.paceCam = { ...bundle.paceCam };
  return JSON.stringify(json);
}

type Obj = Record<string, unknown>;

function object(v: unknown, field: string, allowed: string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new EvidenceError(field, 'expected an object');
  for (const k of Object.keys(v))
    if (!allowed.includes(k)) throw new EvidenceError(field, `unexpected field ${k.slice(0, 32)}`);
  return v as Obj;
}

function bytes(v: unknown, field: string, required = true): Uint8Array | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') throw new EvidenceError(field, 'expected a base64 string');
  if (v.length > (MAX_FIELD_BYTES * 4) / 3 + 4) throw new EvidenceError(field, 'too large');
  try {
    return base64Decode(v, field);
  } catch {
    throw new EvidenceError(field, 'invalid base64');
  }
}

/** An error status word: 6xxx (9000 is no refusal). */
function statusWord(v: unknown, field: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0x6000 || (v as number) > 0x6fff)
    throw new EvidenceError(field, 'expected an error status word (0x6000–0x6FFF)');
  return v as number;
}

/** Strictly validates parsed JSON (or JSON text) as an EvidenceBundle. */
export function parseEvidence(input: unknown): EvidenceBundle {
  let value = input;
  if (typeof input === 'string') {
    if (input.length > MAX_JSON_CHARS) throw new EvidenceError('(root)', 'too large');
    try {
      value = JSON.parse(input);
    } catch {
      throw new EvidenceError('(root)', 'not JSON');
    }
  }
  const o = object(value, '(root)', [
    'format',
    'version',
    'createdAt',
    'sod',
    'dataGroups',
    'dsCertificate',
    'activeAuthentication',
    'activeAuthenticationRefused',
    'chipAuthentication',
    'cardSecurity',
    'paceCam',
  ]);
  if (o.format !== EVIDENCE_FORMAT) throw new EvidenceError('format', `expected ${EVIDENCE_FORMAT}`);
  if (o.version !== EVIDENCE_VERSION)
    throw new EvidenceError('version', `unsupported version (this library reads ${EVIDENCE_VERSION})`);
  if (
    typeof o.createdAt !== 'string' ||
    Number.isNaN(Date.parse(o.createdAt)) ||
    !/^\d{4}-\d{2}-\d{2}T/.test(o.createdAt)
  )
    throw new EvidenceError('createdAt', 'expected an ISO 8601 date-time');
  const dgIn = object(
    o.dataGroups,
    'dataGroups',
    Object.keys(o.dataGroups ?? {}).filter((k) => DG_NAME.test(k)),
  );
  const dataGroups: Partial<Record<DgName, Uint8Array>> = {};
  for (const [k, v] of Object.entries(dgIn)) dataGroups[k as DgName] = bytes(v, `dataGroups.${k}`)!;
  const bundle: EvidenceBundle = {
    format: EVIDENCE_FORMAT,
    version: EVIDENCE_VERSION,
    createdAt: o.createdAt,
    sod: bytes(o.sod, 'sod')!,
    dataGroups,
  };
  const ds = bytes(o.dsCertificate, 'dsCertificate', false);
  if (ds) bundle.dsCertificate = ds;
  if (o.activeAuthentication !== undefined) {
    const aa = object(o.activeAuthentication, 'activeAuthentication', ['challenge', 'response']);
    const challenge = bytes(aa.challenge, 'activeAuthentication.challenge')!;
    if (challenge.length !== 8) throw new EvidenceError('activeAuthentication.challenge', 'expected 8 bytes');
    bundle.activeAuthentication = { challenge, response: bytes(aa.response, 'activeAuthentication.response')! };
  }
  if (o.chipAuthentication !== undefined) {
    const ca = object(o.chipAuthentication, 'chipAuthentication', [
      'succeeded',
      'protocol',
      'keyId',
      'ephemeralPublicKey',
      'refusedSw',
    ]);
    if (typeof ca.succeeded !== 'boolean')
      throw new EvidenceError('chipAuthentication.succeeded', 'expected a boolean');
    const out: ChipAuthenticationTranscript = { succeeded: ca.succeeded };
    if (ca.protocol !== undefined) {
      if (typeof ca.protocol !== 'string' || !/^\d+(\.\d+){1,40}$/.test(ca.protocol))
        throw new EvidenceError('chipAuthentication.protocol', 'expected an OID');
      out.protocol = ca.protocol;
    }
    if (ca.keyId !== undefined) {
      if (!Number.isSafeInteger(ca.keyId) || (ca.keyId as number) < 0)
        throw new EvidenceError('chipAuthentication.keyId', 'expected a non-negative integer');
      out.keyId = ca.keyId as number;
    }
    const epk = bytes(ca.ephemeralPublicKey, 'chipAuthentication.ephemeralPublicKey', false);
    if (epk) out.ephemeralPublicKey = epk;
    if (ca.refusedSw !== undefined) {
      if (ca.succeeded) throw new EvidenceError('chipAuthentication.refusedSw', 'a refusal cannot have succeeded');
      out.refusedSw = statusWord(ca.refusedSw, 'chipAuthentication.refusedSw');
    }
    bundle.chipAuthentication = out;
  }
  const cardSecurity = bytes(o.cardSecurity, 'cardSecurity', false);
  if (cardSecurity) bundle.cardSecurity = cardSecurity;
  if (o.paceCam !== undefined) bundle.paceCam = paceCamTranscript(o.paceCam);
  if (o.activeAuthenticationRefused !== undefined) {
    if (o.activeAuthentication !== undefined)
      throw new EvidenceError('activeAuthenticationRefused', 'cannot stand beside an AA exchange');
    const r = object(o.activeAuthenticationRefused, 'activeAuthenticationRefused', ['sw']);
    bundle.activeAuthenticationRefused = { sw: statusWord(r.sw, 'activeAuthenticationRefused.sw') };
  }
  return bundle;
}

const CAM_RESULTS = ['match', 'mismatch', 'not-checked'];

function paceCamTranscript(v: unknown): PaceCamTranscript {
  const cam = object(v, 'paceCam', ['result', 'notChecked', 'protocol']);
  if (typeof cam.result !== 'string' || !CAM_RESULTS.includes(cam.result))
    throw new EvidenceError('paceCam.result', 'expected match, mismatch or not-checked');
  const out: PaceCamTranscript = { result: cam.result as PaceCamTranscript['result'] };
  if (cam.notChecked !== undefined) {
    if (typeof cam.notChecked !== 'string' || !/^[a-z-]{1,40}$/.test(cam.notChecked))
      throw new EvidenceError('paceCam.notChecked', 'expected a reason code');
    out.notChecked = cam.notChecked;
  }
  if (cam.protocol !== undefined) {
    if (typeof cam.protocol !== 'string' || !/^\d+(\.\d+){1,40}$/.test(cam.protocol))
      throw new EvidenceError('paceCam.protocol', 'expected an OID');
    out.protocol = cam.protocol;
  }
  return out;
}

export interface VerifyEvidenceOptions {
  policy?: PassivePolicy;
  now?: Date;
  minRsaBits?: number;
  /**
   * For a backend verifying many bundles: one VerificationCache reused across calls remembers the certificate and
   * CRL signature verdicts and precomputes the Document Signer keys' tables. Same verdicts, less CPU. The chip's
   * Active Authentication key (one per card) never goes through it.
   */
  cache?: VerificationCache;
}

/**
 * Re-runs passive authentication, active authentication (from DG15 and the recorded challenge/response) and the
 * chip-authentication verdict (a reader's claim: CA cannot be re-proved offline) and combines them.
 * Throws EvidenceError only for a bundle of the wrong shape; bad card data gives an 'invalid' verdict.
 */
export function verifyEvidence(
  input: EvidenceBundle | string,
  trustStore: TrustStore,
  options: VerifyEvidenceOptions = {},
): Verdict {
  const bundle = typeof input === 'string' ? parseEvidence(input) : parseEvidence(JSON.parse(serializeEvidence(input)));
  const passive = verifyPassive({
    sod: bundle.sod,
    dataGroups: bundle.dataGroups,
    trustStore,
    ...(bundle.dsCertificate ? { dsCertificate: bundle.dsCertificate } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
  });
  const combined: Parameters<typeof overallVerdict>[0] = { passive };
  const aa = bundle.activeAuthentication;
  const dg15 = bundle.dataGroups.DG15;
  if (aa && dg15) {
    const algorithm = activeAuthenticationAlgorithm(bundle.dataGroups.DG14);
    combined.active = verifyActiveAuthentication({
      publicKey: dg15,
      challenge: aa.challenge,
      response: aa.response,
      ...(algorithm ? { signatureAlgorithm: algorithm } : {}),
      ...(options.minRsaBits ? { minRsaBits: options.minRsaBits } : {}),
      ...(passive.dataGroups.DG15 ? { dg15Status: passive.dataGroups.DG15 } : {}),
    });
  }
  if (bundle.activeAuthenticationRefused)
    combined.active = activeAuthenticationRefused(bundle.activeAuthenticationRefused.sw);
  let ca: ChipAuthVerdict | undefined;
  if (bundle.chipAuthentication) {
    const refusedSw = bundle.chipAuthentication.refusedSw;
    ca = chipAuthenticationVerdict({
      succeeded: bundle.chipAuthentication.succeeded,
      ...(refusedSw === undefined ? {} : { refusedSw }),
      claimed: true,
      ...(passive.dataGroups.DG14 ? { dg14Status: passive.dataGroups.DG14 } : {}),
      ...(bundle.chipAuthentication.protocol ? { protocol: bundle.chipAuthentication.protocol } : {}),
    });
  }
  const cam = bundle.paceCam;
  const cardSecurity =
    cam && bundle.cardSecurity
      ? verifyCardSecurity({
          cardSecurity: bundle.cardSecurity,
          trustStore,
          ...(options.policy ? { policy: options.policy } : {}),
          ...(options.now ? { now: options.now } : {}),
          ...(options.cache ? { cache: options.cache } : {}),
          ...(issuingState(bundle) ? { issuingState: issuingState(bundle)! } : {}),
        })
      : undefined;
  const camVerdict = cam
    ? paceCamVerdict({
        result: cam.result,
        claimed: true,
        ...(cam.notChecked ? { notChecked: cam.notChecked } : {}),
        ...(cam.protocol ? { protocol: cam.protocol } : {}),
        ...(cardSecurity ? { cardSecurity, tied: camTiedToDocument(bundle, passive, cardSecurity) } : {}),
      })
    : undefined;
  const dg14 = bundle.dataGroups.DG14;
  const caKeyInCardSecurity =
    bundle.cardSecurity !== undefined &&
    dg14 !== undefined &&
    bundle.chipAuthentication?.succeeded === true &&
    cardSecurityHoldsKey(bundle.cardSecurity, dg14ChipKeys(dg14, bundle.chipAuthentication.keyId));
  const chip = combineChipVerdicts(ca, camVerdict, { caKeyInCardSecurity });
  if (chip) combined.chip = chip;
  return overallVerdict(combined);
}

const issuingState = (bundle: EvidenceBundle) => issuingStateOf({ dataGroups: bundle.dataGroups });

const sameSigner = (a: SignerSummary | undefined, b: SignerSummary | undefined) =>
  a !== undefined && b !== undefined && a.subject === b.subject && a.issuer === b.issuer && a.serial === b.serial;

/**
 * A reader's CAM claim is about the EF.CardSecurity it sent, and a validly signed EF.CardSecurity of any chip of
 * the same country would verify just as well: the claim counts for this document only when EF.CardSecurity holds
 * DG14's Chip Authentication key (DG14 is under this document's EF.SOD) — or, when the bundle has no DG14 with a CA
 * key (a CAM-only chip, or DG14 not read), when EF.CardSecurity was signed by EF.SOD's own Document Signer.
 */
function camTiedToDocument(bundle: EvidenceBundle, passive: PassiveVerdict, cardSecurity: CardSecurityVerdict) {
  const dg14 = bundle.dataGroups.DG14;
  const keys = dg14 && passive.dataGroups.DG14 === 'match' ? dg14ChipKeys(dg14) : [];
  if (keys.length > 0) return bundle.cardSecurity !== undefined && cardSecurityHoldsKey(bundle.cardSecurity, keys);
  return sameSigner(passive.signer, cardSecurity.signer);
}

/** A reader's Chip Authentication record in the evidence bundle's shape. */
export function chipAuthenticationEvidence(t: ChipAuthenticationRecord): ChipAuthenticationTranscript {
  return {
    succeeded: t.success,
    protocol: t.oid,
    ...(t.keyId === undefined ? {} : { keyId: t.keyId }),
    ephemeralPublicKey: t.ephemeralPublicKey,
    ...(t.refused && t.failure?.sw !== undefined ? { refusedSw: t.failure.sw } : {}),
  };
}
