/**
 * Why the server refused a result, in Vietnamese and English. Parameters are structural (field names, data-group
 * names, verdict words), never a card value.
 */
import type { VerificationReason } from '@cccd/client';

export const REFUSAL_CODES = [
  /** Not a read result of cccd-agent.v1 (schema), e.g. truncated or with unknown keys. */
  'malformed',
  /** No such ticket: never issued here, or expired long ago and forgotten. */
  'ticket-unknown',
  /** The ticket's nonce was already consumed by an earlier result (on this or another instance). */
  'replayed',
  'expired',
  /** The page posting the result is not the origin the ticket was issued for. */
  'cross-origin',
  /** The signing key is not an enrolled kiosk agent (never enrolled, or revoked). */
  'agent-not-enrolled',
  /** Signed by an enrolled agent, but not the one the ticket was issued to. */
  'cross-agent',
  /** agentSig does not verify for this ticket's origin and nonce: edited, forged, or for another ticket. */
  'signature-invalid',
  /** The result releases a field (or carries a data group) the ticket did not ask for. */
  'field-widened',
  /** Read on a simulated reader (invented data) and this server does not accept those. */
  'simulated',
  'evidence-missing',
  /** The evidence bundle is not a well-formed bundle. */
  'evidence-malformed',
  /** The server's own verification of the evidence is not one it accepts (invalid, unknown-csca, not-checked). */
  'verdict-not-accepted',
  /** A released field (or the photo) differs from the verified bytes of the evidence (consistency.ts). */
  'fields-mismatch',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

type Params = Record<string, string>;

/** Field names as a clerk reads them (the CCCD's own labels); data-group names (DG13…) stay as they are. */
const FIELD_VI: Record<string, string> = {
  idNumber: 'số định danh',
  oldIdNumber: 'số CMND cũ',
  fullName: 'họ và tên',
  dateOfBirth: 'ngày sinh',
  sex: 'giới tính',
  nationality: 'quốc tịch',
  ethnicity: 'dân tộc',
  religion: 'tôn giáo',
  placeOfOrigin: 'quê quán',
  placeOfResidence: 'nơi thường trú',
  identifyingMarks: 'đặc điểm nhận dạng',
  dateOfIssue: 'ngày cấp',
  dateOfExpiry: 'ngày hết hạn',
  fatherName: 'họ tên cha',
  motherName: 'họ tên mẹ',
  spouseName: 'họ tên vợ/chồng',
  photo: 'ảnh chân dung',
};
const fieldsVi = (list = '') =>
  list
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .map((f) => FIELD_VI[f] ?? f)
    .join(', ');

/** The server's verdict on the chip, as a sentence (the words of the clerk's screen, docs/demo.md). */
const OVERALL_VI: Record<string, string> = {
  invalid: 'dữ liệu trên chip đã bị thay đổi hoặc thẻ không qua được kiểm tra',
  'unknown-csca': 'máy chủ chưa có chứng thư gốc của cơ quan cấp thẻ nên chưa xác minh được nguồn gốc thẻ',
  'not-checked': 'chưa kiểm tra được thẻ có phải thẻ thật hay không',
  'genuine-data': 'dữ liệu đúng của cơ quan cấp nhưng chưa xác minh được chip',
};

const TEXT: Record<RefusalCode, (p: Params) => { vi: string; en: string }> = {
  malformed: (p) => ({
    vi: `Kết quả đọc không đúng định dạng (${p.path ?? 'cấu trúc'}).`,
    en: `The read result is not well-formed (${p.path ?? 'structure'}).`,
  }),
  'ticket-unknown': () => ({
    vi: 'Không có vé (ticket) này trên máy chủ, hoặc vé đã hết hạn từ lâu.',
    en: 'This server has no such ticket, or it expired long ago.',
  }),
  replayed: () => ({
    vi: 'Vé này đã được dùng cho một kết quả khác (phát lại).',
    en: 'This ticket was already used for a result (replay).',
  }),
  expired: () => ({ vi: 'Vé đã hết hạn.', en: 'The ticket has expired.' }),
  'cross-origin': () => ({
    vi: 'Kết quả được gửi từ trang khác với trang đã nhận vé.',
    en: 'The result was posted from another origin than the ticket was issued for.',
  }),
  'agent-not-enrolled': () => ({
    vi: 'Khóa thiết bị ký kết quả chưa được đăng ký (hoặc đã bị thu hồi).',
    en: 'The device key that signed the result is not enrolled (or was revoked).',
  }),
  'cross-agent': () => ({
    vi: 'Kết quả do một máy đọc khác với máy được cấp vé ký.',
    en: 'The result was signed by another kiosk agent than the ticket names.',
  }),
  'signature-invalid': () => ({
    vi: 'Chữ ký của máy đọc (agentSig) không hợp lệ cho vé này.',
    en: 'The agent signature (agentSig) does not verify for this ticket.',
  }),
  'field-widened': (p) => ({
    vi: `Kết quả chứa thông tin không có trong vé: ${fieldsVi(p.fields)}.`,
    en: `The result carries fields the ticket did not ask for: ${p.fields ?? ''}.`,
  }),
  simulated: () => ({
    vi: 'Thẻ được đọc trên đầu đọc mô phỏng (dữ liệu giả): không chấp nhận.',
    en: 'The card was read on a simulated reader (invented data): not accepted.',
  }),
  'evidence-missing': () => ({
    vi: 'Kết quả không kèm bằng chứng (evidence) để máy chủ kiểm tra lại.',
    en: 'The result carries no evidence bundle for the server to re-verify.',
  }),
  'evidence-malformed': (p) => ({
    vi: `Bằng chứng (evidence) không đúng định dạng (${p.field ?? 'cấu trúc'}).`,
    en: `The evidence bundle is not well-formed (${p.field ?? 'structure'}).`,
  }),
  'verdict-not-accepted': (p) => ({
    vi: `Máy chủ kiểm tra lại chip: ${OVERALL_VI[p.overall ?? ''] ?? 'kết quả không đạt'}. Không chấp nhận.`,
    en: `The server's own chip verification says ${p.overall ?? ''}: not accepted.`,
  }),
  'fields-mismatch': (p) => ({
    vi: `Thông tin không khớp với dữ liệu chip đã kiểm tra: ${fieldsVi(p.fields)}.`,
    en: `Fields differ from the verified chip data: ${p.fields ?? ''}.`,
  }),
};

export function refusalReason(code: RefusalCode, params: Params = {}): VerificationReason {
  return { code, severity: 'error', message: TEXT[code](params) };
}
