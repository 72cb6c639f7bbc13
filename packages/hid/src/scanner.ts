/**
 * QrScanner: device reports → decoder → assembler → 'scan' / 'cccd' / 'mrz' events. Every wait is a timer that is
 * unref'd and cleared by close(); a partial scan is dropped after `idleTimeoutMs` without reports.
 * Errors carry no payload content (the events do: they are the product, not a log).
 */
import { EventEmitter } from 'node:events';
import { type CandidateKey, type CccdQr, candidateKeys, EmrtdError, MalformedData, parseCccdQr } from '@cccd/emrtd';
import { type AssembledScan, type AssemblerOptions, ScanAssembler } from './assembler.js';
import type { DecoderEvent, ReportDecoder, ScannerMode } from './decoder.js';
import type { HidDevice } from './device.js';
import { HidPosDecoder, type HidPosDecoderOptions } from './hid-pos.js';
import { KeyboardDecoder, type KeyboardDecoderOptions } from './keyboard.js';

export interface ScanEvent {
  text: string;
  kind: AssembledScan['kind'];
  mode: ScannerMode;
  /** AIM symbology identifier (']Q1' = QR code), when the HID-POS layout reports it. */
  aim?: string;
}

export interface CccdEvent<K> {
  payload: CccdQr;
  keys: K;
}

export interface MrzEvent {
  lines: string[];
  text: string;
}

export interface QrScannerOptions<K> extends AssemblerOptions {
  mode?: ScannerMode;
  /** A decoder of your own; overrides `mode`. */
  decoder?: ReportDecoder;
  keyboard?: KeyboardDecoderOptions;
  hidPos?: HidPosDecoderOptions;
  /** A partial scan (no Enter / no last report) is discarded after this long without reports. Default 500 ms. */
  idleTimeoutMs?: number;
  /** Treat an idle gap as the end of a scan, for wedge scanners configured without an Enter suffix. */
  idleEndsScan?: boolean;
  /** Access keys from a CCCD QR. Default: the core's candidateKeys (CAN, then BAC with the computed expiry). */
  deriveKeys?: (qrText: string, payload: CccdQr) => K;
  /** Clock for the assembler's windows; defaults to Date.now. */
  now?: () => number;
}

export interface QrScannerEvents<K> {
  scan: [ScanEvent];
  cccd: [CccdEvent<K>];
  mrz: [MrzEvent];
  error: [EmrtdError];
  close: [];
}

export class QrScanner<K = CandidateKey[]> extends EventEmitter<QrScannerEvents<K>> {
  readonly mode: ScannerMode;
  private readonly decoder: ReportDecoder;
  private readonly assembler: ScanAssembler;
  private readonly idleTimeoutMs: number;
  private readonly idleEndsScan: boolean;
  private readonly deriveKeys: (qrText: string, payload: CccdQr) => K;
  private readonly now: () => number;
  private line = '';
  private aim: string | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly device: HidDevice,
    options: QrScannerOptions<K> = {},
  ) {
    super();
    this.decoder =
      options.decoder ??
      (options.mode === 'hid-pos' ? new HidPosDecoder(options.hidPos) : new KeyboardDecoder(options.keyboard));
    this.mode = this.decoder.mode;
    this.assembler = new ScanAssembler(options);
    this.idleTimeoutMs = options.idleTimeoutMs ?? 500;
    this.idleEndsScan = options.idleEndsScan ?? false;
    this.deriveKeys =
      options.deriveKeys ??
      ((_, p) => candidateKeys({ idNumber: p.idNumber, dateOfBirth: p.dateOfBirth, dateOfIssue: p.dateOfIssue }) as K);
    this.now = options.now ?? (() => Date.now());
    device.on('data', (report) => this.onReport(report));
    device.on('error', (cause) =>
      this.fail(new EmrtdError('transport', 'HID scanner read failed', { cause, step: 'hid-read', retriable: true })),
    );
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Stops listening, clears every timer and closes the device. Idempotent; never rejects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    this.decoder.reset();
    this.assembler.reset();
    this.line = '';
    try {
      await this.device.close();
    } catch {
      // The device may already be gone (unplugged); closing is best effort.
    }
    this.emit('close');
  }

  private onReport(report: Uint8Array): void {
    if (this.closed) return;
    let events: DecoderEvent[];
    try {
      events = this.decoder.push(report);
    } catch (cause) {
      // Decoders do not throw by contract; a custom one might, and must not take the stream down.
      this.decoder.reset();
      this.fail(new EmrtdError('malformed-data', 'HID report could not be decoded', { cause, step: 'hid-decode' }));
      return;
    }
    for (const e of events) {
      if (e.type === 'chars') this.line += e.text;
      else this.endLine(e.aim);
    }
    this.armIdle();
  }

  private endLine(aim: string | undefined): void {
    const text = this.line;
    this.line = '';
    this.aim = aim;
    this.deliver(this.assembler.line(text, this.now()));
  }

  private deliver(scans: AssembledScan[]): void {
    for (const scan of scans) {
      if (this.closed) return;
      const event: ScanEvent = { text: scan.text, kind: scan.kind, mode: this.mode };
      if (this.aim !== undefined) event.aim = this.aim;
      this.emit('scan', event);
      if (scan.kind === 'mrz' && scan.lines) this.emit('mrz', { lines: scan.lines, text: scan.text });
      if (scan.kind === 'cccd') this.emitCccd(scan.text);
    }
    this.armFlush();
  }

  private emitCccd(text: string): void {
    let payload: CccdQr;
    let keys: K;
    try {
      payload = parseCccdQr(text);
      keys = this.deriveKeys(text, payload);
    } catch (cause) {
      const error =
        cause instanceof EmrtdError
          ? cause
          : new MalformedData({ step: 'qr-keys' }, 0, 'access keys could not be derived', { cause });
      this.fail(error);
      return;
    }
    this.emit('cccd', { payload, keys });
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.line === '' && !this.decoder.busy) return;
    this.idleTimer = setTimeout(() => this.onIdle(), this.idleTimeoutMs);
    this.idleTimer.unref?.();
  }

  private onIdle(): void {
    this.idleTimer = undefined;
    this.decoder.reset();
    if (this.idleEndsScan && this.line !== '') this.endLine(undefined);
    this.line = '';
  }

  private armFlush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const deadline = this.assembler.nextDeadline();
    if (deadline === undefined || this.closed) return;
    this.flushTimer = setTimeout(
      () => {
        this.flushTimer = undefined;
        this.deliver(this.assembler.flush(this.now()));
      },
      Math.max(0, deadline - this.now()),
    );
    this.flushTimer.unref?.();
  }

  private clearTimers(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.flushTimer);
    this.idleTimer = undefined;
    this.flushTimer = undefined;
  }

  /** 'error' is emitted only when someone listens: an unheard scanner error must not crash the process. */
  private fail(error: EmrtdError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
