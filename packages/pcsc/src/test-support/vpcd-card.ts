/**
 * TEST SUPPORT ONLY: a minimal virtual card speaking vpcd's socket protocol (vsmartcard ifd-vpcd): frames are a
 * 2-byte big-endian length + payload; a 1-byte payload is control (0 off, 1 on, 2 reset, 4 GET ATR), anything
 * longer is a C-APDU answered with an R-APDU. Connecting inserts the card, closing the socket removes it.
 * The simulator's VpcdBridge is the full implementation; this one only exercises @cccd/pcsc.
 */
import net from 'node:net';

/** Returns the R-APDU, or undefined to never answer (a mute card). May call card.remove() to pull the card. */
export type ApduHandler = (
  apdu: Uint8Array,
  card: VpcdTestCard,
) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

export const VPCD_PORTS = [35963, 35964] as const;
export const vpcdReaderName = (slot: 0 | 1) => `Virtual PCD 00 0${slot}`;

export interface VpcdTestCardOptions {
  slot?: 0 | 1;
  /** Default: 3B 80 80 01 01 (T=1, no historical bytes). */
  atr?: Uint8Array;
  handler: ApduHandler;
}

export class VpcdTestCard {
  readonly slot: 0 | 1;
  readonly atr: Uint8Array;
  /** Every C-APDU received, in order (tests assert GET RESPONSE and Le re-sends from it). */
  readonly received: Uint8Array[] = [];
  private handler: ApduHandler;
  private socket: net.Socket | undefined;
  private buffer = Buffer.alloc(0);
  private chain: Promise<void> = Promise.resolve();

  constructor(options: VpcdTestCardOptions) {
    this.slot = options.slot ?? 0;
    this.atr = options.atr ?? Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01);
    this.handler = options.handler;
  }

  get reader(): string {
    return vpcdReaderName(this.slot);
  }

  get inserted(): boolean {
    return this.socket !== undefined;
  }

  setHandler(handler: ApduHandler): void {
    this.handler = handler;
  }

  /** Connects to vpcd, retrying while it does not listen yet (pcscd starting), within `timeoutMs`. */
  async insert(timeoutMs = 5000): Promise<void> {
    if (this.socket) return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        this.socket = await this.connect(Math.max(1, deadline - Date.now()));
        return;
      } catch (error) {
        if (Date.now() + 50 >= deadline) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Pulls the card: vpcd sees the socket close. */
  remove(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.buffer = Buffer.alloc(0);
  }

  /**
   * Resolves once vpcd polls the card (its first GET ATR), not at TCP connect: vpcd serves one card per slot and
   * a second connection only sits in the listen backlog.
   */
  private connect(timeoutMs: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(VPCD_PORTS[this.slot], '127.0.0.1');
      let polled = false;
      const timer = setTimeout(
        () => fail(new Error(`vpcd slot ${this.slot} did not poll the card within ${timeoutMs} ms (slot taken?)`)),
        timeoutMs,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        if (this.socket === socket) this.socket = undefined;
        reject(error);
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        this.socket = socket;
        socket.on('close', () => this.dropped(socket));
        socket.on('data', (data) => {
          this.onData(socket, data);
          if (polled) return;
          polled = true;
          clearTimeout(timer);
          socket.off('error', fail);
          socket.on('error', () => this.dropped(socket));
          resolve(socket);
        });
      });
    });
  }

  private dropped(socket: net.Socket): void {
    if (this.socket === socket) this.remove();
  }

  private onData(socket: net.Socket, data: Buffer): void {
    if (socket !== this.socket) return;
    this.buffer = Buffer.concat([this.buffer, data]);
    while (this.buffer.length >= 2 && this.buffer.length >= 2 + this.buffer.readUInt16BE(0)) {
      const length = this.buffer.readUInt16BE(0);
      const message = new Uint8Array(this.buffer.subarray(2, 2 + length));
      this.buffer = this.buffer.subarray(2 + length);
      if (length === 1) {
        if (message[0] === 4) this.send(socket, this.atr);
        continue;
      }
      this.received.push(message);
      // vpcd sends one APDU at a time and waits; chaining keeps answers in order if the handler is async.
      this.chain = this.chain.then(async () => {
        const response = await this.handler(message, this);
        if (response !== undefined && socket === this.socket) this.send(socket, response);
      });
    }
  }

  private send(socket: net.Socket, payload: Uint8Array): void {
    const header = Buffer.alloc(2);
    header.writeUInt16BE(payload.length);
    socket.write(Buffer.concat([header, payload]));
  }
}
