import { fromHex, hex } from '@cccd/emrtd/codec';
import { describe, expect, it } from 'vitest';
import { SimulatedCard } from './applet.js';
import { FAULTS, parseFault, parseFileName } from './faults.js';
import { testImage } from './testing/image.js';
import { appendixDSession } from './testing/sessions.js';

const H = (s: string) => fromHex(s);
const X = (b: Uint8Array) => hex(b).toUpperCase();
const EMPTY = new Uint8Array(0);
const SELECT_AID = H('00A4040C07A0000002471001');

describe('parseFault', () => {
  it('parses every documented fault', () => {
    expect(parseFault('tag-loss-after-apdus=12')).toEqual({ name: 'tag-loss-after-apdus', apdus: 12 });
    expect(parseFault('tag-loss-at-offset=DG2:0x1000')).toEqual({
      name: 'tag-loss-at-offset',
      fid: 0x0102,
      offset: 4096,
    });
    expect(parseFault('tag-loss-at-offset=EF.COM:4')).toEqual({ name: 'tag-loss-at-offset', fid: 0x011e, offset: 4 });
    expect(parseFault('sw=B0:6700')).toEqual({ name: 'sw', ins: 0xb0, sw: 0x6700 });
    expect(parseFault('sw=a4:6a82:2')).toEqual({ name: 'sw', ins: 0xa4, sw: 0x6a82, nth: 2 });
    expect(parseFault('corrupt-mac=3')).toEqual({ name: 'corrupt-mac', nth: 3 });
    expect(parseFault('wrong-ssc=1')).toEqual({ name: 'wrong-ssc', nth: 1 });
    expect(parseFault('truncate-response=2')).toEqual({ name: 'truncate-response', nth: 2 });
    expect(parseFault('latency-ms=250')).toEqual({ name: 'latency-ms', ms: 250 });
    expect(parseFault('tamper-file=DG13')).toEqual({ name: 'tamper-file', fid: 0x010d });
    expect(parseFault('tamper-file=DG13:10')).toEqual({ name: 'tamper-file', fid: 0x010d, offset: 10 });
    expect(parseFault('garbage-file=0102')).toEqual({ name: 'garbage-file', fid: 0x0102 });
    expect(parseFault('mute-after=0')).toEqual({ name: 'mute-after', apdus: 0 });
    const names = new Set(FAULTS.map((f) => f.name));
    expect(names.size).toBe(10);
    for (const f of FAULTS) expect(f.description.length).toBeGreaterThan(30);
  });

  it('rejects bad specs with an invalid-argument error naming the fault', () => {
    for (const bad of [
      'nope=1',
      'sw=B0',
      'sw=B0:67',
      'corrupt-mac=0',
      'corrupt-mac=x',
      'tamper-file=DG17',
      'latency',
    ]) {
      expect(() => parseFault(bad)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    }
    expect(parseFileName('CardAccess')).toBe(0x011c);
    expect(parseFileName('SOD')).toBe(0x011d);
  });
});

describe('fault injection', () => {
  it('tag-loss-after-apdus: no answer, a removed event, then a fresh card after powerOn', () => {
    const card = new SimulatedCard(testImage(), { faults: ['tag-loss-after-apdus=2'] });
    const events: string[] = [];
    card.on('removed', (why) => events.push(`removed:${why}`));
    card.on('inserted', () => events.push('inserted'));
    expect(X(card.process(SELECT_AID))).toBe('9000');
    expect(X(card.process(H('00A4020C02011E')))).toBe('9000');
    expect(card.process(H('00B0000004')).length).toBe(0);
    expect(card.isPresent).toBe(false);
    expect(card.process(SELECT_AID).length).toBe(0);
    card.powerOn();
    expect(events).toEqual(['removed:tag-loss-after-apdus', 'inserted']);
    expect(X(card.process(H('00A4020C020101')))).toBe('6A82'); // fresh: application not selected
    expect(X(card.process(SELECT_AID))).toBe('9000'); // fired once
  });

  it('tag-loss-at-offset: the read that reaches the offset is never answered', () => {
    const { card, sm } = appendixDSession({}, { faults: ['tag-loss-at-offset=DG2:1000'] });
    sm.unprotect(card.process(sm.protect(0, 0xa4, 2, 0x0c, H('0102'), 0)));
    for (let off = 0; off < 892; off += 223) {
      const r = sm.unprotect(card.process(sm.protect(0, 0xb0, off >> 8, off & 0xff, EMPTY, 223)));
      expect(r).toMatchObject({ sw: 0x9000, macOk: true });
    }
    expect(card.process(sm.protect(0, 0xb0, 892 >> 8, 892 & 0xff, EMPTY, 223)).length).toBe(0);
    expect(card.isPresent).toBe(false);
  });

  it('sw: answers the chosen status word, protected under SM, only the Nth time when asked', () => {
    const card = new SimulatedCard(testImage(), { faults: ['sw=A4:6A82:2'] });
    expect(X(card.process(SELECT_AID))).toBe('9000');
    expect(X(card.process(SELECT_AID))).toBe('6A82');
    expect(X(card.process(SELECT_AID))).toBe('9000');
    const { card: c2, sm } = appendixDSession({}, { faults: ['sw=B0:6282'] });
    sm.unprotect(c2.process(sm.protect(0, 0xa4, 2, 0x0c, H('011E'), 0)));
    expect(sm.unprotect(c2.process(sm.protect(0, 0xb0, 0, 0, EMPTY, 4)))).toMatchObject({ sw: 0x6282, macOk: true });
    const { card: c3, sm: sm3 } = appendixDSession({}, { faults: ['sw=A4:6988:2'] }); // the 1st SELECT is the set-up's
    expect(X(c3.process(sm3.protect(0, 0xa4, 2, 0x0c, H('011E'), 0)))).toBe('6988');
    expect(c3.secureMessagingActive).toBe(false);
  });

  it('corrupt-mac: the Nth protected response fails the MAC check, the next one is fine', () => {
    const { card, sm } = appendixDSession({}, { faults: ['corrupt-mac=1'] });
    expect(sm.unprotect(card.process(sm.protect(0, 0xa4, 2, 0x0c, H('011E'), 0))).macOk).toBe(false);
    expect(sm.unprotect(card.process(sm.protect(0, 0xb0, 0, 0, EMPTY, 4))).macOk).toBe(true);
  });

  it('wrong-ssc: from the Nth protected response on, the chip is one SSC ahead', () => {
    const { card, sm } = appendixDSession({}, { faults: ['wrong-ssc=2'] });
    expect(sm.unprotect(card.process(sm.protect(0, 0xa4, 2, 0x0c, H('011E'), 0))).macOk).toBe(true);
    expect(sm.unprotect(card.process(sm.protect(0, 0xb0, 0, 0, EMPTY, 4))).macOk).toBe(false);
    // The chip now expects SSC+1 on commands, so the terminal's next command fails its MAC check.
    expect(X(card.process(sm.protect(0, 0xb0, 0, 0, EMPTY, 4)))).toBe('6988');
  });

  it('truncate-response: the Nth response loses its second half', () => {
    const card = new SimulatedCard(testImage(), { faults: ['truncate-response=2'] });
    card.process(H('00A4020C02011C'));
    const r = card.process(H('00B0000010'));
    expect(r.length).toBe(9);
  });

  it('latency-ms: transmit resolves later and the modelled time grows', async () => {
    const card = new SimulatedCard(testImage(), { faults: ['latency-ms=30'] });
    const t0 = Date.now();
    expect(X(await card.transmit(SELECT_AID))).toBe('9000');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(card.stats.modelledMs).toBeGreaterThanOrEqual(30);
  });

  it('tamper-file and garbage-file change the served bytes, not the image given', () => {
    const image = testImage();
    const dg13 = image.files.get(0x010d)!;
    const tampered = new SimulatedCard(image, { faults: ['tamper-file=DG13:5'] });
    expect(tampered.image.files.get(0x010d)![5]).toBe(dg13[5]! ^ 1);
    expect(X(tampered.image.files.get(0x010d)!.subarray(6))).toBe(X(dg13.subarray(6)));
    const garbage = new SimulatedCard(image, { faults: ['garbage-file=DG13'] });
    expect(garbage.image.files.get(0x010d)!.length).toBe(dg13.length);
    expect(X(garbage.image.files.get(0x010d)!)).not.toBe(X(dg13));
    expect(X(image.files.get(0x010d)!)).toBe(X(dg13));
  });

  it('mute-after: transmit stays pending until the card is removed (bounded by the cap otherwise)', async () => {
    const card = new SimulatedCard(testImage(), { faults: ['mute-after=1'], muteCapMs: 5000 });
    expect(X(await card.transmit(SELECT_AID))).toBe('9000');
    let settled = false;
    const pending = card.exchange(SELECT_AID).then((r) => {
      settled = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    card.remove();
    expect(await pending).toEqual({ kind: 'removed' });
    card.powerOn();
    expect(X(await card.transmit(SELECT_AID))).toBe('9000');
    const capped = new SimulatedCard(testImage(), { faults: ['mute-after=0'], muteCapMs: 10 });
    expect(await capped.exchange(SELECT_AID)).toEqual({ kind: 'mute' });
  });
});
