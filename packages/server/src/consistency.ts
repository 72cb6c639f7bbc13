/**
 * The released fields against the evidence the server has just verified: an enrolled agent (or its stolen key)
 * could sign a genuine bundle beside invented fields. Each released field ends up verified (equal to signed chip
 * data), mismatched (refused), or claimed (only the agent's signature vouches for it).
 *
 * - DG13 in the bundle: the document is rebuilt from DG1 and DG13 exactly as the agent builds it (emrtd
 *   `toCccdDocument`, read/result.ts) and every released field is compared; a value the agent could not release
 *   (failing the protocol schema) is null on both sides, as the agent's `sanitize` makes it.
 * - DG1 alone (the agent read DG13 but withheld it): the MRZ, parsed by emrtd `parseDg1`, holds exactly the ID
 *   (TD1 optional data, docs/reference/vn-cccd.md §4), the sex, and the dates of birth and expiry as YYMMDD (ICAO
 *   9303-5 §4.2.2). The expiry's century is the SDK's (`toCccdDocument`); the birth century follows from the CCCD
 *   expiry rule (docs/reference/vn-cccd.md §4: a card expires at the 14th/25th/40th/60th birthday, and has no
 *   expiry only when issued at 58 or later). The name is compared folded to MRZ letters (ICAO 9303-3 §4.5: diacritics dropped, upper
 *   case; đ → D as the simulator's `transliterate`), ignoring separators (apostrophes are omitted, hyphens and spaces
 *   become '<'), unless the MRZ name field is full (possibly truncated, 9303-3 §4.6): then it is claimed. The
 *   nationality is verified when it is the MRZ code or 'Việt Nam' beside VNM; any other text is claimed.
 * - DG2 without DG1 and DG13: `sex` against the ISO/IEC 19794-5 gender of the face record (1 male, 2 female).
 * - The photo is compared byte for byte with the first face image of DG2 (ICAO 9303-10 §4.7.2). `photo.display`
 *   (a PNG the agent made from a JPEG 2000 portrait) is never checked: always claimed.
 */
import { type CccdField, cccdFieldsSchema, fromBase64, type ReadResult } from '@cccd/client';
import { type CccdDocument, type Mrz, parseDg1, parseDg2, parseDg13, toCccdDocument } from '@cccd/emrtd';

type DocumentField = Exclude<CccdField, 'photo'>;
/** A released item only the agent vouches for: a field, or the agent-made display image of the photo. */
export type ClaimedField = CccdField | 'photo.display';

export interface FieldConsistency {
  verified: CccdField[];
  claimed: ClaimedField[];
  /** Released fields that disagree with the signed chip data (any one refuses the result). */
  mismatched: string[];
}

type Check = 'verified' | 'claimed' | 'mismatch';
const SHAPE = cccdFieldsSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;

/** What the agent releases for one field of a document (kiosk-agent fields.ts pickFields, read.ts sanitize). */
function releasedValue(doc: CccdDocument, f: DocumentField): unknown {
  const v = f === 'dateOfExpiry' && doc.noExpiry ? 'none' : doc[f];
  return SHAPE[f]?.safeParse(v).success ? v : null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const mod100 = (n: number) => ((n % 100) + 100) % 100;

/**
 * The MRZ birth date with its century settled by the CCCD rules: within the 100 years before the expiry, or, on a
 * card without expiry (issued at 58 or later), at least 58 years before now. Null when the MRZ cannot say.
 */
function settledBirth(doc: CccdDocument, now: Date): string | null {
  const sdk = doc.dateOfBirth; // the SDK's reading: right day, month and YY; century guessed from `now`
  if (sdk === null) return null;
  const yy = Number(sdk.slice(0, 4));
  let year: number;
  if (doc.dateOfExpiry !== null) {
    const e = Number(doc.dateOfExpiry.slice(0, 4));
    year = e - (mod100(e - yy) || 100);
  } else if (doc.noExpiry) {
    const latest = now.getUTCFullYear() - 58;
    year = latest - mod100(latest - yy);
  } else return null;
  return `${String(year).padStart(4, '0')}${sdk.slice(4)}`;
}

/** Vietnamese text as MRZ letters: no diacritics, đ → D, upper case, separators dropped; null if not Latin. */
function mrzLetters(text: string): string | null {
  const folded = text.replace(/[đĐ]/g, 'D').normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
  if (/[^A-Z0-9 '’.,-]/.test(folded)) return null; // a letter whose MRZ form is not known (e.g. ß → SS)
  return folded.replace(/[^A-Z0-9]/g, '');
}

/**
 * Whether the MRZ name field is (nearly) full: a longer name was cut to fit, possibly at a filler. At least two
 * trailing fillers mean the whole name fitted.
 */
function nameFieldFull(mrz: Mrz): boolean {
  const line = mrz.format === 'TD1' ? mrz.lines[2] : mrz.lines[0];
  return line === undefined || !line.endsWith('<<');
}

const eq = (ok: boolean): Check => (ok ? 'verified' : 'mismatch');

/** One released value against the MRZ (DG1 without DG13); `doc` is the SDK's document from DG1 alone. */
function againstMrz(f: DocumentField, v: unknown, mrz: Mrz, doc: CccdDocument, now: Date): Check {
  switch (f) {
    case 'idNumber':
      return eq(releasedValue(doc, f) === v);
    case 'sex':
      return mrz.sex === 'X' ? 'claimed' : eq(v === mrz.sex);
    case 'dateOfExpiry':
      if (doc.noExpiry) return eq(v === 'none');
      return doc.dateOfExpiry === null ? 'claimed' : eq(v === doc.dateOfExpiry);
    case 'dateOfBirth': {
      const birth = settledBirth(doc, now);
      if (birth !== null) return eq(v === birth);
      // Century unsettled: the day, month and YY still must agree.
      if (doc.dateOfBirth === null || v === null) return 'claimed';
      return typeof v === 'string' && v.slice(2) === doc.dateOfBirth.slice(2) ? 'claimed' : 'mismatch';
    }
    case 'fullName': {
      const mrzName = (mrz.names.primary + mrz.names.secondary).replace(/[^A-Z0-9]/g, '');
      if (typeof v !== 'string') return mrzName === '' ? 'verified' : 'claimed';
      const folded = mrzLetters(v);
      if (folded === null || nameFieldFull(mrz)) return 'claimed';
      return eq(folded === mrzName);
    }
    case 'nationality':
      if (typeof v !== 'string') return 'claimed';
      return v === mrz.nationality || (mrz.nationality === 'VNM' && mrzLetters(v) === 'VIETNAM')
        ? 'verified'
        : 'claimed';
    default:
      return 'claimed';
  }
}

function parsed<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch {
    return undefined;
  }
}

/** Each released field (and the photo) sorted into verified, claimed and mismatched; see the file header. */
export function checkReleasedFields(result: ReadResult, now: Date): FieldConsistency {
  const groups = result.evidence?.dataGroups ?? {};
  const out: FieldConsistency = { verified: [], claimed: [], mismatched: [] };
  const put = (f: CccdField, c: Check) => {
    if (c === 'verified') out.verified.push(f);
    else if (c === 'claimed') out.claimed.push(f);
    else out.mismatched.push(f);
  };
  const released = Object.entries(result.fields).filter(([, v]) => v !== undefined) as [DocumentField, unknown][];
  const dg1 = groups.DG1 ? parsed(() => parseDg1(fromBase64(groups.DG1 as string))) : undefined;
  const dg2 = groups.DG2 ? parsed(() => parseDg2(fromBase64(groups.DG2 as string))) : undefined;
  if (groups.DG13) {
    const dg13 = parsed(() => parseDg13(fromBase64(groups.DG13 as string)));
    const doc = dg13 && (dg1 || !groups.DG1) ? toCccdDocument({ ...(dg1 ? { dg1 } : {}), dg13 }, { now }) : undefined;
    for (const [f, v] of released) put(f, eq(doc !== undefined && releasedValue(doc, f) === v));
  } else if (groups.DG1) {
    const doc = dg1 ? toCccdDocument({ dg1 }, { now }) : undefined;
    for (const [f, v] of released) put(f, dg1 && doc ? againstMrz(f, v, dg1.mrz, doc, now) : 'mismatch');
  } else {
    const gender = dg2?.faces[0]?.gender;
    const sex = gender === 1 ? 'M' : gender === 2 ? 'F' : undefined;
    for (const [f, v] of released) put(f, f === 'sex' && sex !== undefined ? eq(v === sex) : 'claimed');
  }
  if (result.photo) {
    if (!groups.DG2) out.claimed.push('photo');
    else {
      const face = dg2?.faces[0]?.image;
      put('photo', eq(face !== undefined && sameBytes(face, fromBase64(result.photo.b64))));
    }
    if (result.photo.display) out.claimed.push('photo.display');
  }
  return out;
}
