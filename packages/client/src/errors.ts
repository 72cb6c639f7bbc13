/**
 * The cccd-agent.v1 error table (docs/agent-protocol.md, errors): JSON-RPC numeric codes, stable string codes, whether a retry
 * can help, and a message key with Vietnamese and English texts. The SDK maps keys to text so a page never shows
 * a raw code (letspeppol #313: misleading messages for typed errors).
 * Texts are fixed strings: they never interpolate card data.
 */

export type Lang = 'vi' | 'en';

interface ErrorDef {
  rpc: number;
  retriable: boolean;
  messageKey: string;
  vi: string;
  en: string;
}

const def = (rpc: number, retriable: boolean, messageKey: string, vi: string, en: string): ErrorDef => ({
  rpc,
  retriable,
  messageKey,
  vi,
  en,
});

export const ERRORS = {
  ERR_PARSE: def(
    -32700,
    false,
    'parse',
    'Dữ liệu nhận được không đúng định dạng JSON.',
    'The message is not valid JSON.',
  ),
  ERR_INVALID_REQUEST: def(
    -32600,
    false,
    'invalidRequest',
    'Yêu cầu gửi đến dịch vụ đọc thẻ không hợp lệ (JSON-RPC).',
    'The JSON-RPC request is invalid.',
  ),
  ERR_METHOD_NOT_FOUND: def(
    -32601,
    false,
    'methodNotFound',
    'Dịch vụ đọc thẻ không hỗ trợ thao tác này.',
    'The method does not exist.',
  ),
  ERR_INVALID_PARAMS: def(
    -32602,
    false,
    'invalidParams',
    'Tham số không hợp lệ hoặc có trường dữ liệu không được phép.',
    'Invalid parameters or unknown keys.',
  ),
  ERR_INTERNAL: def(-32603, false, 'internal', 'Lỗi nội bộ của dịch vụ đọc thẻ.', 'Internal error in the card agent.'),
  ERR_UNAUTHENTICATED: def(
    -32001,
    false,
    'unauthenticated',
    'Phiên làm việc chưa được xác thực. Hãy tải lại trang.',
    'The session is not authenticated. Reload the page.',
  ),
  ERR_TICKET_INVALID: def(
    -32002,
    false,
    'ticketInvalid',
    'Vé truy cập không hợp lệ hoặc đã được sử dụng.',
    'The access ticket is invalid or was already used.',
  ),
  ERR_TICKET_EXPIRED: def(
    -32003,
    false,
    'ticketExpired',
    'Vé truy cập đã hết hạn. Hãy thử lại.',
    'The access ticket has expired. Try again.',
  ),
  ERR_FIELD_NOT_ALLOWED: def(
    -32004,
    false,
    'fieldNotAllowed',
    'Ứng dụng không được phép đọc trường dữ liệu này.',
    'This application may not read the requested field.',
  ),
  ERR_VERSION_UNSUPPORTED: def(
    -32005,
    false,
    'versionUnsupported',
    'Phiên bản dịch vụ đọc thẻ không tương thích. Hãy báo bộ phận kỹ thuật để cập nhật.',
    'The card agent version is not supported. Please update.',
  ),
  ERR_PAIRING_REJECTED: def(
    -32006,
    false,
    'pairingRejected',
    'Yêu cầu ghép nối bị từ chối hoặc đã hết hạn.',
    'The pairing request was rejected or has expired.',
  ),
  ERR_CONSENT_REQUIRED: def(
    -32007,
    false,
    'consentRequired',
    'Cần ghi nhận sự đồng ý của công dân trước khi đọc dữ liệu cá nhân nhạy cảm.',
    "The citizen's recorded consent is required before reading sensitive data.",
  ),
  ERR_PCSC_UNAVAILABLE: def(
    -32010,
    true,
    'pcscUnavailable',
    'Dịch vụ thẻ thông minh trên máy tính này chưa chạy. Hãy báo bộ phận kỹ thuật.',
    'The smart card service is not running.',
  ),
  ERR_NO_READER: def(
    -32011,
    true,
    'noReader',
    'Không tìm thấy đầu đọc thẻ. Hãy kiểm tra đầu đọc đã được cắm vào máy tính.',
    'No card reader found. Connect a reader.',
  ),
  ERR_READER_BUSY: def(
    -32012,
    true,
    'readerBusy',
    'Đầu đọc thẻ đang bận với một lượt đọc khác.',
    'The reader is busy with another read.',
  ),
  ERR_READER_REMOVED: def(
    -32013,
    true,
    'readerRemoved',
    'Đầu đọc thẻ bị rút ra khi đang đọc.',
    'The reader was disconnected during the read.',
  ),
  ERR_CARD_TIMEOUT: def(
    -32020,
    true,
    'cardTimeout',
    'Chưa thấy thẻ trên đầu đọc. Hãy đặt thẻ CCCD lên đầu đọc.',
    'No card was presented. Place the CCCD on the reader.',
  ),
  ERR_CARD_REMOVED: def(
    -32021,
    true,
    'cardRemoved',
    'Thẻ đã bị nhấc ra khi đang đọc. Hãy đặt lại thẻ và giữ yên cho đến khi đọc xong.',
    'The card was removed during the read. Put it back and hold it still.',
  ),
  ERR_UNSUPPORTED_CARD: def(
    -32022,
    false,
    'unsupportedCard',
    'Thẻ này không phải thẻ CCCD hay thẻ căn cước gắn chip.',
    'This card is not a chip-based CCCD / identity card.',
  ),
  ERR_ACCESS_KEY_REQUIRED: def(
    -32023,
    false,
    'accessKeyRequired',
    'Cần nhập mã CAN (6 số cuối số CCCD) hoặc quét mã QR để mở chip.',
    'The CAN (last 6 digits of the ID number) or a QR scan is needed to open the chip.',
  ),
  ERR_ACCESS_DENIED: def(
    -32024,
    false,
    'accessDenied',
    'Chip không chấp nhận mã truy cập. Hãy kiểm tra lại mã CAN hoặc dòng mã MRZ ở mặt sau thẻ.',
    'The chip rejected the access key. Check the CAN or MRZ data.',
  ),
  ERR_CARD_IO: def(
    -32025,
    true,
    'cardIo',
    'Lỗi giao tiếp với thẻ. Hãy giữ yên thẻ và thử lại.',
    'Communication with the card failed. Hold the card still and try again.',
  ),
  ERR_CSCA_MISSING: def(
    -32030,
    false,
    'cscaMissing',
    'Máy tính này chưa cài chứng thư số gốc (CSCA) để xác minh nguồn gốc thẻ. Hãy báo bộ phận kỹ thuật.',
    'The CSCA root certificate needed to verify the card is not installed.',
  ),
  ERR_RATE_LIMITED: def(
    -32040,
    true,
    'rateLimited',
    'Quá nhiều yêu cầu. Hãy chờ một lát rồi thử lại.',
    'Too many requests. Wait a moment and try again.',
  ),
  ERR_ACTION_PENDING: def(
    -32041,
    false,
    'actionPending',
    'Đang có một lượt đọc khác trong phiên này. Hãy chờ lượt đó xong.',
    'Another read is already in progress in this session.',
  ),
  // Raised by the SDK itself, never sent by the agent.
  ERR_CONNECTION_LOST: def(
    -32050,
    true,
    'connectionLost',
    'Mất kết nối với dịch vụ đọc thẻ.',
    'The connection to the card agent was lost.',
  ),
  ERR_TIMEOUT: def(
    -32051,
    true,
    'timeout',
    'Dịch vụ đọc thẻ không phản hồi kịp. Hãy thử lại.',
    'The card agent did not answer in time.',
  ),
  ERR_AGENT_UNREACHABLE: def(
    -32052,
    true,
    'agentUnreachable',
    'Không kết nối được với dịch vụ đọc thẻ trên máy tính này. Hãy kiểm tra dịch vụ đã được bật.',
    'Cannot reach the card agent on this computer. Check that it is running.',
  ),
  ERR_AGENT_REFUSED: def(
    -32054,
    false,
    'agentRefused',
    'Dịch vụ đọc thẻ từ chối kết nối của ứng dụng này. Hãy báo bộ phận kỹ thuật kiểm tra danh sách địa chỉ trang web (origin) được phép.',
    "The card agent refused this application's connection. Check the agent's allowed origins.",
  ),
  ERR_PROTOCOL: def(
    -32053,
    false,
    'protocol',
    'Dịch vụ đọc thẻ trả lời không đúng giao thức.',
    'The card agent answered outside the protocol.',
  ),
  ERR_CANCELLED: def(-32800, false, 'cancelled', 'Đã hủy lượt đọc.', 'The read was cancelled.'),
} as const satisfies Record<string, ErrorDef>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

const BY_KEY = new Map<string, ErrorDef>(Object.values(ERRORS).map((d) => [d.messageKey, d]));
const BY_RPC = new Map<number, ErrorCode>(ERROR_CODES.map((c) => [ERRORS[c].rpc, c]));

/** The localized text of a message key; unknown keys get a generic text (never the key's own content). */
export function errorText(messageKey: string, lang: Lang = 'vi'): string {
  const d = BY_KEY.get(messageKey);
  if (d) return d[lang];
  return lang === 'vi' ? 'Đã xảy ra lỗi không xác định.' : 'An unknown error occurred.';
}

/** The string code of a JSON-RPC numeric code, if it is one of ours. */
export function errorCodeOf(rpc: number): ErrorCode | undefined {
  return BY_RPC.get(rpc);
}

/** `data` of a JSON-RPC error object as the agent sends it. */
export interface RpcErrorData {
  code: ErrorCode;
  retriable: boolean;
  messageKey: string;
  /** Structural details only (a field name, a reader id, a stage): never card data. */
  details?: Record<string, string | number | boolean>;
}

/** The JSON-RPC `error` member for one of our codes (what the agent puts on the wire). */
export function rpcError(
  code: ErrorCode,
  details?: RpcErrorData['details'],
): { code: number; message: string; data: RpcErrorData } {
  const d = ERRORS[code];
  const data: RpcErrorData = { code, retriable: d.retriable, messageKey: d.messageKey };
  if (details) data.details = details;
  return { code: d.rpc, message: d.en, data };
}

/** A typed error of the protocol: the agent's JSON-RPC errors and the SDK's own (connection lost, timeout). */
export class CccdAgentError extends Error {
  override name = 'CccdAgentError';
  readonly rpcCode: number;
  readonly retriable: boolean;
  readonly messageKey: string;
  readonly details: RpcErrorData['details'];

  constructor(
    readonly code: ErrorCode,
    options: { details?: RpcErrorData['details']; retriable?: boolean; cause?: unknown } = {},
  ) {
    super(ERRORS[code].en, options.cause === undefined ? undefined : { cause: options.cause });
    const d = ERRORS[code];
    this.rpcCode = d.rpc;
    this.retriable = options.retriable ?? d.retriable;
    this.messageKey = d.messageKey;
    this.details = options.details;
  }

  /** The user-facing text in Vietnamese (default) or English. */
  text(lang: Lang = 'vi'): string {
    return errorText(this.messageKey, lang);
  }

  /** Builds the error from a validated JSON-RPC error object (unknown codes become ERR_INTERNAL). */
  static fromRpc(error: { code: number; data?: RpcErrorData | undefined }): CccdAgentError {
    const code = error.data?.code ?? errorCodeOf(error.code) ?? 'ERR_INTERNAL';
    const options: { details?: RpcErrorData['details']; retriable?: boolean } = {};
    if (error.data?.details) options.details = error.data.details;
    if (error.data) options.retriable = error.data.retriable;
    return new CccdAgentError(code, options);
  }
}
