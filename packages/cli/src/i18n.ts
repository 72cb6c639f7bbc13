/**
 * Vietnamese and English texts of the CLI's own messages. Parameters are structural (file names, reader names,
 * counts, step names): never a holder's personal data, and never a value typed on the command line.
 */
export type Lang = 'vi' | 'en';

type Params = Record<string, string | number>;
type Text = { vi: string; en: string } | ((p: Params) => { vi: string; en: string });

/** TrustPathError problems (@cccd/emrtd/node) in plain words. */
const TRUST_PROBLEMS: Record<string, { vi: string; en: string }> = {
  'not-found': { vi: 'không tồn tại', en: 'it does not exist' },
  'not-readable': { vi: 'không đọc được', en: 'it cannot be read' },
  'not-valid': {
    vi: 'không phải tệp chứng thư, CRL, master list hay LDIF hợp lệ',
    en: 'it is not a valid certificate, CRL, master list or LDIF file',
  },
  empty: {
    vi: 'không chứa chứng thư CSCA, CRL, master list hay LDIF nào (.pem .crt .cer .der .crl .ml .ldif)',
    en: 'it holds no CSCA certificate, CRL, master list or LDIF (.pem .crt .cer .der .crl .ml .ldif)',
  },
};

const MESSAGES = {
  'no-service': {
    vi: 'dịch vụ PC/SC (pcscd / Smart Card) không chạy; hãy khởi động dịch vụ rồi thử lại',
    en: 'the PC/SC service (pcscd / Smart Card service) is not running; start it and try again',
  },
  'no-readers': { vi: 'chưa có đầu đọc thẻ nào được kết nối', en: 'no smart-card reader is connected' },
  'unknown-reader': (p) => ({
    vi: `không thấy đầu đọc "${p.reader}" (xem: cccd readers)`,
    en: `reader "${p.reader}" not found (see: cccd readers)`,
  }),
  'no-card': (p) => ({
    vi: `sau ${p.seconds} giây vẫn chưa có thẻ nào được đặt lên đầu đọc`,
    en: `no card was presented within ${p.seconds} s`,
  }),
  'access-denied': {
    vi: 'thẻ từ chối khóa truy cập (sai mã CAN, hoặc sai số CCCD / ngày sinh / ngày hết hạn)',
    en: 'the card refused the access key (wrong CAN, or wrong ID / date of birth / expiry)',
  },
  'card-removed': {
    vi: 'thẻ bị nhấc ra hoặc mất tiếp xúc và không đọc lại được; hãy giữ yên thẻ trên đầu đọc rồi thử lại',
    en: 'the card was removed or lost contact and could not be read again; hold it still on the reader and retry',
  },
  timeout: (p) => ({
    vi: `thẻ không trả lời kịp (${p.step})`,
    en: `the card did not answer in time (${p.step})`,
  }),
  io: (p) => ({
    vi: `lỗi giao tiếp với thẻ/đầu đọc: ${p.detail}`,
    en: `card/reader communication failed: ${p.detail}`,
  }),
  'sharing-violation': {
    vi: 'một ứng dụng khác đang chiếm quyền dùng thẻ',
    en: 'another application holds the card exclusively',
  },
  'not-valid': (p) => ({
    vi: `đã đọc xong nhưng thẻ không qua được bước xác thực: ${p.detail}`,
    en: `read complete but verification is not valid: ${p.detail}`,
  }),
  'unknown-csca': (p) => ({
    vi: `chưa có chứng thư gốc CSCA tin cậy để kiểm tra chữ ký số của thẻ${p.issuer ? ` (cần: ${p.issuer})` : ''}; hãy dùng --trust`,
    en: `no trusted CSCA for the card's signer${p.issuer ? ` (needed: ${p.issuer})` : ''}; use --trust`,
  }),
  'not-checked': {
    vi: 'chưa kiểm tra được chữ ký số (xác thực thụ động) vì thiếu EF.SOD',
    en: 'passive authentication could not be run (EF.SOD missing)',
  },
  'file-error': (p) => ({ vi: `không đọc/ghi được tệp ${p.path}`, en: `cannot read or write ${p.path}` }),
  'bad-evidence': (p) => ({
    vi: `gói bằng chứng không hợp lệ (${p.field})`,
    en: `invalid evidence bundle (${p.field})`,
  }),
  'bad-dump': (p) => ({ vi: `thư mục ${p.path} không chứa EF.SOD.bin`, en: `folder ${p.path} has no EF.SOD.bin` }),
  'no-photo': (p) => ({
    vi: `thẻ không có ảnh chân dung (DG2) nên không ghi tệp ${p.path}`,
    en: `the card has no photo (DG2), so ${p.path} was not written`,
  }),
  internal: (p) => ({ vi: `lỗi ngoài dự kiến (${p.name})`, en: `unexpected error (${p.name})` }),
  'trust-path': (p) => {
    const why = TRUST_PROBLEMS[String(p.problem)] ?? TRUST_PROBLEMS['not-valid']!;
    return {
      vi: `không dùng được ${p.file} làm chứng thư gốc tin cậy: ${why.vi}`,
      en: `cannot use ${p.file} as trust anchors: ${why.en}`,
    };
  },
  'no-anchor-files': {
    vi: 'không có tệp nào chứa chứng thư CSCA, CRL, master list hoặc LDIF dùng được',
    en: 'no file holds a usable CSCA certificate, CRL, master list or LDIF',
  },
} satisfies Record<string, Text>;

export type MessageKey = keyof typeof MESSAGES;

export function message(lang: Lang, key: MessageKey, params: Params = {}): string {
  const text: Text = MESSAGES[key];
  return (typeof text === 'function' ? text(params) : text)[lang];
}

/** --lang wins; else LC_ALL, LC_MESSAGES, LANG (POSIX order); Vietnamese when the locale starts with "vi". */
export function pickLang(flag: string | undefined, env: Record<string, string | undefined>): Lang {
  if (flag === 'vi' || flag === 'en') return flag;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^vi([_.@-]|$)/i.test(locale) ? 'vi' : 'en';
}
