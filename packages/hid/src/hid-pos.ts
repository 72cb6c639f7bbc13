/**
 * HID-POS decoding (HID Point of Sale Usage Tables, usage page 0x8C, "Barcode Scanner"). Scanners put a decoded
 * barcode into fixed 64-byte input reports: a length byte, up to 56 data bytes and a "more data" bit; a longer
 * barcode spans several reports. Offsets below count the report ID as byte 0, as the vendor manuals do.
 *   'aim'   Honeywell / Access-IS: [2][len][AIM ']','Q','1'][56 data]…[61 symbology][62 reserved][63 bit0 more]
 *           `len` counts the data bytes only (Access-IS LSR116/ATR110 product manuals, appendix "HID reports").
 *   'plain' generic engines (e.g. QR-302): [2][len][56 data][58-61 reserved][62 symbology][63 bit0 more]
 * Bytes are collected over the whole barcode before UTF-8 decoding, because a report may end inside a character.
 */
import type { DecoderEvent, ReportDecoder } from './decoder.js';

export interface HidPosLayout {
  /** Report ID of the scanned-data input report, or null when the device has no numbered reports. */
  reportId: number | null;
  lengthOffset: number;
  /** Where the three AIM symbology identifier bytes (']' + code + modifier) sit, when the layout carries them. */
  aimOffset?: number;
  dataOffset: number;
  maxData: number;
  moreDataOffset: number;
  moreDataMask: number;
}

export type HidPosLayoutName = 'aim' | 'plain';

export const HID_POS_LAYOUTS: Readonly<Record<HidPosLayoutName, Readonly<HidPosLayout>>> = {
  aim: {
    reportId: 0x02,
    lengthOffset: 1,
    aimOffset: 2,
    dataOffset: 5,
    maxData: 56,
    moreDataOffset: 63,
    moreDataMask: 1,
  },
  plain: { reportId: 0x02, lengthOffset: 1, dataOffset: 2, maxData: 56, moreDataOffset: 63, moreDataMask: 1 },
};

export const resolveLayout = (layout: HidPosLayoutName | HidPosLayout = 'aim'): HidPosLayout =>
  typeof layout === 'string' ? HID_POS_LAYOUTS[layout] : layout;

export interface HidPosDecoderOptions {
  layout?: HidPosLayoutName | HidPosLayout;
  /** Bound on one barcode; beyond it the barcode is dropped. Default 8 KiB (a QR holds at most 2953 bytes). */
  maxBytes?: number;
}

export class HidPosDecoder implements ReportDecoder {
  readonly mode = 'hid-pos' as const;
  private readonly layout: HidPosLayout;
  private readonly maxBytes: number;
  private chunks: Uint8Array[] = [];
  private size = 0;
  private aim: string | undefined;
  /** Swallowing the rest of a barcode that was dropped. */
  private discarding = false;

  constructor(options: HidPosDecoderOptions = {}) {
    this.layout = resolveLayout(options.layout);
    this.maxBytes = options.maxBytes ?? 8192;
  }

  get busy(): boolean {
    return this.chunks.length > 0 || this.discarding;
  }

  reset(): void {
    this.chunks = [];
    this.size = 0;
    this.aim = undefined;
    this.discarding = false;
  }

  push(report: Uint8Array): DecoderEvent[] {
    if (!(report instanceof Uint8Array)) return [];
    const l = this.layout;
    // Without a report ID on the wire every documented offset moves one byte left.
    const shift = l.reportId === null ? -1 : 0;
    if (l.reportId !== null && report[0] !== l.reportId) return [];
    const at = (offset: number) => report[offset + shift];
    const length = at(l.lengthOffset);
    const flags = at(l.moreDataOffset);
    const start = l.dataOffset + shift;
    const more = flags !== undefined && (flags & l.moreDataMask) !== 0;
    const valid = length !== undefined && length <= l.maxData && start + length <= report.length;
    // A report that contradicts its own layout, or a barcode beyond the bound, poisons the whole barcode.
    if (this.discarding || !valid || flags === undefined || this.size + length > this.maxBytes) {
      this.reset();
      this.discarding = more;
      return [];
    }
    if (this.chunks.length === 0 && l.aimOffset !== undefined) this.aim = aimOf(report, l.aimOffset + shift);
    this.chunks.push(report.slice(start, start + length));
    this.size += length;
    return more ? [] : this.finish();
  }

  private finish(): DecoderEvent[] {
    const bytes = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    const aim = this.aim;
    this.reset();
    if (bytes.length === 0) return [];
    const text = new TextDecoder('utf-8').decode(bytes);
    const end: DecoderEvent = aim === undefined ? { type: 'end' } : { type: 'end', aim };
    return [{ type: 'chars', text }, end];
  }
}

function aimOf(report: Uint8Array, offset: number): string | undefined {
  const b = report.subarray(offset, offset + 3);
  if (b.length !== 3 || b[0] !== 0x5d || b.some((x) => x < 0x20 || x > 0x7e)) return undefined;
  return String.fromCharCode(...b);
}
