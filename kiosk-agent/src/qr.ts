/**
 * HID QR scanners as an access-key source: read.start {accessKey:{fromQrScanner:true}} waits for the next CCCD QR
 * scan and turns it into candidate keys (CAN = last 6 digits of the ID first, then BAC with the computed expiry).
 * A scan nobody waits for is dropped at once: the agent never keeps QR contents (name, address) around.
 */
import { Cancelled, type CandidateKey, candidateKeys } from '@cccd/emrtd';
import type { HidDevice, QrScanner, ScannerMode } from '@cccd/hid';
import { AgentError } from './errors.js';
import type { Logger } from './log.js';

/** An already-open scanner device and how it encodes scans (embedding, tests). */
export interface QrDeviceInput {
  device: HidDevice;
  mode?: ScannerMode;
}

interface ScanWaiter {
  resolve(keys: CandidateKey[]): void;
  reject(error: Error): void;
}

export class QrKeySource {
  private readonly scanners: QrScanner<CandidateKey[]>[] = [];
  private readonly waiters: ScanWaiter[] = [];

  constructor(private readonly log: Logger) {}

  get count(): number {
    return this.scanners.length;
  }

  /** Opens every scanner found (or the given devices, e.g. in tests). Missing node-hid or devices: zero scanners. */
  async start(devices?: QrDeviceInput[]): Promise<void> {
    const hid = await import('@cccd/hid');
    const options = {
      deriveKeys: (_text: string, p: { idNumber: string; dateOfBirth: string; dateOfIssue: string | null }) =>
        candidateKeys({ idNumber: p.idNumber, dateOfBirth: p.dateOfBirth, dateOfIssue: p.dateOfIssue }),
    };
    if (devices) {
      for (const d of devices)
        this.add(new hid.QrScanner<CandidateKey[]>(d.device, { ...options, mode: d.mode ?? 'hid-pos' }));
      return;
    }
    try {
      for (const info of await hid.listScanners()) this.add(await hid.openQrScanner<CandidateKey[]>(info, options));
    } catch (e) {
      this.log.warn({ event: 'qr-scanner-unavailable', errorName: (e as Error).name }, 'QR scanner unavailable');
    }
  }

  private add(scanner: QrScanner<CandidateKey[]>): void {
    this.scanners.push(scanner);
    scanner.on('cccd', ({ keys }) => {
      const waiter = this.waiters.shift();
      this.log.info({ event: 'qr-scan', status: waiter ? 'used' : 'dropped' }, 'QR scan');
      waiter?.resolve(keys);
    });
    scanner.on('error', (e) => this.log.warn({ event: 'qr-error', errorCode: e.code }, 'QR scanner error'));
  }

  /** The keys of the next CCCD QR scan; bounded by timeoutMs (ERR_CARD_TIMEOUT) and the signal (Cancelled). */
  waitForScan(signal: AbortSignal, timeoutMs: number): Promise<CandidateKey[]> {
    if (this.scanners.length === 0)
      return Promise.reject(new AgentError('ERR_ACCESS_KEY_REQUIRED', 'no QR scanner', { reason: 'no-scanner' }));
    if (signal.aborted) return Promise.reject(new Cancelled('wait for QR scan'));
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const waiter: ScanWaiter = {
        resolve: (keys) => {
          finish();
          resolve(keys);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      const onAbort = () => waiter.reject(new Cancelled('wait for QR scan'));
      const timer = setTimeout(
        () => waiter.reject(new AgentError('ERR_CARD_TIMEOUT', 'no QR scan', { stage: 'waiting-qr' })),
        timeoutMs,
      );
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    for (const w of [...this.waiters]) w.reject(new Cancelled('wait for QR scan'));
    await Promise.allSettled(this.scanners.map((s) => s.close()));
  }
}
