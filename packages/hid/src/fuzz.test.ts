import { EventEmitter } from 'node:events';
import { fuzzRuns } from '@cccd/emrtd/testing';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ScanAssembler } from './assembler.js';
import type { DecoderEvent, ReportDecoder } from './decoder.js';
import { HidPosDecoder } from './hid-pos.js';
import { KeyboardDecoder } from './keyboard.js';
import { QrScanner } from './scanner.js';
import { hidPosReportsFor, keyboardReportsFor } from './synthetic.js';

const report = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 70 }),
  // Mostly-valid boot reports reach the deeper states (Alt entry, Unicode entry, held keys).
  fc
    .tuple(
      fc.constantFrom(0, 0x02, 0x04, 0x01, 0x03, 0x22),
      fc.array(fc.integer({ min: 0, max: 0x65 }), { maxLength: 6 }),
    )
    .map(([m, keys]) => Uint8Array.from([m, 0, ...keys, 0, 0, 0, 0, 0, 0].slice(0, 8))),
  fc
    .tuple(fc.integer({ min: 0, max: 70 }), fc.boolean(), fc.uint8Array({ minLength: 64, maxLength: 64 }))
    .map(([len, more, r]) => {
      r[0] = 2;
      r[1] = len;
      r[63] = more ? 1 : 0;
      return r;
    }),
);

function isTyped(e: DecoderEvent): boolean {
  if (e.type === 'chars') return typeof e.text === 'string' && e.text.length > 0 && !/[\ud800-\udfff]/u.test(e.text);
  return e.type === 'end' && (e.aim === undefined || /^\][\x20-\x7e]{2}$/.test(e.aim));
}

function checkDecoder(make: () => ReportDecoder, runs: number) {
  fc.assert(
    fc.property(fc.array(report, { maxLength: 40 }), (reports) => {
      const d = make();
      for (const r of reports) for (const e of d.push(r)) expect(isTyped(e)).toBe(true);
    }),
    { numRuns: fuzzRuns(runs) },
  );
}

const tricky = fc.constantFrom('\x07', '\t', '\x7f', '\x80', '\x9f', '\xa0', 'ÿ', 'Ā', 'ễ', 'Đ', '😀', '|', '~');
const text = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 4 }), tricky), { minLength: 1, maxLength: 30 })
  .map((parts) => parts.join(''))
  .filter((s) => s !== '' && !/[\0\r\n]/.test(s) && !/[\ud800-\udfff]/u.test(s));

const decodeAll = (d: ReportDecoder, reports: Uint8Array[]) =>
  reports
    .flatMap((r) => d.push(r))
    .map((e) => (e.type === 'chars' ? e.text : '\u241e'))
    .join('');

describe('decoder fuzz', () => {
  it('KeyboardDecoder: random reports never throw and yield only typed events', () => {
    checkDecoder(() => new KeyboardDecoder(), 10_000);
  });

  it('HidPosDecoder: random reports never throw and yield only typed events', () => {
    checkDecoder(() => new HidPosDecoder(), 5_000);
    checkDecoder(() => new HidPosDecoder({ layout: 'plain' }), 2_000);
  });

  it('round-trips any text through keyboard reports (all three Unicode entries) and HID-POS reports', () => {
    fc.assert(
      fc.property(
        text,
        fc.constantFrom('alt-decimal', 'alt-hex', 'ctrl-shift-u') as fc.Arbitrary<'alt-hex'>,
        (s, how) => {
          expect(decodeAll(new KeyboardDecoder(), keyboardReportsFor(s, { unicode: how }))).toBe(`${s}\u241e`);
          expect(decodeAll(new HidPosDecoder(), hidPosReportsFor(s))).toBe(`${s}\u241e`);
        },
      ),
      { numRuns: fuzzRuns(500) },
    );
  });

  it('ScanAssembler: random lines and times never throw', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('001090012345', '|a|b', '|c|d|e|f', 'A'.repeat(30)),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(line, fc.integer({ min: 0, max: 400 })), { maxLength: 30 }), (steps) => {
        const a = new ScanAssembler();
        let now = 0;
        for (const [l, dt] of steps) {
          now += dt;
          for (const s of [...a.flush(now), ...a.line(l, now)]) expect(['cccd', 'mrz', 'other']).toContain(s.kind);
        }
        const deadline = a.nextDeadline();
        if (deadline !== undefined) a.flush(deadline);
        expect(a.nextDeadline()).toBeUndefined();
      }),
      { numRuns: fuzzRuns(2_000) },
    );
  });

  it('QrScanner: random reports and gaps never throw, and close() leaves no timers', async () => {
    vi.useFakeTimers();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('keyboard', 'hid-pos') as fc.Arbitrary<'keyboard'>,
          fc.array(fc.tuple(report, fc.integer({ min: 0, max: 700 })), { maxLength: 30 }),
          async (mode, steps) => {
            const device = new EventEmitter() as EventEmitter & { close(): void };
            device.close = () => undefined;
            const scanner = new QrScanner(device, { mode });
            scanner.on('error', () => undefined);
            for (const [r, dt] of steps) {
              device.emit('data', r);
              vi.advanceTimersByTime(dt);
            }
            await scanner.close();
            expect(vi.getTimerCount()).toBe(0);
          },
        ),
        { numRuns: fuzzRuns(500, 10_000) },
      );
    } finally {
      vi.useRealTimers();
    }
  });
});
