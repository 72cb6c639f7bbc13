/**
 * readCccd: open a session (PACE preferred, BAC fallback), run Chip Authentication with DG14's key, read only the
 * requested files under the CA keys, finish with Active Authentication over DG15, parse the files with the LDS
 * parsers and return the normalised CCCD view plus raw bytes and the read report. DG2 (photo) and DG13 (personal
 * data) are sensitive: DG2 is read only when asked for. DG14 and DG15 (keys, not personal) are read for CA/AA.
 */

import { type ChipAuthenticationRecord, isTransientError } from '../ca/chip-auth.js';
import { EmrtdError, type ErrorCode, FileNotFound, SecurityStatusNotSatisfied } from '../errors.js';
import type { AccessKey } from '../keys/access-key.js';
import type { CandidateKey } from '../keys/cccd-qr.js';
import type { SecurityInfos } from '../lds/card-access.js';
import { type CccdDocument, type CrossCheckIssue, crossCheck, toCccdDocument } from '../lds/cccd.js';
import { type Dg1, parseDg1 } from '../lds/dg1.js';
import { type Dg2, parseDg2 } from '../lds/dg2.js';
import { type Dg13, parseDg13 } from '../lds/dg13.js';
import { parseDg14 } from '../lds/dg14.js';
import type { Mrz } from '../lds/mrz.js';
import type { FileReadOptions, FileReadReport } from '../reader/file-reader.js';
import { FILES, type FileName } from '../reader/files.js';
import type { Transport } from '../transport.js';
import type { ActiveAuthVerdict } from '../verify/active-auth.js';
import { verifyActiveAuthenticationExchange } from '../verify/active-auth.js';
import { activeAuthenticationKey, expectedSignatureLength } from './aa-key.js';
import { type AccessResult, type CardSession, openSession, type SessionOptions } from './session.js';

export type CccdGroup = 'COM' | 'DG1' | 'DG2' | 'DG13' | 'DG14' | 'DG15' | 'SOD';

export interface ReadCccdOptions extends SessionOptions, Omit<FileReadOptions, 'signal'> {
  /** Files to read (default DG1, DG13 and SOD). COM is optional; DG2 only on request (privacy). */
  groups?: CccdGroup[];
  /** Chip Authentication with DG14's key right after access control (default 'auto': when DG14 offers it). */
  chipAuthentication?: 'auto' | 'off';
  /** Active Authentication with DG15's key after the files (default 'auto': when DG15 exists). */
  activeAuthentication?: 'auto' | 'off';
  /** The 8-byte AA challenge, e.g. a backend nonce that binds the answer to one transaction; random otherwise. */
  aaChallenge?: Uint8Array;
}

export interface StepFailure {
  step: string;
  code: ErrorCode;
  sw?: number;
}

export interface ChipAuthenticationReport {
  performed: boolean;
  /** The first protected response under the CA session keys verified. */
  success: boolean;
  transcript?: ChipAuthenticationRecord;
  /** Why CA was not run: switched off, no DG14, or DG14 offers nothing this reader supports / is malformed. */
  skipped?: 'off' | 'no-dg14' | 'unsupported' | 'malformed-dg14';
  /** CA did not complete and the files were read under the PACE/BAC keys. */
  continuedWithoutCa?: boolean;
  /** The chip declined CA before any proof (error SW at MSE:Set AT / GENERAL AUTHENTICATE): not a failure. */
  refused?: StepFailure;
}

export interface ActiveAuthenticationReport {
  performed: boolean;
  challenge?: Uint8Array;
  response?: Uint8Array;
  /**
   * The signature verifies with DG15's key (signature only: it means "genuine chip" only when passive
   * authentication covers DG15). Undefined when AA did not complete.
   */
  verified?: boolean;
  verdict?: ActiveAuthVerdict;
  /** needs-extended-length: the chip's signature does not fit a short APDU and the reader is short-only. */
  skipped?: 'off' | 'no-dg15' | 'needs-extended-length';
  failure?: StepFailure;
  /** The chip answered INTERNAL AUTHENTICATE with an error status word: it declined AA (not a failure). */
  refused?: StepFailure;
}

export interface ReadReport {
  files: FileReadReport[];
  apdus: number;
  bytesIn: number;
  bytesOut: number;
  retries: number;
  resumes: number;
  /** Wall-clock milliseconds from opening to the last file. */
  durationMs: number;
  /**
   * What the reader learned about the chip's READ BINARY sizes: the largest block it answered in full, the smallest
   * it refused (a cap), and the refusals spent finding out (no personal data: for diagnostics).
   */
  readSizes: { largest: number; smallestRefused?: number; refusals: number };
}

export interface CccdReadResult {
  /** Normalised view (DG13 first, DG1 as fallback); undefined when neither was read. */
  document?: CccdDocument;
  mrz?: Mrz;
  /** First face image of DG2 with its MIME type, when DG2 was read. */
  photo?: { image: Uint8Array; mimeType: string; width: number; height: number };
  dg1?: Dg1;
  dg2?: Dg2;
  dg13?: Dg13;
  /** DG1 ↔ DG13 disagreements (ID, dates, sex); empty when both agree or one is missing. */
  crossCheck: CrossCheckIssue[];
  /** Raw bytes of every file read, by name ('COM', 'DG1', …). */
  raw: Partial<Record<CccdGroup, Uint8Array>>;
  /** Requested files the chip does not have (6A82) or protects (6982). */
  missing: { file: CccdGroup; reason: 'not-found' | 'access-denied' }[];
  report: ReadReport;
  access: AccessResult;
  chipAuthentication: ChipAuthenticationReport;
  activeAuthentication: ActiveAuthenticationReport;
}

const failureOf = (e: EmrtdError, step: string): StepFailure => ({
  step: e.step ?? step,
  code: e.code,
  ...(e.sw === undefined ? {} : { sw: e.sw }),
});

type GroupReader = (group: CccdGroup) => Promise<Uint8Array | undefined>;

async function runChipAuthentication(
  session: CardSession,
  dg14: Uint8Array | undefined,
): Promise<ChipAuthenticationReport> {
  if (!dg14) return { performed: false, success: false, skipped: 'no-dg14' };
  let infos: SecurityInfos;
  try {
    infos = parseDg14(dg14);
  } catch (e) {
    if (e instanceof EmrtdError) return { performed: false, success: false, skipped: 'malformed-dg14' };
    throw e;
  }
  if (infos.chipAuthenticationPublicKeyInfos.length === 0)
    return { performed: false, success: false, skipped: 'unsupported' };
  try {
    const transcript = await session.chipAuthenticate(infos);
    const refused = transcript.refused && transcript.failure ? { refused: transcript.failure } : {};
    return {
      performed: true,
      success: transcript.success,
      transcript,
      ...(transcript.success ? {} : { continuedWithoutCa: true }),
      ...refused,
    };
  } catch (e) {
    if (!(e instanceof EmrtdError) || isTransientError(e)) throw e;
    if (e.code === 'unsupported') return { performed: false, success: false, skipped: 'unsupported' };
    if (e.code === 'malformed-data') return { performed: false, success: false, skipped: 'malformed-dg14' };
    throw e;
  }
}

async function runActiveAuthentication(
  session: CardSession,
  readGroup: GroupReader,
  raw: CccdReadResult['raw'],
  challenge: Uint8Array | undefined,
): Promise<ActiveAuthenticationReport> {
  const dg15 = raw.DG15 ?? (await readGroup('DG15'));
  if (!dg15) return { performed: false, skipped: 'no-dg15' };
  const key = activeAuthenticationKey(dg15);
  const expectedLength = key && expectedSignatureLength(key);
  let exchange: Awaited<ReturnType<CardSession['activeAuthenticate']>>;
  try {
    exchange = await session.activeAuthenticate({
      ...(challenge ? { challenge } : {}),
      ...(expectedLength ? { expectedLength } : {}),
    });
  } catch (e) {
    if (!(e instanceof EmrtdError) || e.code === 'cancelled' || e.code === 'invalid-argument') throw e;
    if (e.code === 'unsupported' && e.step === 'INTERNAL AUTHENTICATE') {
      return { performed: false, skipped: 'needs-extended-length', failure: failureOf(e, 'INTERNAL AUTHENTICATE') };
    }
    const failure = failureOf(e, 'INTERNAL AUTHENTICATE');
    // A status word is the chip's answer (declined); a link error or a malformed answer says nothing either way.
    const refused = e.sw !== undefined && e.code !== 'secure-messaging' ? { refused: failure } : {};
    return { performed: true, ...(challenge ? { challenge } : {}), failure, ...refused };
  }
  // ECDSA AA names its hash in DG14's ActiveAuthenticationInfo (not personal data: fetch it when CA did not).
  const dg14Bytes = raw.DG14 ?? (key?.publicKey.kind === 'ec' ? await readGroup('DG14') : undefined);
  let dg14: SecurityInfos | undefined;
  try {
    dg14 = dg14Bytes ? parseDg14(dg14Bytes) : undefined;
  } catch {
    // a malformed DG14 only loses the ECDSA hash hint; the verifier then reports the hash it inferred
  }
  const verdict = verifyActiveAuthenticationExchange({ ...exchange, dg15, ...(dg14 ? { dg14 } : {}) });
  return { performed: true, ...exchange, verified: verdict.status === 'valid', verdict };
}

const DEFAULT_GROUPS: CccdGroup[] = ['DG1', 'DG13', 'SOD'];

function readSizesOf(session: CardSession): ReadReport['readSizes'] {
  const s = session.readSizes;
  if (!s) return { largest: 0, refusals: 0 };
  return { largest: s.good, ...(s.bad === undefined ? {} : { smallestRefused: s.bad }), refusals: s.refusals };
}

export async function readCccd(
  transport: Transport,
  key: AccessKey | CandidateKey | (AccessKey | CandidateKey)[],
  options: ReadCccdOptions = {},
): Promise<CccdReadResult> {
  const started = Date.now();
  const groups = [...new Set(options.groups ?? DEFAULT_GROUPS)];
  const session = await openSession(transport, key, options);
  const raw: CccdReadResult['raw'] = {};
  const absent = new Map<CccdGroup, 'not-found' | 'access-denied'>();
  const files: FileReadReport[] = [];
  const readGroup: GroupReader = async (group) => {
    if (raw[group] || absent.has(group)) return raw[group];
    try {
      // A plain-status error (e.g. unprotected 6A82) ends the SM session on some chips: re-establish first.
      if (session.lost) await session.reestablish();
      const { bytes, report } = await session.readFile(FILES[group as FileName], options);
      raw[group] = bytes;
      files.push(report);
      return bytes;
    } catch (e) {
      if (e instanceof FileNotFound) absent.set(group, 'not-found');
      else if (e instanceof SecurityStatusNotSatisfied) absent.set(group, 'access-denied');
      else throw e;
      return undefined;
    }
  };
  const wantCa = options.chipAuthentication !== 'off';
  const wantAa = options.activeAuthentication !== 'off';
  // Order (9303-11 §6): access control → DG14 → CA → the requested files under the CA keys → AA last.
  const chipAuthentication: ChipAuthenticationReport = wantCa
    ? await runChipAuthentication(session, await readGroup('DG14'))
    : { performed: false, success: false, skipped: 'off' };
  for (const group of groups) if (!(wantAa && group === 'DG15')) await readGroup(group);
  const activeAuthentication: ActiveAuthenticationReport = wantAa
    ? await runActiveAuthentication(session, readGroup, raw, options.aaChallenge)
    : { performed: false, skipped: 'off' };
  const missing: CccdReadResult['missing'] = groups.flatMap((file) => {
    const reason = absent.get(file);
    return reason ? [{ file, reason }] : [];
  });
  const dg1 = raw.DG1 ? parseDg1(raw.DG1) : undefined;
  const dg13 = raw.DG13 ? parseDg13(raw.DG13) : undefined;
  const dg2 = raw.DG2 ? parseDg2(raw.DG2) : undefined;
  const face = dg2?.faces[0];
  const sum = (k: 'apdus' | 'bytesIn' | 'bytesOut') => session.stats[k];
  const result: CccdReadResult = {
    crossCheck: dg1 && dg13 ? crossCheck(dg1, dg13) : [],
    raw,
    missing,
    report: {
      files,
      apdus: sum('apdus'),
      bytesIn: sum('bytesIn'),
      bytesOut: sum('bytesOut'),
      retries: files.reduce((n, f) => n + f.retries, 0),
      resumes: session.resumes,
      durationMs: Date.now() - started,
      readSizes: readSizesOf(session),
    },
    access: session.access,
    chipAuthentication,
    activeAuthentication,
  };
  if (dg1 || dg13) result.document = toCccdDocument({ ...(dg1 ? { dg1 } : {}), ...(dg13 ? { dg13 } : {}) });
  if (dg1) {
    result.dg1 = dg1;
    result.mrz = dg1.mrz;
  }
  if (dg13) result.dg13 = dg13;
  if (dg2) result.dg2 = dg2;
  if (face) result.photo = { image: face.image, mimeType: face.mimeType, width: face.width, height: face.height };
  if (groups.length > 0 && missing.length === groups.length)
    throw new EmrtdError('file-not-found', 'none of the requested files is readable on this chip');
  return result;
}
