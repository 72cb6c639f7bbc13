/**
 * The agent's typed error: one of the protocol's string codes (@cccd/client ERRORS), turned into the JSON-RPC error
 * object by rpcError(). `details` are structural (a field name, a reason word), never card or ticket values.
 */
import { type ErrorCode, type RpcErrorData, rpcError } from '@cccd/client';
import { EmrtdError } from '@cccd/emrtd';

export class AgentError extends Error {
  override name = 'AgentError';
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: RpcErrorData['details'],
  ) {
    super(message ?? code);
  }
}

/**
 * How a read or a diagnosis that threw ends: a cancelled request is always ERR_CANCELLED, whatever the card said
 * after the cancel; anything else keeps its error. `code` is what the audit records.
 */
export function cardTaskFailure(e: unknown, signal: AbortSignal, what: string): { code: ErrorCode; error: unknown } {
  const code = signal.aborted ? 'ERR_CANCELLED' : codeOfCardError(e);
  const cancelled = signal.aborted && !(e instanceof AgentError && e.code === 'ERR_CANCELLED');
  return { code, error: cancelled ? new AgentError('ERR_CANCELLED', `${what} cancelled`) : e };
}

/** Maps a card/reader failure to the protocol's code (messages of EmrtdError carry no personal data). */
export function codeOfCardError(e: unknown): ErrorCode {
  if (e instanceof AgentError) return e.code;
  if (!(e instanceof EmrtdError)) return 'ERR_INTERNAL';
  const reason = (e as { reason?: string }).reason;
  switch (e.code) {
    case 'cancelled':
      return 'ERR_CANCELLED';
    case 'card-removed':
      return 'ERR_CARD_REMOVED';
    case 'timeout':
      return 'ERR_CARD_IO';
    case 'access-denied':
      return 'ERR_ACCESS_DENIED';
    case 'file-not-found':
    case 'unsupported':
      return 'ERR_UNSUPPORTED_CARD';
    case 'invalid-argument':
      return 'ERR_INVALID_PARAMS';
    case 'transport':
      if (reason === 'no-service') return 'ERR_PCSC_UNAVAILABLE';
      if (reason === 'reader-unavailable' || reason === 'unknown-reader') return 'ERR_READER_REMOVED';
      if (reason === 'reader-busy' || reason === 'sharing-violation') return 'ERR_READER_BUSY';
      return 'ERR_CARD_IO';
    default:
      return 'ERR_CARD_IO';
  }
}

export function toRpcError(e: unknown): ReturnType<typeof rpcError> {
  if (e instanceof AgentError) return rpcError(codeOfCardError(e), e.details);
  const code = codeOfCardError(e);
  if (e instanceof EmrtdError && e.step) return rpcError(code, { step: e.step.slice(0, 64) });
  return rpcError(code);
}
