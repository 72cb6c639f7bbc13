/** The relay's small pure parts: frame parsing, capability clamping, tickets, limits, client addresses, failure kinds. */
import { Cancelled, CardRemoved, EmrtdError, Timeout } from '@cccd/emrtd';
import { describe, expect, it } from 'vitest';
import { failureKind } from './card-side.js';
import { cardFrameSchema, helloSchema, MAX_FRAME_BYTES, parseFrame, verifierFrameSchema } from './protocol.js';
import { addressKey } from './verifier/address.js';
import { clampCapabilities } from './verifier/capabilities.js';
import { MAX_TIMER_MS, TicketBook } from './verifier/tickets.js';
import { RelayVerifier } from './verifier/verifier.js';

describe('frames', () => {
  it('parses the frames of the protocol and nothing else', () => {
    expect(parseFrame(cardFrameSchema, '{"t":"response","id":1,"apdu":"9000"}')).toEqual({
      t: 'response',
      id: 1,
      apdu: '9000',
    });
    for (const bad of [
      '{"t":"response","id":1,"apdu":"90"}', // no room for SW1 SW2
      '{"t":"response","id":1,"apdu":"9G00"}',
      '{"t":"response","id":1,"apdu":"900"}',
      '{"t":"response","id":1,"apdu":"9000","extra":1}',
      '{"t":"response","id":0,"apdu":"9000"}',
      '{"t":"response","id":1.5,"apdu":"9000"}',
      '{"t":"error","id":1,"kind":"exploded"}',
      '{"t":"reconnected","id":1,"atr":"' + '3b'.repeat(34) + '"}',
      'null',
      '[]',
      '',
    ])
      expect(parseFrame(cardFrameSchema, bad), bad).toBeUndefined();
    expect(parseFrame(cardFrameSchema, new Uint8Array([0x7b, 0x7d]))).toBeUndefined();
    expect(parseFrame(cardFrameSchema, ' '.repeat(MAX_FRAME_BYTES + 1))).toBeUndefined();
    expect(parseFrame(verifierFrameSchema, '{"t":"transmit","id":2,"apdu":"00a4","timeoutMs":0}')).toBeUndefined();
    expect(parseFrame(helloSchema, '{"t":"hello","v":1,"ticket":"x","can":"12345"}')).toBeUndefined();
  });
});

describe('capabilities the card side reports', () => {
  it('are clamped to ISO 7816-4 bounds; no extended length means short-APDU limits', () => {
    expect(clampCapabilities(undefined)).toEqual({
      extendedLength: false,
      maxCommandLength: 261,
      maxResponseLength: 258,
    });
    expect(clampCapabilities({ maxCommandLength: 70_000, maxResponseLength: 70_000 })).toEqual({
      extendedLength: false,
      maxCommandLength: 261,
      maxResponseLength: 258,
    });
    expect(clampCapabilities({ extendedLength: true, maxCommandLength: 0, maxResponseLength: 1_000 })).toEqual({
      extendedLength: true,
      maxCommandLength: 261,
      maxResponseLength: 1_000,
    });
  });
});

describe('tickets', () => {
  it('are 256-bit base64url strings, single use, refused after their lifetime', () => {
    let now = 1_000;
    const book = new TicketBook<string>(() => now);
    const a = book.issue(100, 'a');
    const b = book.issue(100, 'b');
    expect(a.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.ticket).not.toBe(b.ticket);
    expect(book.redeem(a.ticket)).toEqual({ ok: true, value: 'a' });
    expect(book.redeem(a.ticket)).toEqual({ ok: false, reason: 'reused' });
    expect(book.redeem('x'.repeat(43))).toEqual({ ok: false, reason: 'unknown' });
    now += 101;
    expect(book.redeem(b.ticket)).toEqual({ ok: false, reason: 'expired', value: 'b' });
    const c = book.issue(100, 'c');
    book.withdraw('c');
    expect(book.redeem(c.ticket)).toEqual({ ok: false, reason: 'expired' });
    expect(book.size).toBe(0);
  });

  it('an expired ticket presented again is still expired, not reused', () => {
    let now = 0;
    const book = new TicketBook<string>(() => now);
    const { ticket } = book.issue(100, 'a');
    now = 101;
    expect(book.redeem(ticket)).toMatchObject({ ok: false, reason: 'expired' });
    expect(book.redeem(ticket)).toEqual({ ok: false, reason: 'expired' });
  });

  it('forgets retired tickets after retainMs even when nothing is ever redeemed again (swept on issue)', () => {
    let now = 0;
    const book = new TicketBook<string>(() => now, 1_000);
    for (const v of ['a', 'b', 'c']) {
      book.issue(100, v);
      book.withdraw(v); // expired unused: retired, nothing redeemed
    }
    expect(book.retiredSize).toBe(3);
    now = 1_101;
    book.issue(100, 'd');
    expect(book.retiredSize).toBe(0);
    expect(book.size).toBe(1);
  });

  it('a lifetime a timer cannot hold is a typed error: (0, 2^31 - 1] ms', () => {
    const book = new TicketBook<string>();
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, MAX_TIMER_MS + 1])
      expect(() => book.issue(ttl, 'x'), String(ttl)).toThrow(
        expect.objectContaining({ code: 'invalid-argument', message: expect.stringContaining('ttlMs') }),
      );
    expect(book.issue(MAX_TIMER_MS, 'x').ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(book.size).toBe(1);
  });
});

describe('verifier limits', () => {
  it('a limit out of range is a typed error at construction, not a timer that fires at once', () => {
    for (const bad of [
      { helloTimeoutMs: 0 },
      { sessionTimeoutMs: MAX_TIMER_MS + 1 },
      { ticketTtlMs: Number.NaN },
      { maxPendingConnections: 0 },
      { maxPendingPerAddress: 1.5 },
    ])
      expect(() => new RelayVerifier(bad), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'invalid-argument', message: expect.stringContaining(Object.keys(bad)[0]!) }),
      );
    const verifier = new RelayVerifier({ helloTimeoutMs: 1, maxPendingPerAddress: 1 });
    expect(() => verifier.issueTicket({ ttlMs: 2 ** 31 })).toThrow(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
  });

  it('counts IPv4 clients one by one and IPv6 clients per /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});

it('local failures become kinds, never texts', () => {
  expect(failureKind(new CardRemoved())).toBe('tag-lost');
  expect(failureKind(new Timeout('x', 1))).toBe('timeout');
  expect(failureKind(new Cancelled())).toBe('cancelled');
  expect(failureKind(new EmrtdError('unsupported', 'x'))).toBe('unsupported');
  expect(failureKind(new Error('anything at all'))).toBe('transport');
});
