import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../apdu/command.js';
import { ScriptedTransport } from '../apdu/scripted-transport.js';
import { fromHex, hex } from '../codec/bytes.js';
import { CardRemoved } from '../errors.js';
import { SecureMessaging } from '../sm/secure-messaging.js';
import type { Transport } from '../transport.js';
import { commandName } from './commands.js';
import { commandShape, TracingTransport } from './trace.js';

const SECRET_DATA = 'C0FFEE0123456789ABCDEF';

const sm = () => new SecureMessaging('AES-128', new Uint8Array(16).fill(1), new Uint8Array(16).fill(2));

describe('TracingTransport', () => {
  it('records header, lengths, SW and time of every exchange, and no data byte', async () => {
    const inner = new ScriptedTransport(
      [
        ['00A4020C02011C', '9000'],
        ['00B0000008', `${SECRET_DATA}90009000`],
        ['00B00008DF', '6B00'],
      ],
      { extendedLength: false },
    );
    const t = new TracingTransport(inner);
    await t.transmit(fromHex('00A4020C02011C'));
    await t.transmit(fromHex('00B0000008'));
    await t.transmit(fromHex('00B00008DF'));
    expect(t.entries).toHaveLength(3);
    expect(t.entries[0]).toMatchObject({ index: 0, phase: 'read', cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, lc: 2 });
    expect(t.entries[0]).not.toHaveProperty('ne');
    expect(t.entries[1]).toMatchObject({ ins: 0xb0, lc: 0, ne: 8, le: 8, extended: false, sm: false });
    expect(t.entries[1]).toMatchObject({ responseBytes: 15, sw: 0x9000 });
    expect(t.entries[2]).toMatchObject({ ne: 0xdf, responseBytes: 2, sw: 0x6b00 });
    for (const e of t.entries) expect(e.ms).toBeGreaterThanOrEqual(0);
    const text = JSON.stringify(t.entries);
    expect(text).not.toMatch(/C0FFEE|c0ffee|011C|011c/);
    expect(Object.keys(t.entries[1]!).sort()).toEqual(
      [
        'cla',
        'commandBytes',
        'extended',
        'index',
        'ins',
        'lc',
        'le',
        'ms',
        'ne',
        'p1',
        'p2',
        'phase',
        'responseBytes',
        'sm',
        'sw',
      ].sort(),
    );
    expect(t.capabilities).toEqual({ extendedLength: false });
  });

  it("reads the Le of a secure-messaging command from DO'97' (short and extended)", () => {
    const short = commandShape(encodeCommand(sm().wrap({ cla: 0, ins: 0xb0, p1: 0x12, p2: 0x34, ne: 0xdf })));
    expect(short).toMatchObject({ cla: 0x0c, ins: 0xb0, p1: 0x12, p2: 0x34, sm: true, ne: 256, le: 0xdf });
    expect(short.extended).toBe(false);
    const ext = commandShape(encodeCommand(sm().wrap({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4096, extended: true })));
    expect(ext).toMatchObject({ sm: true, extended: true, ne: 65536, le: 4096 });
    const all = commandShape(encodeCommand(sm().wrap({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 65536 })));
    expect(all.le).toBe(65536);
    // A protected command with data (DO'87') and no Le: no le, the data length only as Lc.
    const select = commandShape(
      encodeCommand(sm().wrap({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: Uint8Array.of(1, 1) })),
    );
    expect(select.le).toBeUndefined();
    expect(select.lc).toBeGreaterThan(16);
  });

  it('keeps the header of a malformed command and never throws on it', () => {
    expect(commandShape(Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0x05, 0x01))).toMatchObject({
      ins: 0xb0,
      lc: 1,
      extended: false,
    });
    expect(commandShape(Uint8Array.of(0x00))).toMatchObject({ cla: 0, ins: 0, lc: 0 });
  });

  it('records a failed exchange with its error code and rethrows it', async () => {
    const inner: Transport = {
      transmit: async () => {
        throw new CardRemoved({ step: 'transmit' });
      },
    };
    const t = new TracingTransport(inner);
    await expect(t.transmit(fromHex('00B0000008'))).rejects.toBeInstanceOf(CardRemoved);
    expect(t.entries[0]).toMatchObject({ error: 'card-removed' });
    expect(t.entries[0]).not.toHaveProperty('sw');
  });

  it('offers reconnect only when the link has it, and counts reconnects', async () => {
    const plain = new TracingTransport({ transmit: async () => fromHex('9000') });
    expect(plain.reconnect).toBeUndefined();
    let calls = 0;
    const t = new TracingTransport({
      transmit: async () => fromHex('9000'),
      reconnect: async () => {
        calls++;
      },
      atr: () => fromHex('3B8080010101'),
    });
    await t.reconnect?.();
    expect([calls, t.reconnects]).toEqual([1, 1]);
    expect(hex(t.atr()!)).toBe('3b8080010101');
  });

  it('stops listing after maxEntries and counts the rest', async () => {
    const t = new TracingTransport({ transmit: async () => fromHex('9000') }, { maxEntries: 2 });
    for (let i = 0; i < 5; i++) await t.transmit(fromHex('00B0000001'));
    expect(t.entries.map((e) => e.index)).toEqual([0, 1]);
    expect(t.dropped).toBe(3);
  });

  it('names the eMRTD commands from their header', () => {
    const name = (ins: number, p1 = 0, p2 = 0) => commandName({ ins, p1, p2 });
    expect(name(0xa4, 0x04, 0x0c)).toBe('SELECT AID');
    expect(name(0xa4, 0x02, 0x0c)).toBe('SELECT EF');
    expect(name(0xb0, 0x81)).toBe('READ BINARY (SFI)');
    expect(name(0xb1)).toBe('READ BINARY (odd INS)');
    expect(name(0x22, 0xc1, 0xa4)).toBe('MSE:Set AT (PACE)');
    expect(name(0x22, 0x41, 0xa4)).toBe('MSE:Set AT (CA)');
    expect(name(0x22, 0x41, 0xa6)).toBe('MSE:Set KAT (CA)');
    expect(name(0x88)).toBe('INTERNAL AUTHENTICATE');
    expect(name(0x2a)).toBe('INS 2A');
  });
});
