/**
 * What `cccd read` prints: the JSON object (--json) and the human summary. The document's personal data goes to
 * stdout only, as the intended output; verification texts are structural (DG numbers, certificate DNs).
 */
import { createHash } from 'node:crypto';
import {
  type ActiveAuthVerdict,
  CCCD_DOCUMENT_FIELDS,
  type ChipAuthVerdict,
  type PassiveVerdict,
  type Reason,
  swHex,
  type Verdict,
} from '@cccd/emrtd';
import type { Lang } from './i18n.js';
import type { VerifiedRead } from './verified.js';

export interface ReadStats {
  apdus: number;
  bytesIn: number;
  bytesOut: number;
  retries: number;
  resumes: number;
  modelledMs?: number;
  elapsedMs: number;
}

const reasonsJson = (reasons: Reason[]) =>
  reasons.map((r) => ({ code: r.code, severity: r.severity, message: r.message }));

function passiveJson(p: PassiveVerdict) {
  return {
    status: p.status,
    signatureAlgorithm: p.signature.algorithm,
    signatureValid: p.signature.valid,
    dataGroups: p.dataGroups,
    ...(p.dataGroupHash ? { dataGroupHash: p.dataGroupHash } : {}),
    ...(p.signer ? { signer: p.signer } : {}),
    chain: p.chain.map((c) => ({ role: c.role, subject: c.subject, serial: c.serial, trusted: c.trusted })),
    ...(p.missingIssuer ? { missingIssuer: p.missingIssuer } : {}),
    reasons: reasonsJson(p.reasons),
  };
}

const chipJson = (c: ChipAuthVerdict | undefined) =>
  c
    ? {
        status: c.status,
        ...(c.method ? { method: c.method } : {}),
        keyVerified: c.keyVerified,
        ...(c.protocol ? { protocol: c.protocol } : {}),
        ...(c.sw === undefined ? {} : { sw: swHex(c.sw) }),
        reasons: reasonsJson(c.reasons),
      }
    : { status: 'not-checked', keyVerified: false, reasons: [] };

const activeJson = (a: ActiveAuthVerdict | undefined) =>
  a
    ? {
        status: a.status,
        ...(a.algorithm ? { algorithm: a.algorithm } : {}),
        ...(a.sw === undefined ? {} : { sw: swHex(a.sw) }),
        reasons: reasonsJson(a.reasons),
      }
    : { status: 'not-checked', reasons: [] };

export function verificationJson(v: Verdict) {
  return {
    overall: v.overall,
    passive: passiveJson(v.passive),
    chip: chipJson(v.chip),
    active: activeJson(v.active),
    reasons: reasonsJson(v.reasons),
  };
}

export function photoSummary(read: VerifiedRead) {
  const p = read.photo;
  if (!p) return null;
  return {
    mime: p.mimeType,
    size: p.image.length,
    sha256: createHash('sha256').update(p.image).digest('hex'),
    width: p.width,
    height: p.height,
  };
}

export function readJson(read: VerifiedRead, stats: ReadStats, simulated: boolean) {
  const mrz = read.mrz
    ? {
        format: read.mrz.format,
        lines: read.mrz.lines,
        documentCode: read.mrz.documentCode,
        issuingState: read.mrz.issuingState,
        documentNumber: read.mrz.documentNumber,
        dateOfBirth: read.mrz.dateOfBirth,
        sex: read.mrz.sex,
        dateOfExpiry: read.mrz.dateOfExpiry,
        nationality: read.mrz.nationality,
        names: read.mrz.names,
        checkDigitsValid: Object.values(read.mrz.checkDigits).every((c) => c?.valid !== false),
      }
    : null;
  const a = read.access;
  return {
    document: read.document ?? null,
    mrz,
    photo: photoSummary(read),
    verification: verificationJson(read.verification),
    access: {
      protocol: a.protocol,
      keyKind: a.keyKind,
      cipher: a.cipher,
      ...(a.pace ? { pace: { oid: a.pace.oid, parameterId: a.pace.parameterId } } : {}),
      attempts: a.attempts,
      tried: a.tried,
    },
    files: Object.keys(read.raw),
    missing: read.missing,
    crossCheck: read.crossCheck,
    stats,
    simulated,
  };
}

const L = {
  title: { vi: 'Thẻ Căn cước công dân (CCCD)', en: 'Vietnamese citizen ID card (CCCD)' },
  via: { vi: 'đọc qua', en: 'read with' },
  idNumber: { vi: 'Số định danh', en: 'ID number' },
  oldIdNumber: { vi: 'Số CMND cũ', en: 'Old ID number' },
  fullName: { vi: 'Họ và tên', en: 'Full name' },
  dateOfBirth: { vi: 'Ngày sinh', en: 'Date of birth' },
  sex: { vi: 'Giới tính', en: 'Sex' },
  nationality: { vi: 'Quốc tịch', en: 'Nationality' },
  ethnicity: { vi: 'Dân tộc', en: 'Ethnicity' },
  religion: { vi: 'Tôn giáo', en: 'Religion' },
  placeOfOrigin: { vi: 'Quê quán', en: 'Place of origin' },
  placeOfResidence: { vi: 'Nơi thường trú', en: 'Place of residence' },
  identifyingMarks: { vi: 'Đặc điểm nhận dạng', en: 'Identifying marks' },
  dateOfIssue: { vi: 'Ngày cấp', en: 'Date of issue' },
  dateOfExpiry: { vi: 'Có giá trị đến', en: 'Date of expiry' },
  fatherName: { vi: 'Họ tên cha', en: "Father's name" },
  motherName: { vi: 'Họ tên mẹ', en: "Mother's name" },
  spouseName: { vi: 'Họ tên vợ/chồng', en: "Spouse's name" },
  noExpiry: { vi: 'Không thời hạn', en: 'No expiry' },
  photo: { vi: 'Ảnh', en: 'Photo' },
  verification: { vi: 'Xác thực', en: 'Verification' },
  passive: { vi: 'Chữ ký số (PA)', en: 'Passive (PA)' },
  chip: { vi: 'Xác thực chip (CA)', en: 'Chip auth (CA)' },
  active: { vi: 'Xác thực chủ động (AA)', en: 'Active auth (AA)' },
  signer: { vi: 'Chứng thư ký', en: 'Signed by' },
  stats: { vi: 'Thống kê', en: 'Statistics' },
  crossCheck: { vi: 'DG1 và DG13 không khớp ở', en: 'DG1 and DG13 disagree on' },
} as const;

const OVERALL: Record<Verdict['overall'], { vi: string; en: string }> = {
  authentic: {
    vi: 'ĐÃ XÁC THỰC — thẻ thật, dữ liệu do cơ quan Công an cấp',
    en: 'AUTHENTIC — data and chip are genuine',
  },
  'genuine-data': {
    vi: 'HỢP LỆ — dữ liệu do cơ quan Công an cấp (chưa chứng minh được chip không phải bản sao)',
    en: 'VALID — data signed by the issuer (chip not proven to be no clone)',
  },
  invalid: { vi: 'KHÔNG HỢP LỆ', en: 'INVALID' },
  'unknown-csca': { vi: 'CHƯA XÁC MINH ĐƯỢC — thiếu chứng thư gốc CSCA tin cậy', en: 'UNKNOWN — no trusted CSCA' },
  'not-checked': { vi: 'CHƯA KIỂM TRA', en: 'NOT CHECKED' },
};

const STATUS: Record<string, { vi: string; en: string }> = {
  valid: { vi: 'hợp lệ', en: 'valid' },
  invalid: { vi: 'không hợp lệ', en: 'invalid' },
  refused: { vi: 'chip từ chối (không phải lỗi)', en: 'refused by the chip (not a failure)' },
  'unknown-csca': { vi: 'thiếu CSCA tin cậy', en: 'unknown CSCA' },
  'not-checked': { vi: 'chưa kiểm tra', en: 'not checked' },
};

const pad = (label: string) => `  ${label}:`.padEnd(27);

/** ISO dates (YYYY-MM-DD, or a partial YYYY-MM / YYYY) as printed on the card: dd/mm/yyyy. */
export function humanDate(value: string): string {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(value);
  if (!m) return value;
  return [m[3], m[2], m[1]].filter((p) => p !== undefined).join('/');
}

const DATE_FIELDS = new Set(['dateOfBirth', 'dateOfIssue', 'dateOfExpiry']);

const WITHHELD = {
  vi: 'Không in dữ liệu cá nhân vì thẻ không qua được bước xác thực; thêm --show-invalid để in (hoặc dùng --json).',
  en: 'Personal data withheld because the card failed verification; add --show-invalid to print it (or use --json).',
};

export interface SummaryOptions {
  /** Print the personal data even when the verdict is `invalid` (default: withheld). */
  showInvalid?: boolean;
}

/**
 * The human summary: the verdict first, on one line, then the fields (dates dd/mm/yyyy), then the verification
 * details and the statistics. For an `invalid` card the personal data (fields and photo summary) is withheld
 * unless `showInvalid`: a tampered or cloned card's contents are not something to read off the screen.
 */
export function readSummary(
  read: VerifiedRead,
  stats: ReadStats,
  lang: Lang,
  simulated: boolean,
  options: SummaryOptions = {},
): string {
  const t = (k: keyof typeof L) => L[k][lang];
  const v = read.verification;
  const withheld = v.overall === 'invalid' && !options.showInvalid;
  const lines: string[] = [`${t('verification')}: ${OVERALL[v.overall][lang]}`];
  const access = read.access.protocol + (read.access.protocol === 'PACE' ? `-${read.access.keyKind}` : '');
  lines.push(`${t('title')} — ${t('via')} ${access}`);
  const d = read.document;
  if (d && !withheld) {
    for (const f of CCCD_DOCUMENT_FIELDS) {
      let value = d[f] as string | null;
      if (f === 'dateOfExpiry' && d.noExpiry) value = t('noExpiry');
      else if (value && DATE_FIELDS.has(f)) value = humanDate(value);
      if (f === 'sex' && value)
        value = value === 'M' ? (lang === 'vi' ? 'Nam' : 'Male') : lang === 'vi' ? 'Nữ' : 'Female';
      if (value) lines.push(`${pad(t(f))}${value}`);
    }
  }
  const photo = withheld ? null : photoSummary(read);
  if (photo)
    lines.push(
      `${pad(t('photo'))}${photo.mime} ${photo.width}×${photo.height}, ${photo.size} B, sha256 ${photo.sha256.slice(0, 16)}…`,
    );
  if (read.crossCheck.length)
    lines.push(`  ${t('crossCheck')}: ${read.crossCheck.map((c) => `${c.field} (${c.reason})`).join(', ')}`);
  lines.push(`${t('verification')}:`);
  const dgs = Object.entries(v.passive.dataGroups)
    .map(([dg, s]) => `${dg} ${s}`)
    .join(', ');
  lines.push(`${pad(t('passive'))}${STATUS[v.passive.status]?.[lang] ?? v.passive.status}${dgs ? ` (${dgs})` : ''}`);
  if (v.passive.signer) lines.push(`${pad(t('signer'))}${v.passive.signer.subject}`);
  const cam = v.chip?.method === 'pace-cam' ? ' (PACE-CAM)' : '';
  lines.push(`${pad(t('chip'))}${STATUS[v.chip?.status ?? 'not-checked']?.[lang]}${cam}`);
  lines.push(`${pad(t('active'))}${STATUS[v.active?.status ?? 'not-checked']?.[lang]}`);
  for (const r of [...v.passive.reasons, ...(v.chip?.reasons ?? []), ...(v.active?.reasons ?? []), ...v.reasons])
    if (r.severity !== 'info') lines.push(`  - ${r.message[lang]}`);
  if (withheld) lines.push(WITHHELD[lang]);
  lines.push(`${t('stats')}: ${statsLine(stats, lang)}`);
  if (simulated)
    lines.push(
      lang === 'vi'
        ? 'Lưu ý: đây là thẻ mô phỏng; mọi dữ liệu đều là giả lập, không thuộc về người thật.'
        : 'Note: this is a simulated card; all data is invented and belongs to no real person.',
    );
  return `${lines.join('\n')}\n`;
}

/** The exchange figures of a read, in the output language (operators read them when a card is slow). */
function statsLine(stats: ReadStats, lang: Lang): string {
  const seconds = (stats.elapsedMs / 1000).toFixed(2);
  const modelled = stats.modelledMs === undefined ? undefined : (stats.modelledMs / 1000).toFixed(2);
  const io = `${stats.apdus} APDU, ${stats.bytesOut} B → ${stats.bytesIn} B ←`;
  if (lang === 'vi')
    return (
      `${io}, ${stats.retries} lần gửi lại, ${stats.resumes} lần đọc tiếp, ${seconds} giây` +
      (modelled === undefined ? '' : ` (thời gian thẻ theo mô hình ${modelled} giây)`)
    );
  return (
    `${io}, ${stats.retries} retries, ${stats.resumes} resumes, ${seconds} s` +
    (modelled === undefined ? '' : ` (modelled card time ${modelled} s)`)
  );
}
