/**
 * Test code: the script the page runs (bundled by esbuild for the browser with the SDK from its sources). It reads
 * the card behind the APDU socket with `readVerified` — PACE-CAN, CA, AA, PA — and hands back the summary and
 * timings, or the typed error (code, step, file, status word: never a value from the card).
 */
import { type CccdGroup, canKey, type EmrtdError, readVerified, TrustStore } from '@cccd/emrtd';
import { fromHex } from '@cccd/emrtd/codec';
import { type ReadSummary, summariseRead } from './summary.js';
import { WebSocketApduTransport } from './ws-apdu-transport.js';

export interface BrowserReadRequest {
  apduUrl: string;
  can: string;
  cscaHex: string;
  groups: CccdGroup[];
  /** What the link says about the card (from the simulated card: extended length or not). */
  extendedLength: boolean;
  /** false: timings only, no summary (a benchmark times readVerified, not the summary's hashing). */
  summary?: boolean;
}

export interface BrowserReadTiming {
  /** performance.now() around readVerified. */
  wallMs: number;
  /** Of which awaiting the card's replies over the socket. */
  waitingMs: number;
  exchanges: number;
}

export type BrowserReadOutcome =
  | { ok: true; summary?: ReadSummary; timing: BrowserReadTiming }
  | { ok: false; error: { name: string; code?: string; step?: string; file?: string; sw?: number; message: string } };

async function read(request: BrowserReadRequest): Promise<BrowserReadOutcome> {
  const trustStore = new TrustStore();
  trustStore.addCertificate(fromHex(request.cscaHex));
  const ext = request.extendedLength;
  const transport = await WebSocketApduTransport.connect(request.apduUrl, {
    extendedLength: ext,
    maxCommandLength: ext ? 4 + 3 + 65_535 + 3 : 4 + 1 + 255 + 1,
    maxResponseLength: ext ? 65_536 + 2 : 258,
  });
  try {
    const t0 = performance.now();
    const result = await readVerified(transport, canKey(request.can), { trustStore, groups: request.groups });
    const wallMs = performance.now() - t0;
    const timing = { wallMs, waitingMs: transport.waitingMs, exchanges: transport.exchanges };
    return request.summary === false ? { ok: true, timing } : { ok: true, summary: summariseRead(result), timing };
  } catch (e) {
    const err = e as Partial<EmrtdError> & Error;
    return {
      ok: false,
      error: { name: err.name, code: err.code, step: err.step, file: err.file, sw: err.sw, message: err.message },
    };
  } finally {
    transport.close();
  }
}

export interface BrowserReadApi {
  read(request: BrowserReadRequest): Promise<BrowserReadOutcome>;
}

(globalThis as unknown as { cccdBrowser: BrowserReadApi }).cccdBrowser = { read };
