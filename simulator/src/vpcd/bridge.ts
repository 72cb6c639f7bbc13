import { EventEmitter } from 'node:events';
import net from 'node:net';
import { EmrtdError } from '@cccd/emrtd';
import type { SimulatedCard } from '../card/applet.js';

/** vpcd control codes (vsmartcard src/vpcd/vpcd.h); a 1-byte frame is always control, APDUs are ≥ 4 bytes. */
export const VPCD_CTRL = { OFF: 0x00, ON: 0x01, RESET: 0x02, ATR: 0x04 } as const;

/** vpcd listens on 0x8C7B + slot (Debian /etc/reader.conf.d/vpcd): 35963 = "Virtual PCD 00 00", 35964 = "… 00 01". */
export const VPCD_DEFAULT_PORT = 35963;

export interface VpcdBridgeOptions {
  host?: string;
  port?: number;
  /** Bound for insert() to reach vpcd (ms, default 5000). */
  connectTimeoutMs?: number;
  /**
   * After a tag loss, or when vpcd drops the link (pcscd restarted), present the card again after this many ms
   * (a user re-tapping), retrying at that interval until it works or remove()/close() is called. Off by default.
   */
  reinsertAfterMs?: number;
  /** Protocol log (control frames and APDU lengths only; never APDU contents). */
  onLog?: (line: string) => void;
}

interface BridgeEvents {
  connected: [];
  disconnected: [reason: string];
}

/**
 * Connects a SimulatedCard to pcscd's vpcd driver, so it shows up as "Virtual PCD 00 0n". Framing: 2-byte
 * big-endian length + payload both ways. Also plays the reader's part for pseudo-APDUs (FF CA …), which vpcd
 * forwards to the card. Closing the socket is how a card leaves the reader: remove() and tag-loss faults do that.
 */
export class VpcdBridge extends EventEmitter<BridgeEvents> {
  private socket: net.Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private pumping = false;
  private reinsertTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly host: string;
  private readonly port: number;
  private readonly onRemoved = (reason: string) => this.dropLink(`tag lost (${reason})`, true);

  constructor(
    readonly card: SimulatedCard,
    private readonly options: VpcdBridgeOptions = {},
  ) {
    super();
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? VPCD_DEFAULT_PORT;
    card.on('removed', this.onRemoved);
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** Puts the card on the reader: a fresh card connects to vpcd. Rejects (EmrtdError 'transport') when unreachable. */
  insert(): Promise<void> {
    this.stopped = false;
    clearTimeout(this.reinsertTimer);
    if (this.socket) return Promise.resolve();
    this.card.powerOn();
    const timeoutMs = this.options.connectTimeoutMs ?? 5000;
    return new Promise<void>((resolve, reject) => {
      const sock = net.connect({ host: this.host, port: this.port });
      const fail = (why: string) => {
        clearTimeout(timer);
        sock.destroy();
        reject(new EmrtdError('transport', `vpcd at ${this.host}:${this.port}: ${why}`, { retriable: true }));
      };
      const timer = setTimeout(() => fail(`no connection within ${timeoutMs} ms`), timeoutMs);
      sock.once('error', (e: NodeJS.ErrnoException) => fail(e.code ?? 'connection failed'));
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        sock.setNoDelay(true);
        sock.on('error', (e: NodeJS.ErrnoException) => this.log(`socket error ${e.code ?? ''}`));
        sock.on('data', (chunk: Buffer) => {
          this.buffer = Buffer.concat([this.buffer, chunk]);
          void this.pump();
        });
        sock.on('close', () => {
          if (this.socket === sock) this.dropLink('vpcd closed the connection', true);
        });
        this.socket = sock;
        this.buffer = Buffer.alloc(0);
        this.log('connected');
        this.emit('connected');
        resolve();
      });
    });
  }

  /** Takes the card off the reader (socket closed = card removed for pcscd). Also stops any pending re-insert. */
  async remove(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reinsertTimer);
    const sock = this.socket;
    this.dropLink('removed', false);
    this.card.remove('removed from the reader');
    if (sock && !sock.destroyed) await new Promise<void>((r) => sock.once('close', () => r()));
  }

  /** Stops listening to the card as well (end of a test). */
  async close(): Promise<void> {
    await this.remove();
    this.card.off('removed', this.onRemoved);
  }

  private dropLink(reason: string, reinsert: boolean): void {
    const sock = this.socket;
    if (!sock) return;
    this.socket = undefined;
    this.buffer = Buffer.alloc(0);
    sock.destroy();
    this.log(`disconnected: ${reason}`);
    this.emit('disconnected', reason);
    if (reinsert) this.scheduleReinsert();
  }

  private scheduleReinsert(): void {
    const delay = this.options.reinsertAfterMs;
    if (delay === undefined || this.stopped) return;
    clearTimeout(this.reinsertTimer);
    this.reinsertTimer = setTimeout(() => {
      if (this.stopped) return;
      this.insert().catch((e: unknown) => {
        this.log(`re-insert failed: ${(e as Error).message}`);
        this.scheduleReinsert();
      });
    }, delay);
  }

  private log(line: string): void {
    this.options.onLog?.(`vpcd ${this.port}: ${line}`);
  }

  private send(sock: net.Socket, payload: Uint8Array): void {
    if (payload.length === 0 || sock.destroyed) return; // an empty reply would make vpcd eject the card
    const header = Buffer.alloc(2);
    header.writeUInt16BE(payload.length);
    sock.write(Buffer.concat([header, payload]));
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.socket && this.buffer.length >= 2) {
        const n = this.buffer.readUInt16BE(0);
        if (this.buffer.length < 2 + n) break;
        const frame = new Uint8Array(this.buffer.subarray(2, 2 + n));
        this.buffer = this.buffer.subarray(2 + n);
        await this.handleFrame(this.socket, frame);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async handleFrame(sock: net.Socket, frame: Uint8Array): Promise<void> {
    if (frame.length === 0) return;
    if (frame.length === 1) {
      this.control(sock, frame[0]!);
      return;
    }
    if (frame[0] === 0xff) {
      this.send(sock, readerPseudoApdu(this.card, frame));
      return;
    }
    this.log(`APDU ${frame.length} bytes`);
    const result = await this.card.exchange(frame);
    if (result.kind === 'response') {
      if (this.socket === sock) this.send(sock, result.bytes);
    } else if (result.kind === 'mute' && this.socket === sock) {
      // The card stayed silent past its cap; free pcscd's reader thread by leaving the reader.
      this.dropLink('card mute', false);
    }
  }

  private control(sock: net.Socket, code: number): void {
    switch (code) {
      case VPCD_CTRL.OFF:
        this.card.powerOff();
        break;
      case VPCD_CTRL.ON:
        this.card.powerOn();
        break;
      case VPCD_CTRL.RESET:
        // A contactless "reset" cycles the RF field: a new activation.
        this.card.powerOff();
        this.card.powerOn();
        break;
      case VPCD_CTRL.ATR:
        this.send(sock, this.card.atr());
        return;
      default:
        this.log(`unknown control byte ${code}`);
        return;
    }
    this.log(`control ${code}`);
  }
}

/**
 * The reader's own commands (PC/SC part 3 §3.2.2.1.3): FF CA 00 00 Le = UID, FF CA 01 00 Le = ATS historical
 * bytes. Le = 00 means "all"; a shorter Le gets 6Cxx with the right length.
 */
export function readerPseudoApdu(card: SimulatedCard, apdu: Uint8Array): Uint8Array {
  const reply = (data: Uint8Array, sw: number) => Uint8Array.of(...data, sw >> 8, sw & 0xff);
  if (apdu.length < 4) return reply(new Uint8Array(0), 0x6700);
  if (apdu[1] !== 0xca) return reply(new Uint8Array(0), 0x6d00);
  if (apdu[3] !== 0x00) return reply(new Uint8Array(0), 0x6a81);
  let data: Uint8Array;
  if (apdu[2] === 0x00) data = card.uid();
  else if (apdu[2] === 0x01) data = card.historicalBytes();
  else return reply(new Uint8Array(0), 0x6a81);
  const le = apdu.length >= 5 ? apdu[4]! : 0;
  if (le !== 0 && le < data.length) return reply(new Uint8Array(0), 0x6c00 | data.length);
  return reply(data, 0x9000);
}
