import { EmrtdError } from '@cccd/emrtd';
import { z } from 'zod';
import { parseChipOptions } from '../card/chip-options.js';

/** Thrown for a profile that does not validate. The message names field paths and rules, never the values. */
export class ProfileError extends EmrtdError {
  override name = 'ProfileError';
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super('invalid-argument', message, { step: 'profile' });
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

const isoDate = z
  .string({ error: 'must be a string' })
  .regex(DATE, { error: 'must be a date written YYYY-MM-DD' })
  .refine(isCalendarDate, { error: 'is not a calendar date' });

/** Free text as the chip stores it: NFC (precomposed) UTF-8, so "Việt Nam" is 10 bytes as on real cards. */
const text = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .max(max, { error: `must be at most ${max} characters` })
    .transform((s) => s.normalize('NFC'));

const name = text(200).refine((s) => s.trim().length > 0, { error: 'must not be empty' });

export const Dg13LayoutSchema = z.strictObject({
  /** Field 13 shape: 'swift' = each parent's name in its own SEQUENCE (byte-exact Swift parser, khoa288 offsets);
   *  'nested' = SEQUENCE { UTF8String father, UTF8String mother } (NghiaLio's parser). */
  field13: z.enum(['swift', 'nested'], { error: "must be 'swift' or 'nested'" }).default('swift'),
  /** Field 15 when the holder has no old ID: an empty `30 03 02 01 0F` like field 14, or left out. */
  field15WhenNone: z.enum(['empty', 'omit'], { error: "must be 'empty' or 'omit'" }).default('empty'),
  /** Field 16: a 16-character hex PrintableString (believed to be a chip serial), the old ID, or absent. */
  field16: z
    .enum(['serial', 'oldIdNumber', 'none'], { error: "must be 'serial', 'oldIdNumber' or 'none'" })
    .default('serial'),
});

export const FaceSchema = z.strictObject({
  width: z.int({ error: 'must be an integer' }).min(32).max(2048).default(360),
  height: z.int({ error: 'must be an integer' }).min(32).max(2048).default(480),
  /** Drawing seed: the face, its colours and its grain follow from it. */
  seed: z.int({ error: 'must be an integer' }).min(0).default(1),
  /** 'jp2': the JPEG 2000 fixture as a JP2 file; 'j2k': the same image as a bare codestream. */
  format: z.enum(['jpeg', 'jp2', 'j2k'], { error: "must be 'jpeg', 'jp2' or 'j2k'" }).default('jpeg'),
  /** Wanted size of the whole DG2 file in bytes (JPEG only: the JPEG 2000 image is a fixed fixture). */
  targetBytes: z.int({ error: 'must be an integer' }).min(2000).max(200_000).default(16_000),
});

export const CitizenProfileSchema = z
  .strictObject({
    /** Free note, e.g. "invented person". Ignored by personalisation. */
    comment: z.string().optional(),
    kind: z
      .enum(['cccd-2021', 'can-cuoc-2024', 'passport-td3'], {
        error: "must be 'cccd-2021', 'can-cuoc-2024' or 'passport-td3'",
      })
      .default('cccd-2021'),
    idNumber: z.string({ error: 'must be a string' }).regex(/^\d{12}$/, { error: 'must be exactly 12 digits' }),
    oldIdNumber: z
      .string({ error: 'must be a string or null' })
      .regex(/^\d{9}$/, { error: 'must be exactly 9 digits or null' })
      .nullable()
      .default(null),
    /** Passport number (TD3). A CCCD's document number is always the last 9 digits of idNumber. */
    documentNumber: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Z0-9]{1,9}$/, { error: 'must be 1-9 characters A-Z or 0-9' })
      .optional(),
    fullName: name,
    /** MRZ name field as printed, e.g. "NGUYEN<<VAN<AN"; derived from fullName (diacritics dropped) when absent. */
    mrzName: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Z]+(<[A-Z]+)*(<<[A-Z]+(<[A-Z]+)*)?<*$/, { error: 'must be MRZ name characters (A-Z and <)' })
      .optional(),
    dateOfBirth: isoDate,
    sex: z.enum(['M', 'F'], { error: "must be 'M' or 'F'" }),
    nationality: text(60).default('Việt Nam'),
    /** ICAO 3-letter code for the MRZ. */
    nationalityCode: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Z]{3}$/, { error: 'must be 3 letters A-Z' })
      .default('VNM'),
    ethnicity: text(60).default('Kinh'),
    religion: text(60).default('Không'),
    placeOfOrigin: text(1000),
    placeOfResidence: text(1000),
    identifyingMarks: text(500).default(''),
    dateOfIssue: isoDate,
    /** null = no expiry ("Không thời hạn"; MRZ 991231). */
    dateOfExpiry: isoDate.nullable(),
    fatherName: name.nullable().default(null),
    motherName: name.nullable().default(null),
    spouseName: name.nullable().default(null),
    /** Passport DG12 issuing authority. */
    issuingAuthority: text(200).optional(),
    /** Card Access Number; the CCCD has none printed and uses the last 6 digits of idNumber. */
    can: z
      .string({ error: 'must be a string' })
      .regex(/^\d{6}$/, { error: 'must be exactly 6 digits' })
      .optional(),
    dg13Layout: Dg13LayoutSchema.prefault({}),
    face: FaceSchema.prefault({}),
    /** Chip behaviour options, `name=value` as for `--chip` (see CHIP_OPTIONS), e.g. ["ca=refuse-mse:6A86"]. */
    chip: z
      .array(z.string({ error: 'must be a string' }), { error: 'must be a list of name=value chip options' })
      .superRefine((specs, ctx) => {
        try {
          parseChipOptions(specs);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: e instanceof EmrtdError ? e.message : 'invalid chip option' });
        }
      })
      .optional(),
  })
  .superRefine((p, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (p.dateOfIssue < p.dateOfBirth) issue('dateOfIssue', 'must not be before dateOfBirth');
    if (p.dateOfExpiry !== null && p.dateOfExpiry <= p.dateOfIssue) issue('dateOfExpiry', 'must be after dateOfIssue');
    if (p.kind === 'passport-td3') {
      if (p.documentNumber === undefined) issue('documentNumber', 'is required for a passport-td3 profile');
      if (p.dateOfExpiry === null) issue('dateOfExpiry', 'a passport must have an expiry date');
    }
  });

/** A validated profile (defaults filled in, text NFC). */
export type CitizenProfile = z.output<typeof CitizenProfileSchema>;
/** What a profile JSON may contain (optional fields may be left out). */
export type CitizenProfileInput = z.input<typeof CitizenProfileSchema>;
export type Dg13Layout = CitizenProfile['dg13Layout'];
export type FaceOptions = CitizenProfile['face'];
export type CardKind = CitizenProfile['kind'];

function formatPath(path: readonly PropertyKey[]): string {
  return path.length ? path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.') : '(profile)';
}

/** Validates and normalises a profile; a bad one raises ProfileError listing `path: rule` for every issue. */
export function parseProfile(input: unknown, source = 'profile'): CitizenProfile {
  const result = CitizenProfileSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const list = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ProfileError(`invalid citizen profile ${source}: ${list}`, issues);
}
