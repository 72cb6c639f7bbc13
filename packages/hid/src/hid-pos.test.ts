import { describe, expect, it } from 'vitest';
import type { DecoderEvent } from './decoder.js';
import { HidPosDecoder, type HidPosDecoderOptions, type HidPosLayout } from './hid-pos.js';
import { type HidPosReportOptions, hidPosReportsFor, SAMPLE_CCCD_QR as QR } from './synthetic.js';

function decode(reports: Uint8Array[], options?: HidPosDecoderOptions): DecoderEvent[] {
  const d = new HidPosDecoder(options);
  return reports.flatMap((r) => d.push(r));
}

const scans = (events: DecoderEvent[]) => events.flatMap((e) => (e.type === 'chars' ? [e.text] : []));

describe('HidPosDecoder', () => {
  it('decodes the Access-IS manual example: length 56 + more-data, then length 4', () => {
    const first = new Uint8Array(64);
    first.set([0x02, 0x38, 0x5d, 0x51, 0x30]);
    const text1 = 'M1GATHERGOOD/MICHAEL YABCDEF LHRDURAK 3542 052Y003D23  ';
    first.set(new TextEncoder().encode(text1.padEnd(56, ' ')), 5);
    first[61] = 0x73;
    first[63] = 0x01;
    const second = new Uint8Array(64);
    second.set([0x02, 0x04, 0x5d, 0x51, 0x30, 0x20, 0x31, 0x30, 0x30]);
    second[61] = 0x73;
    expect(decode([first])).toEqual([]);
    const events = decode([first, second]);
    expect(events).toEqual([
      { type: 'chars', text: `${text1.padEnd(56, ' ')} 100` },
      { type: 'end', aim: ']Q0' },
    ]);
  });

  it('round-trips a Vietnamese CCCD QR split over reports, UTF-8 cut mid-character', () => {
    const reports = hidPosReportsFor(QR);
    expect(reports.length).toBeGreaterThan(2);
    const bytes = new TextEncoder().encode(QR);
    // The first report boundary falls inside a multi-byte character somewhere in this payload.
    expect([56, 112].some((n) => (bytes[n]! & 0xc0) === 0x80)).toBe(true);
    expect(decode(reports)).toEqual([
      { type: 'chars', text: QR },
      { type: 'end', aim: ']Q1' },
    ]);
  });

  it('reads the plain layout and devices without report IDs', () => {
    expect(scans(decode(hidPosReportsFor(QR, { layout: 'plain' }), { layout: 'plain' }))).toEqual([QR]);
    const noId: HidPosLayout = {
      reportId: null,
      lengthOffset: 1,
      dataOffset: 2,
      maxData: 62,
      moreDataOffset: 63,
      moreDataMask: 0x80,
    };
    const opts: HidPosReportOptions = { layout: noId };
    expect(scans(decode(hidPosReportsFor(QR, opts), { layout: noId }))).toEqual([QR]);
  });

  it('ignores other report IDs and drops a barcode whose report contradicts the layout', () => {
    const [a, b, c] = hidPosReportsFor('x'.repeat(150));
    const other = Uint8Array.from(a!);
    other[0] = 0x05;
    expect(scans(decode([other, a!, b!, c!]))).toEqual(['x'.repeat(150)]);
    const hostile = Uint8Array.from(b!);
    hostile[1] = 200;
    expect(decode([a!, hostile, c!])).toEqual([]);
    expect(scans(decode([a!, hostile, c!, a!, b!, c!]))).toEqual(['x'.repeat(150)]);
    expect(decode([new Uint8Array(3).fill(2), Uint8Array.of(2)])).toEqual([]);
  });

  it('bounds one barcode by maxBytes', () => {
    const reports = hidPosReportsFor('y'.repeat(300));
    expect(decode(reports, { maxBytes: 200 })).toEqual([]);
    expect(scans(decode(reports, { maxBytes: 300 }))).toEqual(['y'.repeat(300)]);
  });

  it('is busy between reports of one barcode', () => {
    const d = new HidPosDecoder();
    const [a] = hidPosReportsFor('z'.repeat(60));
    d.push(a!);
    expect(d.busy).toBe(true);
    d.reset();
    expect(d.busy).toBe(false);
  });
});
