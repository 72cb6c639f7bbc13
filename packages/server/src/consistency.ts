/**
 * The released fields against the evidence the server has just verified: an enrolled agent (or its stolen key)
 * could sign a genuine bundle beside invented fields. The document is rebuilt from DG1 and DG13 exactly as the
 * agent builds it (emrtd `toCccdDocument`, read/result.ts); a value the agent could not release (failing the
 * protocol schema) is null on both sides, as the agent's `sanitize` makes it. With DG13 in the bundle every released
 * field is compared; with DG1 alone only the ID number, which the MRZ holds exactly (ICAO 9303-5 §4.2 TD1 optional
 * data; docs/reference/vn-cccd.md §4) — the MRZ name and nationality are lossy forms of the DG13 ones. The photo is
 * compared byte for byte with the first face image of DG2 (ISO/IEC 19794-5 in ICAO 9303-10 §4.7.2).
 */
import { type CccdField, cccdFieldsSchema, fromBase64, type ReadResult } from '@cccd/client';
import { type CccdDocument, parseDg1, parseDg2, parseDg13, toCccdDocument } from '@cccd/emrtd';

type DocumentField = Exclude<CccdField, 'photo'>;
const SHAPE = cccdFieldsSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;

/** What the agent releases for one field of a document (kiosk-agent fields.ts pickFields, read.ts sanitize). */
function releasedValue(doc: CccdDocument, f: DocumentField): unknown {
  const v = f === 'dateOfExpiry' && doc.noExpiry ? 'none' : doc[f];
  return SHAPE[f]?.safeParse(v).success ? v : null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Names of released fields that disagree with the verified bytes (empty when the bundle cannot tell). */
export function fieldsDisagreeing(result: ReadResult): string[] {
  const groups = result.evidence?.dataGroups ?? {};
  const out: string[] = [];
  const released = Object.entries(result.fields).filter(([, v]) => v !== undefined) as [DocumentField, unknown][];
  if (groups.DG1 || groups.DG13) {
    let doc: CccdDocument | undefined;
    try {
      doc = toCccdDocument({
        ...(groups.DG1 ? { dg1: parseDg1(fromBase64(groups.DG1)) } : {}),
        ...(groups.DG13 ? { dg13: parseDg13(fromBase64(groups.DG13)) } : {}),
      });
    } catch {
      doc = undefined;
    }
    for (const [f, v] of released) {
      if (!groups.DG13 && f !== 'idNumber') continue;
      if (!doc || releasedValue(doc, f) !== v) out.push(f);
    }
  }
  if (result.photo && groups.DG2) {
    let face: Uint8Array | undefined;
    try {
      face = parseDg2(fromBase64(groups.DG2)).faces[0]?.image;
    } catch {
      face = undefined;
    }
    if (!face || !sameBytes(face, fromBase64(result.photo.b64))) out.push('photo');
  }
  return out;
}
