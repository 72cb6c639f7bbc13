/**
 * readCccd: open a session (PACE preferred, BAC fallback), read only the requested files, parse them with the LDS
 * parsers and return the normalised CCCD view plus raw bytes and the read report. DG2 (photo) and DG13 (personal
 * data) are sensitive: DG2 is read only when asked for.
 */
import { EmrtdError, FileNotFound, SecurityStatusNotSatisfied } from '../errors.js';
import type { AccessKey } from '../keys/access-key.js';
import type { CandidateKey } from '../keys/cccd-qr.js';
import { type CccdDocument, type CrossCheckIssue, crossCheck, toCccdDocument } from '../lds/cccd.js';
import { type Dg1, parseDg1 } from '../lds/dg1.js';
import { type Dg2, parseDg2 } from '../lds/dg2.js';
import { type Dg13, parseDg13 } from '../lds/dg13.js';
import type { Mrz } from '../lds/mrz.js';
import type { Transport } from '../transport.js';
import type { FileReadOptions, FileReadReport } from './file-reader.js';
import { FILES, type FileName } from './files.js';
import { type AccessResult, openSession, type SessionOptions } from './session.js';

export type CccdGroup = 'COM' | 'DG1' | 'DG2' | 'DG13' | 'DG14' | 'DG15' | 'SOD';

export interface ReadCccdOptions extends SessionOptions, Omit<FileReadOptions, 'signal'> {
  /** Files to read (default DG1, DG13 and SOD). COM is optional; DG2 only on request (privacy). */
  groups?: CccdGroup[];
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
}

const DEFAULT_GROUPS: CccdGroup[] = ['DG1', 'DG13', 'SOD'];

export async function readCccd(
  transport: Transport,
  key: AccessKey | CandidateKey | (AccessKey | CandidateKey)[],
  options: ReadCccdOptions = {},
): Promise<CccdReadResult> {
  const started = Date.now();
  const groups = [...new Set(options.groups ?? DEFAULT_GROUPS)];
  const session = await openSession(transport, key, options);
  const raw: CccdReadResult['raw'] = {};
  const missing: CccdReadResult['missing'] = [];
  const files: FileReadReport[] = [];
  for (const group of groups) {
    try {
      // A plain-status error (e.g. unprotected 6A82) ends the SM session on some chips: re-establish first.
      if (session.lost) await session.reestablish();
      const { bytes, report } = await session.readFile(FILES[group as FileName], options);
      raw[group] = bytes;
      files.push(report);
    } catch (e) {
      if (e instanceof FileNotFound) missing.push({ file: group, reason: 'not-found' });
      else if (e instanceof SecurityStatusNotSatisfied) missing.push({ file: group, reason: 'access-denied' });
      else throw e;
    }
  }
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
    },
    access: session.access,
  };
  if (dg1 || dg13) result.document = toCccdDocument({ ...(dg1 ? { dg1 } : {}), ...(dg13 ? { dg13 } : {}) });
  if (dg1) {
    result.dg1 = dg1;
    result.mrz = dg1.mrz;
  }
  if (dg13) result.dg13 = dg13;
  if (dg2) result.dg2 = dg2;
  if (face) result.photo = { image: face.image, mimeType: face.mimeType, width: face.width, height: face.height };
  if (groups.length > 0 && files.length === 0 && missing.length === groups.length)
    throw new EmrtdError('file-not-found', 'none of the requested files is readable on this chip');
  return result;
}
