/**
 * The JSON-RPC side of the client: request ids, the map of requests waiting for an answer, their timeouts and
 * cancellation, and the validation of what comes back. Every incoming frame is checked against the protocol's
 * schemas before anything acts on it; a frame that fails is reported by a structural reason, never its content.
 */
import { CccdAgentError, type ErrorCode } from './errors.js';
import {
  METHODS,
  type MethodName,
  type MethodParams,
  type MethodResult,
  NOTIFICATIONS,
  type NotificationName,
  type NotificationParams,
  type ReadStage,
  serverMessageSchema,
} from './protocol.js';

export interface ReadProgress {
  stage: ReadStage;
  percent: number;
}

/** What a request needs of the socket (a WebSocketLike fits). */
export interface RpcSocket {
  readonly readyState: number;
  send(data: string): void;
}

interface Pending {
  method: MethodName;
  resolve: (value: unknown) => void;
  reject: (error: CccdAgentError) => void;
  timer: ReturnType<typeof setTimeout>;
  onProgress?: (progress: ReadProgress) => void;
}

type Notification = { [N in NotificationName]: { name: N; params: NotificationParams<N> } }[NotificationName];
type Envelope = Exclude<ReturnType<typeof serverMessageSchema.parse>, { method: string }>;

/** One frame from the agent, validated: a notification with its params, a response, or why it was ignored. */
export type ServerFrame = { notification: Notification } | { response: Envelope } | { problem: string };

const OPEN = 1;

export function parseServerFrame(data: unknown, maxChars: number): ServerFrame {
  if (typeof data !== 'string') return { problem: 'binary frame' };
  if (data.length > maxChars) return { problem: 'frame too large' };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { problem: 'invalid JSON' };
  }
  const msg = serverMessageSchema.safeParse(json);
  if (!msg.success) return { problem: 'invalid JSON-RPC envelope' };
  const m = msg.data;
  if (!('method' in m)) return { response: m };
  if (!Object.hasOwn(NOTIFICATIONS, m.method)) return { problem: 'unknown notification' };
  const name = m.method as NotificationName;
  const params = NOTIFICATIONS[name].safeParse(m.params);
  if (!params.success) return { problem: `invalid ${name} params` };
  return { notification: { name, params: params.data } as Notification };
}

export class RpcChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly socket: () => RpcSocket | undefined,
    private readonly defaultTimeoutMs: number,
  ) {}

  /**
   * Sends one request. Params are validated locally first (ERR_INVALID_PARAMS without a round trip); the result
   * is validated against the method's schema (ERR_PROTOCOL otherwise).
   */
  request<M extends MethodName>(
    method: M,
    params: MethodParams<M>,
    options: { timeoutMs?: number; signal?: AbortSignal; onProgress?: (p: ReadProgress) => void } = {},
  ): Promise<MethodResult<M>> {
    const checked = METHODS[method].params.safeParse(params);
    if (!checked.success) {
      const field = checked.error.issues[0]?.path.join('.') ?? '';
      return Promise.reject(new CccdAgentError('ERR_INVALID_PARAMS', { details: { field: field.slice(0, 64) } }));
    }
    const ws = this.socket();
    if (!ws || ws.readyState !== OPEN) return Promise.reject(new CccdAgentError('ERR_CONNECTION_LOST'));
    const id = this.nextId++;
    return new Promise<MethodResult<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        cleanup();
        reject(new CccdAgentError('ERR_TIMEOUT'));
      }, options.timeoutMs ?? this.defaultTimeoutMs);
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        // Tell the agent, but do not wait for it: the caller asked to stop now.
        if (method === 'read.start' || method === 'admin.diagnose')
          this.request('read.cancel', { requestId: id }).catch(() => undefined);
        reject(new CccdAgentError('ERR_CANCELLED'));
      };
      const cleanup = () => options.signal?.removeEventListener('abort', onAbort);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const entry: Pending = {
        method,
        resolve: (v) => {
          cleanup();
          resolve(v as MethodResult<M>);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
        timer,
      };
      if (options.onProgress) entry.onProgress = options.onProgress;
      this.pending.set(id, entry);
      try {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params: checked.data }));
      } catch (e) {
        this.pending.delete(id);
        clearTimeout(timer);
        entry.reject(new CccdAgentError('ERR_CONNECTION_LOST', { cause: e }));
      }
    });
  }

  /** Settles the request a response answers; returns why the response was ignored, or undefined. */
  settle(m: Envelope): string | undefined {
    if (m.id === null || typeof m.id !== 'number') return 'response without a request';
    const p = this.pending.get(m.id);
    if (!p) return 'response to an unknown request';
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if ('error' in m) {
      p.reject(CccdAgentError.fromRpc(m.error));
      return undefined;
    }
    const result = METHODS[p.method].result.safeParse(m.result);
    if (!result.success) {
      p.reject(new CccdAgentError('ERR_PROTOCOL'));
      return `invalid ${p.method} result`;
    }
    p.resolve(result.data);
    return undefined;
  }

  /** Hands read.progress to the read it belongs to; returns why it was ignored, or undefined. */
  progress({ requestId, stage, percent }: NotificationParams<'read.progress'>): string | undefined {
    const p = typeof requestId === 'number' ? this.pending.get(requestId) : undefined;
    if (p?.method !== 'read.start') return 'progress for an unknown read';
    try {
      p.onProgress?.({ stage, percent });
    } catch {
      // the page's progress handler must not break the read
    }
    return undefined;
  }

  /** The socket is gone: every waiting request fails with `code`. */
  failAll(code: ErrorCode): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new CccdAgentError(code));
    }
  }
}
