/**
 * Machine-readable reason codes with Vietnamese and English messages. Parameters are structural (DG numbers,
 * algorithm names, certificate DNs, dates of certificates): never a document holder's personal data.
 */

export type Severity = 'error' | 'warning' | 'info';

export interface LocalizedText {
  vi: string;
  en: string;
}

export interface Reason {
  code: ReasonCode;
  severity: Severity;
  message: LocalizedText;
}

type Params = Record<string, string | number | undefined>;
type Entry = [Severity, (p: Params) => LocalizedText];

/** Why a chip proof (CA or AA) did not count: see verdict.ts `proofState`. */
export type ProofState =
  | 'refused'
  | 'not-offered'
  | 'not-run'
  | 'key-not-covered'
  | 'reader-limit'
  | 'card-security-not-valid';

const PROOF: Record<ProofState, LocalizedText> = {
  refused: { vi: 'chip từ chối', en: 'refused by the chip' },
  'not-offered': { vi: 'thẻ không hỗ trợ', en: 'not offered by the card' },
  'not-run': { vi: 'không thực hiện', en: 'not run' },
  'key-not-covered': { vi: 'khóa chưa được SOD xác nhận', en: 'key not covered by the SOD' },
  'reader-limit': { vi: 'đầu đọc không hỗ trợ', en: 'beyond this reader' },
  'card-security-not-valid': {
    vi: 'PACE-CAM: tệp EF.CardSecurity chưa được xác thực',
    en: 'PACE-CAM: EF.CardSecurity not verified',
  },
};

/** Why a PACE-CAM result could not be checked (read/types.ts PaceCamReport.notChecked). */
const CAM_NOT_CHECKED: Record<string, LocalizedText> = {
  'card-security-missing': { vi: 'thẻ không có tệp EF.CardSecurity', en: 'the card has no EF.CardSecurity' },
  'card-security-unreadable': {
    vi: 'không đọc được tệp EF.CardSecurity',
    en: 'EF.CardSecurity could not be read',
  },
  'card-security-malformed': { vi: 'tệp EF.CardSecurity sai cấu trúc', en: 'EF.CardSecurity is malformed' },
  'no-key': {
    vi: 'EF.CardSecurity không có khóa xác thực chip trên đường cong của PACE',
    en: 'EF.CardSecurity holds no chip authentication key on the PACE curve',
  },
  unsupported: { vi: 'biến thể PACE-CAM này chưa được hỗ trợ', en: 'this PACE-CAM variant is not supported' },
  'cam-data-missing': {
    vi: 'dữ liệu xác thực chip (DO 8A) bị thiếu hoặc không giải mã được',
    en: "the chip authentication data (DO'8A') were missing or did not decrypt",
  },
};

function camNotChecked(why: Params[string]): LocalizedText {
  return CAM_NOT_CHECKED[String(why)] ?? { vi: 'không rõ lý do', en: 'unknown reason' };
}

function proof(state: Params[string], sw: Params[string]): LocalizedText {
  const text = PROOF[state as ProofState] ?? PROOF['not-run'];
  const suffix = sw === undefined ? '' : ` SW ${sw}`;
  return { vi: text.vi + suffix, en: text.en + suffix };
}

const CATALOG = {
  'sod-not-read': [
    'info',
    () => ({
      vi: 'Chưa đọc tệp EF.SOD nên chưa kiểm tra được chữ ký số (xác thực thụ động).',
      en: 'EF.SOD was not read; passive authentication not run.',
    }),
  ],
  'sod-malformed': [
    'error',
    (p) => ({ vi: `EF.SOD sai cấu trúc (${p.detail}).`, en: `EF.SOD is malformed (${p.detail}).` }),
  ],
  'sod-content-type': [
    'error',
    (p) => ({
      vi: `Kiểu nội dung của SOD không phải LDSSecurityObject (${p.oid}).`,
      en: `SOD content type is not LDSSecurityObject (${p.oid}).`,
    }),
  ],
  'sod-legacy-content-type': [
    'warning',
    (p) => ({
      vi: `SOD dùng OID kiểu nội dung cũ ${p.oid} (được chấp nhận theo chính sách).`,
      en: `SOD uses the legacy content type OID ${p.oid} (accepted by policy).`,
    }),
  ],
  'sod-multiple-signers': [
    'warning',
    () => ({
      vi: 'SOD có nhiều SignerInfo; chỉ kiểm tra cái đầu tiên.',
      en: 'SOD has several SignerInfos; only the first is checked.',
    }),
  ],
  'sod-no-signed-attributes': [
    'info',
    () => ({
      vi: 'SOD không có thuộc tính ký; chữ ký phủ trực tiếp nội dung.',
      en: 'SOD has no signed attributes; the signature covers the content directly.',
    }),
  ],
  'sod-content-type-attribute': [
    'error',
    () => ({
      vi: 'Thuộc tính contentType đã ký không khớp kiểu nội dung của SOD.',
      en: 'The signed contentType attribute does not match the SOD content type.',
    }),
  ],
  'sod-message-digest-mismatch': [
    'error',
    () => ({
      vi: 'messageDigest đã ký không khớp giá trị băm của nội dung SOD.',
      en: 'The signed messageDigest does not match the hash of the SOD content.',
    }),
  ],
  'sod-message-digest-missing': [
    'error',
    () => ({ vi: 'Thiếu thuộc tính messageDigest.', en: 'The messageDigest attribute is missing.' }),
  ],
  'sod-signature-invalid': [
    'error',
    (p) => ({ vi: `Chữ ký SOD không hợp lệ (${p.algorithm}).`, en: `SOD signature is invalid (${p.algorithm}).` }),
  ],
  'sod-signature-unsupported': [
    'error',
    (p) => ({
      vi: `Không hỗ trợ thuật toán chữ ký của SOD (${p.detail}).`,
      en: `The SOD signature algorithm is not supported (${p.detail}).`,
    }),
  ],
  'ds-certificate-missing': [
    'error',
    () => ({
      vi: 'Không tìm thấy chứng thư DS trong SOD.',
      en: 'The document signer certificate was not found in the SOD.',
    }),
  ],
  'ds-certificate-malformed': [
    'error',
    (p) => ({ vi: `Chứng thư DS sai cấu trúc (${p.detail}).`, en: `The DS certificate is malformed (${p.detail}).` }),
  ],
  'dg-hash-mismatch': [
    'error',
    (p) => ({ vi: `Giá trị băm của DG${p.dg} không khớp SOD.`, en: `DG${p.dg} hash does not match the SOD.` }),
  ],
  'dg-not-in-sod': [
    'error',
    (p) => ({
      vi: `DG${p.dg} đã đọc nhưng không có trong SOD.`,
      en: `DG${p.dg} was read but is not listed in the SOD.`,
    }),
  ],
  'dg-not-read': [
    'info',
    (p) => ({ vi: `DG${p.dg} có trong SOD nhưng chưa đọc.`, en: `DG${p.dg} is listed in the SOD but was not read.` }),
  ],
  'dg-invalid-name': [
    'error',
    (p) => ({ vi: `Tên nhóm dữ liệu không hợp lệ: ${p.name}.`, en: `Invalid data group name: ${p.name}.` }),
  ],
  'csca-unknown': [
    'error',
    (p) => ({
      vi: `Không có chứng thư CSCA tin cậy cho bên cấp: ${p.issuer}${p.keyId ? ` (định danh khóa ${p.keyId})` : ''}. Hãy nạp CSCA này vào kho tin cậy.`,
      en: `No trusted CSCA certificate for issuer: ${p.issuer}${p.keyId ? ` (key identifier ${p.keyId})` : ''}. Load this CSCA into the trust store.`,
    }),
  ],
  'chain-signature-invalid': [
    'error',
    (p) => ({
      vi: `Chữ ký trên chứng thư ${p.subject} không hợp lệ.`,
      en: `The signature on certificate ${p.subject} is invalid.`,
    }),
  ],
  'chain-too-long': ['error', () => ({ vi: 'Chuỗi chứng thư quá dài.', en: 'The certificate chain is too long.' })],
  'anchor-is-link-certificate': [
    'info',
    (p) => ({
      vi: `Điểm neo tin cậy là chứng thư liên kết ${p.subject}.`,
      en: `The trust anchor is the link certificate ${p.subject}.`,
    }),
  ],
  'ds-expired-at-signing': [
    'error',
    (p) => ({
      vi: `Chứng thư DS không còn hiệu lực tại thời điểm kiểm tra (${p.at}, chính sách ${p.policy}).`,
      en: `The DS certificate is not valid at the evaluation time (${p.at}, policy ${p.policy}).`,
    }),
  ],
  'csca-expired-at-signing': [
    'error',
    (p) => ({
      vi: `Chứng thư CSCA ${p.subject} không còn hiệu lực tại thời điểm kiểm tra (${p.at}).`,
      en: `The CSCA certificate ${p.subject} is not valid at the evaluation time (${p.at}).`,
    }),
  ],
  'ds-expired-now': [
    'info',
    () => ({
      vi: 'Chứng thư DS đã hết hạn hôm nay nhưng còn hiệu lực lúc ký (bình thường với giấy tờ cũ).',
      en: 'The DS certificate has expired by now but was valid at signing (normal for older documents).',
    }),
  ],
  'signing-time-missing': [
    'warning',
    () => ({
      vi: 'SOD không có signingTime; dùng thời hạn của chứng thư DS.',
      en: 'The SOD has no signingTime; the DS certificate validity is used instead.',
    }),
  ],
  'ds-revoked': [
    'error',
    (p) => ({
      vi: `Chứng thư ${p.subject} đã bị thu hồi (ngày ${p.date}).`,
      en: `Certificate ${p.subject} is revoked (since ${p.date}).`,
    }),
  ],
  'crl-not-available': [
    'info',
    (p) => ({
      vi: `Không có CRL cho bên cấp ${p.issuer}; chưa kiểm tra thu hồi.`,
      en: `No CRL for issuer ${p.issuer}; revocation was not checked.`,
    }),
  ],
  'crl-signature-invalid': [
    'warning',
    (p) => ({
      vi: `CRL của ${p.issuer} có chữ ký không hợp lệ và bị bỏ qua.`,
      en: `The CRL of ${p.issuer} has an invalid signature and was ignored.`,
    }),
  ],
  'crl-stale': [
    'warning',
    (p) => ({
      vi: `CRL của ${p.issuer} đã quá hạn cập nhật (${p.date}).`,
      en: `The CRL of ${p.issuer} is past its next update (${p.date}).`,
    }),
  ],
  'country-mismatch': [
    'error',
    (p) => ({
      vi: `Quốc gia của chứng thư (${p.certificate}) không khớp quốc gia cấp giấy tờ (${p.document}).`,
      en: `Certificate country (${p.certificate}) does not match the issuing state (${p.document}).`,
    }),
  ],
  'country-not-checked': [
    'warning',
    () => ({
      vi: 'Không có quốc gia cấp (DG1) nên chưa đối chiếu quốc gia của chứng thư.',
      en: 'No issuing state (DG1) was given, so the certificate country was not checked.',
    }),
  ],
  'ds-key-usage': [
    'error',
    () => ({
      vi: 'Chứng thư DS không được phép dùng để ký số (thiếu digitalSignature).',
      en: 'The DS certificate key usage does not allow digitalSignature.',
    }),
  ],
  'ds-key-usage-missing': [
    'warning',
    () => ({ vi: 'Chứng thư DS thiếu phần mở rộng keyUsage.', en: 'The DS certificate has no keyUsage extension.' }),
  ],
  'csca-not-ca': [
    'error',
    (p) => ({
      vi: `Chứng thư ${p.subject} không phải CA (basicConstraints/keyCertSign).`,
      en: `Certificate ${p.subject} is not a CA (basicConstraints/keyCertSign).`,
    }),
  ],
  'csca-extension-missing': [
    'warning',
    (p) => ({
      vi: `Chứng thư ${p.subject} thiếu phần mở rộng ${p.extension}.`,
      en: `Certificate ${p.subject} lacks the ${p.extension} extension.`,
    }),
  ],
  'unknown-critical-extension': [
    'error',
    (p) => ({
      vi: `Chứng thư ${p.subject} có phần mở rộng bắt buộc chưa biết ${p.oid}.`,
      en: `Certificate ${p.subject} has an unknown critical extension ${p.oid}.`,
    }),
  ],
  'ecdsa-plain-signature': [
    'info',
    () => ({ vi: 'Chữ ký ECDSA ở dạng r‖s thô (không mã hóa DER).', en: 'The ECDSA signature is in plain r‖s form.' }),
  ],
  'ec-explicit-parameters': [
    'info',
    (p) => ({
      vi: `Khóa EC dùng tham số miền tường minh, nhận dạng là ${p.curve}.`,
      en: `The EC key uses explicit domain parameters, identified as ${p.curve}.`,
    }),
  ],
  'quirk-non-der-ecdsa': [
    'warning',
    () => ({
      vi: 'Chữ ký ECDSA không đúng DER (chấp nhận theo chính sách ngoại lệ).',
      en: 'The ECDSA signature is not valid DER (accepted by the quirk policy).',
    }),
  ],
  'quirk-pkcs1-with-pss-key': [
    'warning',
    () => ({
      vi: 'Chữ ký PKCS#1 v1.5 với khóa RSA-PSS (chấp nhận theo chính sách ngoại lệ).',
      en: 'PKCS#1 v1.5 signature made with an RSA-PSS key (accepted by the quirk policy).',
    }),
  ],
  'quirk-curve-mismatch': [
    'warning',
    (p) => ({
      vi: `Chữ ký chỉ hợp lệ trên đường cong ${p.curve} khác với đường cong khai báo (chấp nhận theo chính sách ngoại lệ).`,
      en: `The signature only verifies on curve ${p.curve}, not the declared one (accepted by the quirk policy).`,
    }),
  ],
  'quirk-rejected': [
    'error',
    (p) => ({
      vi: `Phát hiện sai lệch ${p.quirk}; chính sách hiện tại không chấp nhận.`,
      en: `Detected the deviation ${p.quirk}; the current policy does not accept it.`,
    }),
  ],
  'verification-time': [
    'info',
    (p) => ({
      vi: `Thời điểm đánh giá chuỗi chứng thư: ${p.at} (chính sách ${p.policy}, nguồn ${p.source}).`,
      en: `Certificate path evaluated at ${p.at} (policy ${p.policy}, source ${p.source}).`,
    }),
  ],
  'aa-not-performed': [
    'info',
    () => ({ vi: 'Chưa xác thực chủ động (AA).', en: 'Active authentication was not performed.' }),
  ],
  'aa-not-offered': [
    'info',
    () => ({
      vi: 'Thẻ không có khóa xác thực chủ động (DG15).',
      en: 'The card offers no active authentication key (DG15).',
    }),
  ],
  'aa-needs-extended-length': [
    'info',
    () => ({
      vi: 'Chưa xác thực chủ động (AA): chữ ký của chip cần APDU độ dài mở rộng mà đầu đọc này không hỗ trợ.',
      en: "Active authentication was not performed: the chip's signature needs extended-length APDUs, which this reader lacks.",
    }),
  ],
  'aa-signature-invalid': [
    'error',
    (p) => ({
      vi: `Chữ ký xác thực chủ động không hợp lệ (${p.detail}).`,
      en: `The active authentication signature is invalid (${p.detail}).`,
    }),
  ],
  'aa-key-too-small': [
    'error',
    (p) => ({
      vi: `Khóa RSA của AA quá nhỏ (${p.bits} bit, tối thiểu ${p.min}).`,
      en: `The AA RSA key is too small (${p.bits} bits, minimum ${p.min}).`,
    }),
  ],
  'aa-unsupported': [
    'error',
    (p) => ({
      vi: `Không hỗ trợ khóa/thuật toán AA (${p.detail}).`,
      en: `Unsupported AA key or algorithm (${p.detail}).`,
    }),
  ],
  'aa-hash-inferred': [
    'warning',
    (p) => ({
      vi: `DG14 không khai báo ActiveAuthenticationInfo; hàm băm ${p.hash} được suy ra.`,
      en: `DG14 declares no ActiveAuthenticationInfo; hash ${p.hash} was inferred.`,
    }),
  ],
  'aa-challenge-invalid': [
    'error',
    () => ({
      vi: 'Chuỗi thách thức (challenge) của AA phải dài đúng 8 byte.',
      en: 'The AA challenge must be 8 bytes long.',
    }),
  ],
  'aa-key-not-verified': [
    'warning',
    () => ({
      vi: 'Khóa AA (DG15) chưa được SOD hợp lệ xác nhận.',
      en: 'The AA key (DG15) is not covered by a valid SOD.',
    }),
  ],
  'ca-not-performed': [
    'info',
    () => ({ vi: 'Chưa xác thực chip (CA).', en: 'Chip authentication was not performed.' }),
  ],
  'ca-not-offered': [
    'info',
    () => ({
      vi: 'Thẻ không có phương thức xác thực chip (CA) nào mà đầu đọc này hỗ trợ.',
      en: 'The card offers no chip authentication this reader supports.',
    }),
  ],
  'ca-failed': ['error', () => ({ vi: 'Xác thực chip (CA) thất bại.', en: 'Chip authentication failed.' })],
  'ca-refused': [
    'warning',
    (p) => ({
      vi: `Chip từ chối bước xác thực chip (CA) ngay từ đầu (mã SW ${p.sw}); đây không phải là lỗi.`,
      en: `The chip declined chip authentication before any proof (SW ${p.sw}); this is not a failure.`,
    }),
  ],
  'aa-refused': [
    'warning',
    (p) => ({
      vi: `Chip từ chối bước xác thực chủ động (AA) (mã SW ${p.sw}); đây không phải là lỗi.`,
      en: `The chip declined active authentication (SW ${p.sw}); this is not a failure.`,
    }),
  ],
  'no-anti-clone-proof': [
    'warning',
    (p) => ({
      vi: `Chữ ký số của cơ quan cấp thẻ trên dữ liệu là hợp lệ, nhưng chưa chứng minh được chip không phải bản sao (CA: ${proof(p.ca, p.caSw).vi}; AA: ${proof(p.aa, p.aaSw).vi}).`,
      en: `The data is validly signed by the issuer, but nothing proves the chip is not a copy (CA: ${proof(p.ca, p.caSw).en}; AA: ${proof(p.aa, p.aaSw).en}).`,
    }),
  ],
  'ca-key-not-verified': [
    'warning',
    () => ({
      vi: 'Khóa CA (DG14) chưa được SOD hợp lệ xác nhận.',
      en: 'The CA key (DG14) is not covered by a valid SOD.',
    }),
  ],
  'ca-claimed-only': [
    'info',
    () => ({
      vi: 'Kết quả CA do đầu đọc thẻ tự báo cáo; không thể kiểm tra lại khi ngoại tuyến.',
      en: 'The CA result is as reported by the reader; it cannot be re-checked offline.',
    }),
  ],
  'card-security-malformed': [
    'error',
    (p) => ({
      vi: `Tệp EF.CardSecurity sai cấu trúc (${p.detail}).`,
      en: `EF.CardSecurity is malformed (${p.detail}).`,
    }),
  ],
  'card-security-content-type': [
    'error',
    (p) => ({
      vi: `Kiểu nội dung của EF.CardSecurity không phải id-SecurityObject (${p.oid}).`,
      en: `EF.CardSecurity content type is not id-SecurityObject (${p.oid}).`,
    }),
  ],
  'card-security-signature-invalid': [
    'error',
    (p) => ({
      vi: `Chữ ký số trên tệp EF.CardSecurity không hợp lệ (${p.detail}).`,
      en: `The signature on EF.CardSecurity does not verify (${p.detail}).`,
    }),
  ],
  'card-security-signer-missing': [
    'error',
    () => ({
      vi: 'Không tìm thấy chứng thư của bên ký (DS) cho tệp EF.CardSecurity.',
      en: 'The document signer certificate of EF.CardSecurity was not found.',
    }),
  ],
  'cam-verified': [
    'info',
    () => ({
      vi: 'Chip đã chứng minh giữ khóa bí mật ghi trong EF.CardSecurity khi thiết lập PACE-CAM (xác thực chip).',
      en: 'During PACE-CAM the chip proved it holds the private key named in EF.CardSecurity (chip authentication).',
    }),
  ],
  'cam-failed': [
    'error',
    () => ({
      vi: 'Dữ liệu xác thực chip của PACE-CAM không khớp với khóa trong EF.CardSecurity: chip có thể là bản sao.',
      en: 'The PACE-CAM chip authentication data do not fit the key in EF.CardSecurity: the chip may be a copy.',
    }),
  ],
  'cam-mismatch-ca-valid': [
    'warning',
    () => ({
      vi:
        'Dữ liệu PACE-CAM (không được bảo vệ bằng MAC) không khớp, nhưng chip đã chứng minh khóa của mình bằng ' +
        'xác thực chip (CA): chip hợp lệ; dữ liệu có thể đã bị thay đổi trên đường truyền.',
      en:
        'The PACE-CAM data (not MAC-protected) did not fit, but the chip proved its key by Chip Authentication: the ' +
        'chip is genuine; the data may have been altered on the way.',
    }),
  ],
  'cam-not-tied': [
    'warning',
    () => ({
      vi:
        'Kết quả PACE-CAM không gắn được với giấy tờ này: khóa trong EF.CardSecurity không phải khóa của DG14 ' +
        'hoặc EF.CardSecurity không do cùng bên ký (DS) với EF.SOD ký; kết quả không được tính.',
      en:
        'The PACE-CAM result is not tied to this document: the EF.CardSecurity key is not the DG14 key, or ' +
        'EF.CardSecurity was not signed by the Document Signer of EF.SOD; it is not counted.',
    }),
  ],
  'cam-not-checked': [
    'warning',
    (p) => ({
      vi: `Chưa kiểm tra được PACE-CAM: ${camNotChecked(p.why).vi}.`,
      en: `PACE-CAM could not be checked: ${camNotChecked(p.why).en}.`,
    }),
  ],
  'cam-claimed-only': [
    'info',
    () => ({
      vi: 'Kết quả PACE-CAM do đầu đọc thẻ tự báo cáo; không thể kiểm tra lại khi ngoại tuyến.',
      en: 'The PACE-CAM result is as reported by the reader; it cannot be re-checked offline.',
    }),
  ],
  'cam-card-security-not-valid': [
    'warning',
    (p) => ({
      vi: `Tệp EF.CardSecurity chưa qua xác thực thụ động (${p.status}) nên kết quả PACE-CAM không được tính.`,
      en: `EF.CardSecurity did not pass passive authentication (${p.status}), so PACE-CAM does not count.`,
    }),
  ],
  'passive-not-valid': [
    'warning',
    () => ({
      vi: 'Chữ ký số (xác thực thụ động) chưa hợp lệ nên kết quả CA/AA không đủ chứng minh thẻ là thật.',
      en: 'Passive authentication is not valid, so CA/AA do not prove authenticity.',
    }),
  ],
} satisfies Record<string, Entry>;

export type ReasonCode = keyof typeof CATALOG;

export function reason(code: ReasonCode, params: Params = {}): Reason {
  const [severity, text] = CATALOG[code] as Entry;
  return { code, severity, message: text(params) };
}

export const REASON_CODES = Object.keys(CATALOG) as ReasonCode[];

export function hasErrors(reasons: readonly Reason[]): boolean {
  return reasons.some((r) => r.severity === 'error');
}
