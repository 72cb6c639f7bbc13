/**
 * Step 5 of a read: the LDS files parsed into the CCCD view (DG13 first, DG1 as fallback, DG2's first face), the
 * DG1 ↔ DG13 cross-check and the read report. DG2 and DG13 are personal data: they leave only in this result.
 */
import { EmrtdError } from '../errors.js';
import { crossCheck, toCccdDocument } from '../lds/cccd.js';
import { parseDg1 } from '../lds/dg1.js';
import { parseDg2 } from '../lds/dg2.js';
import { parseDg13 } from '../lds/dg13.js';
import type { ChipFiles } from './chip-files.js';
import type { CardSession } from './session.js';
import type {
  ActiveAuthenticationReport,
  CccdGroup,
  CccdReadResult,
  ChipAuthenticationReport,
  ReadReport,
} from './types.js';

export interface ReadSteps {
  /** Date.now() when the read began. */
  started: number;
  groups: readonly CccdGroup[];
  chipAuthentication: ChipAuthenticationReport;
  activeAuthentication: ActiveAuthenticationReport;
}

function readSizesOf(session: CardSession): ReadReport['readSizes'] {
  const s = session.readSizes;
  if (!s) return { largest: 0, refusals: 0 };
  return { largest: s.good, ...(s.bad === undefined ? {} : { smallestRefused: s.bad }), refusals: s.refusals };
}

function readReport(session: CardSession, files: ChipFiles, started: number): ReadReport {
  const reports = files.reports;
  return {
    files: reports,
    apdus: session.stats.apdus,
    bytesIn: session.stats.bytesIn,
    bytesOut: session.stats.bytesOut,
    retries: reports.reduce((n, f) => n + f.retries, 0),
    resumes: session.resumes,
    durationMs: Date.now() - started,
    readSizes: readSizesOf(session),
  };
}

/** The result of a read; an EmrtdError coded file-not-found when not one requested file could be read. */
export function readResult(session: CardSession, files: ChipFiles, steps: ReadSteps): CccdReadResult {
  const { raw } = files;
  const missing = files.missing(steps.groups);
  const dg1 = raw.DG1 ? parseDg1(raw.DG1) : undefined;
  const dg13 = raw.DG13 ? parseDg13(raw.DG13) : undefined;
  const dg2 = raw.DG2 ? parseDg2(raw.DG2) : undefined;
  const face = dg2?.faces[0];
  const cam = session.paceCam;
  const result: CccdReadResult = {
    crossCheck: dg1 && dg13 ? crossCheck(dg1, dg13) : [],
    raw: cam?.cardSecurity ? { ...raw, CardSecurity: cam.cardSecurity } : raw,
    missing,
    report: readReport(session, files, steps.started),
    access: session.access,
    chipAuthentication: steps.chipAuthentication,
    ...(cam ? { paceCam: cam.report } : {}),
    activeAuthentication: steps.activeAuthentication,
  };
  if (dg1 || dg13) result.document = toCccdDocument({ ...(dg1 ? { dg1 } : {}), ...(dg13 ? { dg13 } : {}) });
  if (dg1) {
    result.dg1 = dg1;
    result.mrz = dg1.mrz;
  }
  if (dg13) result.dg13 = dg13;
  if (dg2) result.dg2 = dg2;
  if (face) result.photo = { image: face.image, mimeType: face.mimeType, width: face.width, height: face.height };
  if (steps.groups.length > 0 && missing.length === steps.groups.length)
    throw new EmrtdError('file-not-found', 'none of the requested files is readable on this chip');
  return result;
}
