import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../codec/bytes.js';
import {
  AccessDenied,
  Cancelled,
  CardError,
  EmrtdError,
  FileNotFound,
  SecureMessagingError,
  SecurityStatusNotSatisfied,
  Timeout,
} from '../errors.js';
import { fuzzRuns } from '../testing/fuzz-runs.js';
import type { Transport } from '../transport.js';
import { PlainChannel, transmitApdu } from './channel.js';
import { type CommandApdu, decodeCommand, encodeCommand } from './command.js';
import { parseResponse } from './response.js';
import { expectSw, swName } from './status.js';

const enc = (c: CommandApdu) => hex(encodeCommand(c)).toUpperCase();

describe('command APDU encoding', () => {
  it('encodes the four cases in short form', () => {
    expect(enc({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('011C') })).toBe('00A4020C02011C');
    expect(enc({ cla: 0, ins: 0x84, p1: 0, p2: 0, ne: 8 })).toBe('0084000008');
    expect(enc({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 256 })).toBe('00B0000000');
    expect(enc({ cla: 0, ins: 0x82, p1: 0, p2: 0, data: new Uint8Array(40), ne: 40 })).toBe(
      `00820000${'28'}${'00'.repeat(40)}28`,
    );
    expect(enc({ cla: 0x80, ins: 0xca, p1: 0, p2: 0 })).toBe('80CA0000');
  });

  it('encodes extended length when data or Ne need it, or when asked', () => {
    expect(enc({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4096 })).toBe('00B00000001000');
    expect(enc({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 65536 })).toBe('00B00000000000');
    expect(enc({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 16, extended: true })).toBe('00B00000000010');
    const big = encodeCommand({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data: new Uint8Array(300), ne: 256 });
    expect(hex(big.subarray(0, 7)).toUpperCase()).toBe('00D6000000012C');
    expect(hex(big.subarray(-2))).toBe('0100');
  });

  it('rejects out-of-range fields', () => {
    expect(() => encodeCommand({ cla: 256, ins: 0, p1: 0, p2: 0 })).toThrow(EmrtdError);
    expect(() => encodeCommand({ cla: 0, ins: 0, p1: 0, p2: 0, ne: 0 })).toThrow(EmrtdError);
    expect(() => encodeCommand({ cla: 0, ins: 0, p1: 0, p2: 0, ne: 65537 })).toThrow(EmrtdError);
  });

  it('round-trips through decodeCommand (property)', () => {
    const command = fc.record({
      cla: fc.integer({ min: 0, max: 255 }),
      ins: fc.integer({ min: 0, max: 255 }),
      p1: fc.integer({ min: 0, max: 255 }),
      p2: fc.integer({ min: 0, max: 255 }),
      data: fc.option(fc.uint8Array({ minLength: 1, maxLength: 600 }), { nil: undefined }),
      ne: fc.option(fc.integer({ min: 1, max: 65536 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(command, (c) => {
        const d = decodeCommand(encodeCommand(c));
        expect([d.cla, d.ins, d.p1, d.p2]).toEqual([c.cla, c.ins, c.p1, c.p2]);
        expect(d.data ? hex(d.data) : undefined).toBe(c.data ? hex(c.data) : undefined);
        expect(d.ne).toBe(c.ne);
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('decodeCommand throws only EmrtdError on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeCommand(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(EmrtdError);
        }
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});

describe('response APDU and status words', () => {
  it('parses data and SW, and names status words', () => {
    const r = parseResponse(fromHex('01029000'));
    expect(hex(r.data)).toBe('0102');
    expect(r.sw).toBe(0x9000);
    expect(() => parseResponse(fromHex('90'))).toThrow(EmrtdError);
    expect(swName(0x6a82)).toMatch(/not found/);
    expect(swName(0x63c2)).toMatch(/2 tries/);
    expect(swName(0x6c10)).toMatch(/16 bytes/);
  });

  it('takes data before an error or proprietary SW of a plain command for a cut answer (retriable), not a refusal', () => {
    const cut = (h: string) => () => parseResponse(fromHex(h), 'PACE', { plain: true });
    // A PACE key-agreement answer cut two bytes early: its payload ends in 91 46.
    expect(cut('7C438641049146')).toThrow(expect.objectContaining({ code: 'transport', retriable: true }));
    expect(cut('01026A82')).toThrow(expect.objectContaining({ code: 'transport', retriable: true }));
    expect(parseResponse(fromHex('6A82'), 'PACE', { plain: true }).sw).toBe(0x6a82);
    expect(parseResponse(fromHex('01026282'), 'READ', { plain: true }).sw).toBe(0x6282);
    // Under SM, a chip wraps its error in DO99 ‖ DO8E with the same outer SW: left to the SM layer.
    expect(parseResponse(fromHex('99026A828E0801020304050607086A82')).sw).toBe(0x6a82);
  });

  it('maps failures to typed errors naming the step', () => {
    const sw = (n: number) => ({ data: new Uint8Array(0), sw: n });
    expect(() => expectSw('SELECT DG11', sw(0x6a82), { file: 'DG11' })).toThrow(FileNotFound);
    expect(() => expectSw('SELECT DG3', sw(0x6982), { file: 'DG3' })).toThrow(SecurityStatusNotSatisfied);
    expect(() => expectSw('MUTUAL AUTHENTICATE', sw(0x6300), { auth: 'BAC' })).toThrow(AccessDenied);
    expect(() => expectSw('GA', sw(0x63c1), { auth: 'PACE' })).toThrow(AccessDenied);
    expect(() => expectSw('READ BINARY', sw(0x6988))).toThrow(SecureMessagingError);
    expect(() => expectSw('READ BINARY', sw(0x6987))).toThrow(SecureMessagingError);
    try {
      expectSw('SELECT MF', sw(0x6d00));
    } catch (e) {
      expect(e).toBeInstanceOf(CardError);
      expect((e as CardError).message).toBe('SELECT MF failed (SW 6D00)');
      expect((e as CardError).sw).toBe(0x6d00);
    }
    expect(expectSw('READ', sw(0x6282), { accept: [0x9000, 0x6282] }).sw).toBe(0x6282);
  });
});

describe('transmit with deadline and cancellation', () => {
  const silent: Transport = { transmit: () => new Promise(() => undefined) };

  it('times out a silent card', async () => {
    await expect(transmitApdu(silent, fromHex('00'), 'SELECT', { timeoutMs: 20 })).rejects.toBeInstanceOf(Timeout);
  });

  it('cancels on abort, before and during the exchange', async () => {
    const ac = new AbortController();
    const p = transmitApdu(silent, fromHex('00'), 'READ BINARY', { signal: ac.signal, timeoutMs: 5000 });
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(Cancelled);
    await expect(transmitApdu(silent, fromHex('00'), 'X', { signal: ac.signal })).rejects.toBeInstanceOf(Cancelled);
  });

  it('wraps foreign transport failures as retriable transport errors and swallows late rejections', async () => {
    const failing: Transport = { transmit: async () => Promise.reject(new Error('usb gone')) };
    const e = await transmitApdu(failing, fromHex('00'), 'SELECT').catch((x) => x);
    expect(e).toBeInstanceOf(EmrtdError);
    expect(e.code).toBe('transport');
    expect(e.retriable).toBe(true);
    const late: Transport = {
      transmit: () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 30)),
    };
    await expect(transmitApdu(late, fromHex('00'), 'X', { timeoutMs: 5 })).rejects.toBeInstanceOf(Timeout);
    await new Promise((r) => setTimeout(r, 40));
  });

  it('follows 61xx with GET RESPONSE and counts bytes', async () => {
    const replies = [fromHex('0102036102'), fromHex('04059000')];
    const seen: string[] = [];
    const t: Transport = {
      transmit: async (c) => {
        seen.push(hex(c));
        return replies.shift()!;
      },
    };
    const ch = new PlainChannel(t);
    const r = await ch.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 5 }, 'READ');
    expect(hex(r.data)).toBe('0102030405');
    expect(seen).toEqual(['00b0000005', '00c0000002']);
    expect(ch.stats).toEqual({ apdus: 2, bytesOut: 10, bytesIn: 9 });
  });
});
