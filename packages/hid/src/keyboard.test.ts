import { describe, expect, it } from 'vitest';
import type { DecoderEvent } from './decoder.js';
import { KeyboardDecoder, type KeyboardDecoderOptions } from './keyboard.js';
import { type KeyboardReportOptions, keyboardReportsFor, SAMPLE_CCCD_QR as QR } from './synthetic.js';

const r = (...bytes: number[]) => Uint8Array.from([...bytes, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8));

function run(reports: Uint8Array[], options?: KeyboardDecoderOptions): { lines: string[]; partial: string } {
  const d = new KeyboardDecoder(options);
  const lines: string[] = [];
  let partial = '';
  for (const e of reports.flatMap((x) => d.push(x)) as DecoderEvent[]) {
    if (e.type === 'chars') partial += e.text;
    else {
      lines.push(partial);
      partial = '';
    }
  }
  return { lines, partial };
}

const roundTrip = (text: string, gen?: KeyboardReportOptions, dec?: KeyboardDecoderOptions) =>
  run(keyboardReportsFor(text, gen), dec).lines;

describe('KeyboardDecoder', () => {
  it('decodes the node-hid#413 example: usage 0x25 is 8', () => {
    expect(run([r(0, 0, 0x25), r(0), r(0, 0, 0x28), r(0)]).lines).toEqual(['8']);
  });

  it('types a key once however long it is held, and again after key-up', () => {
    const a = r(0, 0, 0x04);
    expect(run([a, a, a, r(0), a, r(0), r(0, 0, 0x28)]).lines).toEqual(['aa']);
  });

  it('types keys pressed in one report in array order, skipping ones already down', () => {
    expect(run([r(0, 0, 0x04), r(0, 0, 0x04, 0x05, 0x06), r(0, 0, 0x28)]).lines).toEqual(['abc']);
  });

  it('applies either Shift to US-layout punctuation and letters', () => {
    expect(run([r(0x02, 0, 0x31), r(0), r(0x20, 0, 0x04), r(0), r(0x02, 0, 0x1f), r(0), r(0, 0, 0x58)]).lines).toEqual([
      '|A@',
    ]);
  });

  it('round-trips printable ASCII, with and without key-up reports between distinct keys', () => {
    const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
    expect(roundTrip(ascii)).toEqual([ascii]);
    expect(roundTrip('abcdef|123', { keyUp: false })).toEqual(['abcdef|123']);
  });

  it('round-trips a CCCD QR with Vietnamese letters as Alt+numpad codes', () => {
    expect(roundTrip(QR)).toEqual([QR]);
  });

  it('round-trips Alt + keypad + hex and Ctrl+Shift+U entry', () => {
    expect(roundTrip(QR, { unicode: 'alt-hex' })).toEqual([QR]);
    expect(roundTrip(QR, { unicode: 'ctrl-shift-u' })).toEqual([QR]);
    expect(roundTrip('😀 ok', { unicode: 'ctrl-shift-u' })).toEqual(['😀 ok']);
  });

  it('reads Alt codes the Windows way: 0NNN ANSI, NNN OEM 437, > 255 Unicode', () => {
    const alt = (digits: string) => [
      r(0x04),
      ...[...digits].flatMap((d) => [r(0x04, 0, d === '0' ? 0x62 : 0x58 + Number(d)), r(0x04)]),
      r(0),
      r(0, 0, 0x28),
    ];
    expect(run(alt('0233')).lines).toEqual(['é']);
    expect(run(alt('130')).lines).toEqual(['é']);
    expect(run(alt('0128')).lines).toEqual(['€']);
    expect(run(alt('0210'), { ansiCodePage: 'windows-1258' }).lines).toEqual(['\u0309']);
    expect(run(alt('7877')).lines).toEqual(['ễ']);
    expect(run(alt('233'), { altCodes: 'unicode' }).lines).toEqual(['é']);
  });

  it('drops Alt shortcuts and broken entries instead of typing them', () => {
    const altF = [r(0x04), r(0x04, 0, 0x09), r(0x04), r(0), r(0, 0, 0x04), r(0), r(0, 0, 0x28)];
    expect(run(altF).lines).toEqual(['a']);
    const surrogate = [
      r(0x04),
      ...[5, 5, 2, 9, 6].flatMap((d) => [r(0x04, 0, 0x58 + d), r(0x04)]),
      r(0),
      r(0, 0, 0x28),
    ];
    expect(run(surrogate).lines).toEqual(['']);
  });

  it('ignores ErrorRollOver, GUI and Ctrl chords, and reports of impossible sizes', () => {
    const reports = [
      r(0, 0, 0x01, 0x01, 0x01),
      r(0x08, 0, 0x04),
      r(0x01, 0, 0x06),
      r(0),
      new Uint8Array(2),
      new Uint8Array(65).fill(0x04),
      r(0, 0, 0x05),
      r(0, 0, 0x28),
    ];
    expect(run(reports).lines).toEqual(['b']);
  });

  it('strips a report ID: 9-byte reports by default, or the configured one', () => {
    const withId = (id: number, ...b: number[]) => Uint8Array.from([id, ...r(...b)]);
    expect(run([withId(1, 0, 0, 0x05), withId(1, 0), withId(1, 0, 0, 0x28)]).lines).toEqual(['b']);
    const seven = (id: number, k: number) => Uint8Array.of(id, 0, 0, k, 0, 0, 0);
    expect(run([seven(3, 0x05), seven(4, 0x06), seven(3, 0), seven(3, 0x28)], { reportId: 3 }).lines).toEqual(['b']);
  });

  it('is busy during an Alt code and idle again after reset()', () => {
    const d = new KeyboardDecoder();
    d.push(r(0x04));
    d.push(r(0x04, 0, 0x5a));
    expect(d.busy).toBe(true);
    d.reset();
    expect(d.busy).toBe(false);
    expect(d.push(r(0))).toEqual([]);
  });
});
