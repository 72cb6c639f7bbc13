import { describe, expect, it } from 'vitest';
import { decodeCommand } from '../apdu/command.js';
import type { BacKeys } from '../bac/bac.js';
import { concat, equal, fromHex, u16, xor } from '../codec/bytes.js';
import { readTlv, readTlvs, tlv } from '../codec/tlv.js';
import { retailMac, tdesCbc } from '../crypto/des.js';
import { KDF_ENC, KDF_MAC, kdf } from '../crypto/kdf.js';
import { pad, unpad } from '../crypto/padding.js';
import { AccessDenied, Cancelled, CardRemoved, MalformedData } from '../errors.js';
import { bacKeysOf, keyFromCccd } from '../keys/access-key.js';
import { candidateKeys } from '../keys/cccd-qr.js';
import { FILES } from '../reader/files.js';
import { buildDg1, buildDg2, buildDg13, faceRecord, facialBlock, JPEG } from '../testing/lds-fixtures.js';
import type { TransmitOptions, Transport, TransportCapabilities } from '../transport.js';
import { readCccd } from './read.js';
import { openSession } from './session.js';

const ID = '001090012345';
const RIGHT = keyFromCccd(ID, '900815', '300815');
const WRONG = keyFromCccd(ID, '900815', '250815');

interface ChipOptions {
  files: Map<number, Uint8Array>;
  key?: BacKeys;
  /** Largest Ne the chip serves; larger reads get 6700. */
  maxLe?: number;
  capabilities?: TransportCapabilities;
  /** Drop the tag once when a read of `fid` reaches `offset`. */
  dropAt?: { fid: number; offset: number; times?: number };
}

/** A BAC-only chip with 3DES secure messaging, written here so the reader is tested without the simulator. */
class MockChip implements Transport {
  readonly capabilities?: TransportCapabilities;
  sm: { enc: Uint8Array; mac: Uint8Array; ssc: Uint8Array } | null = null;
  private rndIc = new Uint8Array(8);
  private ef: number | null = null;
  private removed = false;
  drops = 0;
  authentications = 0;
  readCommands: { ins: number; ne: number }[] = [];

  constructor(private readonly o: ChipOptions) {
    if (o.capabilities) this.capabilities = o.capabilities;
  }

  async reconnect(_options?: TransmitOptions) {
    this.removed = false;
    this.sm = null;
    this.ef = null;
  }

  async transmit(bytes: Uint8Array): Promise<Uint8Array> {
    if (this.removed) throw new CardRemoved();
    const c = decodeCommand(bytes);
    if (c.cla & 0x0c) return this.protectedCommand(c);
    const r = this.plain(c.ins, c.p1, c.p2, c.data ?? new Uint8Array(0), c.ne ?? 0);
    return concat(r.data, u16(r.sw));
  }

  private incSsc() {
    const s = this.sm!.ssc;
    for (let i = s.length - 1; i >= 0; i--) {
      s[i] = (s[i]! + 1) & 0xff;
      if (s[i] !== 0) break;
    }
  }

  private protectedCommand(c: ReturnType<typeof decodeCommand>): Uint8Array {
    const sm = this.sm;
    if (!sm) return fromHex('6987');
    this.incSsc();
    const dos = readTlvs(c.data!);
    const macDo = dos.find((d) => d.tag === 0x8e)!;
    const n = pad(concat(sm.ssc, pad(Uint8Array.of(c.cla, c.ins, c.p1, c.p2)), c.data!.subarray(0, macDo.offset)));
    if (!equal(retailMac(sm.mac, n), macDo.value)) {
      this.sm = null;
      return fromHex('6988');
    }
    let data = new Uint8Array(0);
    const enc = dos.find((d) => d.tag === 0x87 || d.tag === 0x85);
    if (enc)
      data = unpad(
        tdesCbc(sm.enc, new Uint8Array(8), enc.tag === 0x87 ? enc.value.subarray(1) : enc.value, false),
      )!.slice();
    const le = dos.find((d) => d.tag === 0x97)?.value;
    const ne = le ? (le.length === 1 ? le[0] || 256 : (le[0]! << 8) | le[1]! || 65536) : 0;
    const r = this.plain(c.ins, c.p1, c.p2, data, ne);
    if (this.removed) throw new CardRemoved();
    this.incSsc();
    const out: Uint8Array[] = [];
    if (r.data.length) out.push(tlv(0x87, Uint8Array.of(1), tdesCbc(sm.enc, new Uint8Array(8), pad(r.data), true)));
    out.push(tlv(0x99, u16(r.sw)));
    const mac = retailMac(sm.mac, pad(concat(sm.ssc, ...out)));
    return concat(...out, tlv(0x8e, mac), u16(r.sw));
  }

  private plain(ins: number, p1: number, p2: number, data: Uint8Array, ne: number): { data: Uint8Array; sw: number } {
    const none = new Uint8Array(0);
    if (ins === 0xa4) {
      if (p1 === 0x04) return { data: none, sw: 0x9000 };
      const fid = (data[0]! << 8) | data[1]!;
      if (!this.o.files.has(fid)) return { data: none, sw: 0x6a82 };
      this.ef = fid;
      return { data: none, sw: 0x9000 };
    }
    if (ins === 0x84) {
      this.rndIc = globalThis.crypto.getRandomValues(new Uint8Array(8));
      return { data: this.rndIc, sw: 0x9000 };
    }
    if (ins === 0x82) {
      const key = this.o.key ?? bacKeysOf(RIGHT);
      if (!equal(retailMac(key.kMac, pad(data.subarray(0, 32))), data.subarray(32))) return { data: none, sw: 0x6300 };
      const s = tdesCbc(key.kEnc, new Uint8Array(8), data.subarray(0, 32), false);
      const kIc = globalThis.crypto.getRandomValues(new Uint8Array(16));
      const r = tdesCbc(key.kEnc, new Uint8Array(8), concat(this.rndIc, s.subarray(0, 8), kIc), true);
      const seed = xor(s.subarray(16, 32), kIc);
      this.sm = {
        enc: kdf(seed, KDF_ENC, '3DES'),
        mac: kdf(seed, KDF_MAC, '3DES'),
        ssc: concat(this.rndIc.subarray(4), s.subarray(4, 8)),
      };
      this.authentications++;
      return { data: concat(r, retailMac(key.kMac, pad(r))), sw: 0x9000 };
    }
    if (ins === 0xb0 || ins === 0xb1) {
      if (this.ef === null) return { data: none, sw: 0x6986 };
      const file = this.o.files.get(this.ef)!;
      const offset =
        ins === 0xb1 ? Number.parseInt(Buffer.from(readTlv(data).value).toString('hex'), 16) : (p1 << 8) | p2;
      const want = ins === 0xb1 ? ne - 4 : ne;
      this.readCommands.push({ ins, ne });
      if (ne > (this.o.maxLe ?? 65536)) return { data: none, sw: 0x6700 };
      const drop = this.o.dropAt;
      if (drop && drop.fid === this.ef && offset >= drop.offset && this.drops < (drop.times ?? 1)) {
        this.drops++;
        this.removed = true;
        return { data: none, sw: 0x6f00 };
      }
      if (offset > file.length) return { data: none, sw: 0x6b00 };
      const chunk = file.subarray(offset, offset + want);
      return { data: ins === 0xb1 ? tlv(0x53, chunk) : chunk, sw: 0x9000 };
    }
    return { data: none, sw: 0x6d00 };
  }
}

const bigFile = (tag: number, n: number) => {
  const body = new Uint8Array(n).map((_, i) => (i * 7 + 3) & 0xff);
  return tlv(tag, body);
};

describe('openSession', () => {
  it('falls back to BAC when there is no EF.CardAccess and tries candidates in order', async () => {
    const chip = new MockChip({ files: new Map() });
    const s = await openSession(chip, [WRONG, RIGHT]);
    expect(s.access).toMatchObject({ protocol: 'BAC', keyKind: 'MRZ', attempts: 2, tried: ['BAC-MRZ', 'BAC-MRZ'] });
    expect(chip.authentications).toBe(1);
  });

  it('stops at maxAttempts and names the method, without key material', async () => {
    const chip = new MockChip({ files: new Map() });
    const e = await openSession(chip, [WRONG, WRONG, WRONG, RIGHT], { maxAttempts: 2 }).catch((x) => x);
    expect(e).toBeInstanceOf(AccessDenied);
    expect(e.method).toBe('BAC');
    expect(e.message).toMatch(/BAC-MRZ, BAC-MRZ/);
    expect(e.message).not.toMatch(/0900|9008|2508/);
  });

  it('skips CAN candidates when the chip offers no PACE, and uses QR-derived candidates', async () => {
    const chip = new MockChip({ files: new Map() });
    const candidates = candidateKeys({ idNumber: ID, dateOfBirth: '1990-08-15', dateOfIssue: '2014-01-10' });
    const s = await openSession(chip, candidates);
    expect(s.access.keyLabel).toMatch(/computed expiry/);
    expect(s.access.tried).toEqual(['BAC-MRZ']);
  });
  it('reads the real CCCD EF.CardAccess (PACEInfo third), and falls back to BAC when the chip refuses PACE itself', async () => {
    const cardAccess = fromHex(
      '3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d',
    );
    const chip = new MockChip({ files: new Map([[0x011c, cardAccess]]) });
    const s = await openSession(chip, RIGHT);
    expect(s.access.securityInfos?.paceInfos[0]?.parameterId).toBe(13);
    expect(s.access).toMatchObject({ protocol: 'BAC', attempts: 1, tried: ['PACE-MRZ', 'BAC-MRZ'] });
    const noBac = await openSession(new MockChip({ files: new Map([[0x011c, cardAccess]]) }), RIGHT, {
      allowBac: false,
    }).catch((x) => x);
    expect(noBac).toBeInstanceOf(AccessDenied);
  });
});

describe('adaptive file reader', () => {
  it('steps down on 6700 and remembers the block size for the next file', async () => {
    const files = new Map([
      [0x0102, bigFile(0x75, 3000)],
      [0x010d, bigFile(0x6d, 700)],
    ]);
    const chip = new MockChip({ files, maxLe: 0x80 });
    const s = await openSession(chip, RIGHT);
    const a = await s.readFile(FILES.DG2);
    expect(equal(a.bytes, files.get(0x0102)!)).toBe(true);
    expect(a.report.retries).toBeGreaterThan(0);
    expect(Math.max(...a.report.blockSizes)).toBeLessThanOrEqual(0x80);
    const b = await s.readFile(FILES.DG13);
    expect(equal(b.bytes, files.get(0x010d)!)).toBe(true);
    expect(b.report.retries).toBe(0);
  });

  it('reads a 16 KB DG2 in a quarter of the APDUs with extended length, and uses B1 above 32 KB', async () => {
    const dg2 = bigFile(0x75, 16 * 1024);
    const short = new MockChip({ files: new Map([[0x0102, dg2]]) });
    const rs = await (await openSession(short, RIGHT)).readFile(FILES.DG2);
    const ext = new MockChip({
      files: new Map([[0x0102, dg2]]),
      capabilities: { extendedLength: true, maxResponseLength: 65538 },
    });
    const re = await (await openSession(ext, RIGHT)).readFile(FILES.DG2);
    expect(equal(re.bytes, dg2)).toBe(true);
    expect(re.report.apdus * 4).toBeLessThanOrEqual(rs.report.apdus);
    const big = bigFile(0x75, 40_000);
    const chip = new MockChip({
      files: new Map([[0x0102, big]]),
      capabilities: { extendedLength: true, maxResponseLength: 4096 },
    });
    const rb = await (await openSession(chip, RIGHT)).readFile(FILES.DG2);
    expect(equal(rb.bytes, big)).toBe(true);
    expect(chip.readCommands.some((c) => c.ins === 0xb1)).toBe(true);
  });

  it('resumes after tag loss from the last good offset (reconnect + BAC again)', async () => {
    const dg2 = bigFile(0x75, 5000);
    const chip = new MockChip({ files: new Map([[0x0102, dg2]]), dropAt: { fid: 0x0102, offset: 2000, times: 2 } });
    const s = await openSession(chip, RIGHT);
    const progress: number[] = [];
    const r = await s.readFile(FILES.DG2, { onProgress: (p) => progress.push(p.bytes) });
    expect(equal(r.bytes, dg2)).toBe(true);
    expect(r.report.resumes).toBe(2);
    expect(chip.authentications).toBe(3);
    expect(progress.at(-1)).toBe(dg2.length);
    expect(progress.every((v, i) => i === 0 || v >= progress[i - 1]!)).toBe(true);
  });

  it('gives up after maxResumes', async () => {
    const chip = new MockChip({
      files: new Map([[0x0102, bigFile(0x75, 5000)]]),
      dropAt: { fid: 0x0102, offset: 1000, times: 99 },
    });
    const s = await openSession(chip, RIGHT);
    await expect(s.readFile(FILES.DG2, { maxResumes: 2 })).rejects.toBeInstanceOf(CardRemoved);
    expect(chip.drops).toBe(3);
  });

  it('refuses hostile lengths and honours cancellation', async () => {
    const hostile = concat(fromHex('7583FFFFFF'), new Uint8Array(20));
    const chip = new MockChip({
      files: new Map([
        [0x0102, hostile],
        [0x0101, bigFile(0x61, 90)],
      ]),
    });
    const s = await openSession(chip, RIGHT);
    const e = await s.readFile(FILES.DG2).catch((x) => x);
    expect(e).toBeInstanceOf(MalformedData);
    expect(e.message).toMatch(/cap/);
    const ac = new AbortController();
    ac.abort();
    await expect(s.readFile(FILES.DG1, { signal: ac.signal })).rejects.toBeInstanceOf(Cancelled);
  });
});

describe('readCccd', () => {
  it('reads DG1 + DG13 (and DG2 only when asked), reports missing files and the read report', async () => {
    const files = new Map([
      [0x0101, buildDg1()],
      [0x010d, buildDg13()],
      [0x0102, buildDg2([facialBlock([faceRecord(JPEG)])])],
    ]);
    const chip = new MockChip({ files });
    const r = await readCccd(chip, RIGHT);
    expect(r.document?.idNumber).toBe(ID);
    expect(r.document?.dateOfBirth).toBe('1990-08-15');
    expect(r.mrz?.documentNumber).toBe('090012345');
    expect(r.photo).toBeUndefined();
    expect(r.raw.DG2).toBeUndefined();
    expect(r.missing).toEqual([{ file: 'SOD', reason: 'not-found' }]);
    expect(r.report.files.map((f) => f.file)).toEqual(['DG1', 'DG13']);
    expect(r.access.protocol).toBe('BAC');
    const withPhoto = await readCccd(new MockChip({ files }), RIGHT, { groups: ['DG2'] });
    expect(withPhoto.photo?.mimeType).toBe('image/jpeg');
    expect(withPhoto.document).toBeUndefined();
  });
});
