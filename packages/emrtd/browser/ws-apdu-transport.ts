/**
 * Test code (runs in the page): a `Transport` that carries each command APDU over a browser WebSocket to the
 * simulated card served by apdu-server.ts. Not @cccd/relay (tickets, reconnect, hostile peers): the smallest link
 * that lets the core run a full read in a browser. One exchange at a time, as the core sends them. Frames:
 * apdu-frames.ts.
 */
import {
  Cancelled,
  CardRemoved,
  EmrtdError,
  Timeout,
  type TransmitOptions,
  type Transport,
  type TransportCapabilities,
} from '@cccd/emrtd';
import { EXCHANGE_TIMEOUT_MS, MAX_FRAME, REPLY } from './apdu-frames.js';

interface Pending {
  resolve: (bytes: Uint8Array) => void;
  reject: (error: Error) => void;
}

export class WebSocketApduTransport implements Transport {
  /** Milliseconds spent awaiting the far side's replies (the reader's own CPU time is the rest of the read). */
  waitingMs = 0;
  exchanges = 0;
  private pending: Pending | undefined;

  private constructor(
    private readonly socket: WebSocket,
    readonly capabilities: TransportCapabilities,
  ) {
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (event) => this.onFrame(event.data));
    socket.addEventListener('close', () => this.fail(new CardRemoved({ step: 'transmit' })));
  }

  /**
   * Opens the socket, within `timeoutMs`. `WebSocket` is the page's own; tests in Node pass `ws`'s, which has the
   * same event interface.
   */
  static connect(
    url: string,
    capabilities: TransportCapabilities,
    options: { timeoutMs?: number; WebSocket?: new (url: string) => WebSocket } = {},
  ): Promise<WebSocketApduTransport> {
    const { timeoutMs = EXCHANGE_TIMEOUT_MS, WebSocket: Socket = globalThis.WebSocket } = options;
    const socket = new Socket(url);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.close();
        reject(new Timeout('connect', timeoutMs));
      }, timeoutMs);
      socket.addEventListener('open', () => {
        clearTimeout(timer);
        resolve(new WebSocketApduTransport(socket, capabilities));
      });
      socket.addEventListener('error', () => {
        clearTimeout(timer);
        reject(new EmrtdError('transport', 'the APDU socket did not open', { step: 'connect' }));
      });
    });
  }

  transmit(command: Uint8Array, options: TransmitOptions = {}): Promise<Uint8Array> {
    const { signal, timeoutMs = EXCHANGE_TIMEOUT_MS } = options;
    if (signal?.aborted) return Promise.reject(new Cancelled('transmit'));
    if (this.pending)
      return Promise.reject(new EmrtdError('transport', 'one exchange at a time', { step: 'transmit' }));
    if (this.socket.readyState !== this.socket.OPEN) return Promise.reject(new CardRemoved({ step: 'transmit' }));
    const started = performance.now();
    return new Promise<Uint8Array>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending = undefined;
        this.waitingMs += performance.now() - started;
        this.exchanges++;
      };
      // A reply may still come for an abandoned exchange; frames carry no sequence number, so the link closes
      // rather than hand that reply to the next command (the read then sees the card as gone).
      const abandon = (error: Error) => {
        done();
        this.socket.close();
        reject(error);
      };
      const onAbort = () => abandon(new Cancelled('transmit'));
      const timer = setTimeout(() => abandon(new Timeout('transmit', timeoutMs)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending = {
        resolve: (bytes) => {
          done();
          resolve(bytes);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      this.socket.send(command);
    });
  }

  close(): void {
    this.socket.close();
  }

  private onFrame(data: unknown): void {
    const pending = this.pending;
    if (!pending) return; // the link is closing after an abandoned exchange, or the peer spoke out of turn
    if (!(data instanceof ArrayBuffer) || data.byteLength < 1 || data.byteLength > MAX_FRAME) {
      pending.reject(new EmrtdError('transport', 'malformed reply frame', { step: 'transmit' }));
      return;
    }
    const frame = new Uint8Array(data);
    const payload = frame.slice(1);
    if (frame[0] === REPLY.response && payload.length >= 2) pending.resolve(payload);
    else if (frame[0] === REPLY.removed) pending.reject(new CardRemoved({ step: 'transmit' }));
    else if (frame[0] === REPLY.timeout) pending.reject(new Timeout('transmit', EXCHANGE_TIMEOUT_MS));
    else pending.reject(new EmrtdError('transport', 'the card side failed', { step: 'transmit' }));
  }

  private fail(error: Error): void {
    this.pending?.reject(error);
  }
}
