import { Cancelled, CardRemoved, Timeout } from '@cccd/emrtd';
import { fromHex, hex } from '@cccd/emrtd/codec';
import { describe, expect, it } from 'vitest';
import { SimulatedCard } from '../card/applet.js';
import { testImage } from '../card/testing/image.js';
import { InProcessTransport } from './in-process.js';

const SELECT_AID = fromHex('00A4040C07A0000002471001');

describe('InProcessTransport', () => {
  it('says whether the card takes extended length, never its buffer size (a reader cannot know it)', () => {
    expect(new InProcessTransport(new SimulatedCard(testImage())).capabilities).toEqual({
      extendedLength: false,
      maxCommandLength: 261,
      maxResponseLength: 258,
    });
    const extended = { extendedLength: true, maxCommandLength: 65545, maxResponseLength: 65538 };
    expect(new InProcessTransport(new SimulatedCard(testImage(), { extendedLength: 2048 })).capabilities).toEqual(
      extended,
    );
    const reader = { extendedLength: true, maxResponseLength: 1026 };
    expect(new InProcessTransport(new SimulatedCard(testImage()), reader).capabilities).toEqual(reader);
  });

  it('transmits, exposes the ATR, and fails with CardRemoved after tag loss until reconnect()', async () => {
    const card = new SimulatedCard(testImage(), { faults: ['tag-loss-after-apdus=1'] });
    const t = new InProcessTransport(card);
    expect(hex(t.atr()!).slice(0, 8)).toBe('3b858001');
    expect(hex(await t.transmit(SELECT_AID))).toBe('9000');
    await expect(t.transmit(SELECT_AID)).rejects.toBeInstanceOf(CardRemoved);
    await expect(t.transmit(SELECT_AID)).rejects.toBeInstanceOf(CardRemoved);
    expect(t.atr()).toBeUndefined();
    await t.reconnect();
    expect(hex(await t.transmit(fromHex('00A4020C020101')))).toBe('6a82'); // fresh card: nothing selected
  });

  it('notices a card pulled between exchanges', async () => {
    const card = new SimulatedCard(testImage());
    const t = new InProcessTransport(card);
    card.remove();
    await expect(t.transmit(SELECT_AID)).rejects.toMatchObject({ code: 'card-removed', retriable: true });
  });

  it('times out on a mute card and cancels on abort', async () => {
    const card = new SimulatedCard(testImage(), { faults: ['mute-after=0'], muteCapMs: 2000 });
    const t = new InProcessTransport(card);
    await expect(t.transmit(SELECT_AID, { timeoutMs: 30 })).rejects.toBeInstanceOf(Timeout);
    const ac = new AbortController();
    const p = t.transmit(SELECT_AID, { signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    await expect(p).rejects.toBeInstanceOf(Cancelled);
    ac.abort();
    await expect(t.transmit(SELECT_AID, { signal: ac.signal })).rejects.toBeInstanceOf(Cancelled);
    await t.reconnect(); // power cycle ends the mute spell
    expect(hex(await t.transmit(SELECT_AID, { timeoutMs: 1000 }))).toBe('9000');
  });

  it('reports a mute card that outlives its cap as a Timeout when no deadline was given', async () => {
    const card = new SimulatedCard(testImage(), { faults: ['mute-after=0'], muteCapMs: 20 });
    await expect(new InProcessTransport(card).transmit(SELECT_AID)).rejects.toBeInstanceOf(Timeout);
  });
});
