import { generateKeyPairSync } from 'node:crypto';
import { fromHex, hex } from '@cccd/emrtd/codec';
import { describe, expect, it } from 'vitest';
import { type CardOptions, SimulatedCard } from './applet.js';
import { filler, testImage } from './testing/image.js';
import { appendixDSession } from './testing/sessions.js';

const H = (s: string) => fromHex(s);
const X = (b: Uint8Array) => hex(b).toUpperCase();
const EMPTY = new Uint8Array(0);
const sw = (r: Uint8Array) => X(r.subarray(r.length - 2));

/** A card whose EF.CardAccess (readable in clear) is 5000 bytes, selected. */
function plainCard(options: CardOptions) {
  const files = new Map(testImage().files).set(0x011c, filler(5000, 4));
  const card = new SimulatedCard(testImage({ files }), options);
  expect(sw(card.process(H('00A4020C02011C')))).toBe('9000');
  return { card, file: files.get(0x011c)! };
}

/** Extended READ BINARY at offset 0 with this Ne (65536 = Le 0000). */
const readExtended = (ne: number) => Uint8Array.of(0x00, 0xb0, 0, 0, 0, (ne >> 8) & 0xff, ne & 0xff);

/** A BAC (3DES) session with DG2 (16 000 bytes) selected. */
function smCard(options: CardOptions) {
  const { card, sm } = appendixDSession({}, options);
  expect(sm.unprotect(card.process(sm.protect(0, 0xa4, 2, 0x0c, H('0102'), 0))).sw).toBe(0x9000);
  const read = (ne: number, extended = ne > 256) => {
    const raw = card.process(sm.protect(0, 0xb0, 0, 0, EMPTY, ne, extended));
    return { raw, ...sm.unprotect(raw) };
  };
  return { card, sm, read };
}

/**
 * Largest plain length whose 3DES-protected answer fits `cap`, computed independently of the card:
 * DO'87' (1 + length field + 01 + padded data) + DO'99' (4) + DO'8E' (10).
 */
function fits3des(cap: number): number {
  const size = (n: number) => {
    const body = (Math.floor(n / 8) + 1) * 8 + 1;
    return 1 + (body < 0x80 ? 1 : body < 0x100 ? 2 : 3) + body + 14;
  };
  let n = cap;
  while (size(n) > cap) n--;
  return n;
}

describe('chip option ne-cap, plain', () => {
  it('1024: an extended Ne up to 1024 is served, above it 6700, Le 0000 gets what fits', () => {
    const { card, file } = plainCard({ chip: ['ne-cap=1024'] });
    expect(card.extendedLength).toBe(true); // implied, and advertised to the link without the cap
    expect(card.limits.maxNe).toBe(65536);
    const full = card.process(readExtended(1024));
    expect([sw(full), X(full.subarray(0, -2))]).toEqual(['9000', X(file.subarray(0, 1024))]);
    expect(X(card.process(readExtended(1025)))).toBe('6700');
    const most = card.process(readExtended(65536));
    expect([sw(most), most.length - 2]).toEqual(['9000', 1024]);
  });

  it('2048:6a86 answers 6A86 above the cap', () => {
    const { card } = plainCard({ chip: ['ne-cap=2048:6a86'] });
    expect(sw(card.process(readExtended(2048)))).toBe('9000');
    expect(X(card.process(readExtended(2049)))).toBe('6A86');
  });

  it('4096:cut answers as many bytes as fit, with 9000: a short answer', () => {
    const { card, file } = plainCard({ chip: ['ne-cap=4096:cut'] });
    const r = card.process(readExtended(4500));
    expect([sw(r), X(r.subarray(0, -2))]).toEqual(['9000', X(file.subarray(0, 4096))]);
  });

  it('223:6cxx tells a short request the length that fits (6CDF); an explicit extended one gets 6700', () => {
    const { card } = plainCard({ chip: ['ne-cap=223:6cxx'], extendedLength: true });
    expect(X(card.process(H('00B0000000')))).toBe('6CDF');
    expect(card.process(H('00B00000DF')).length).toBe(223 + 2);
    expect(X(card.process(readExtended(300)))).toBe('6700');
  });

  it('223 on a short-only chip: Le 00 gets 6700, extended APDUs 6700', () => {
    const { card } = plainCard({ chip: ['ne-cap=223'] });
    expect(card.extendedLength).toBe(false);
    expect(X(card.process(H('00B0000000')))).toBe('6700');
    expect(sw(card.process(H('00B00000DF')))).toBe('9000');
    expect(X(card.process(readExtended(100)))).toBe('6700');
  });
});

describe('chip option ne-cap, under secure messaging: the protected answer must fit the buffer', () => {
  it('1024: the largest inner Ne is what fits once protected; Ne 1024 itself is refused', () => {
    const fit = fits3des(1024);
    expect(fit).toBe(999);
    const { read } = smCard({ chip: ['ne-cap=1024'] });
    const ok = read(fit);
    expect(ok).toMatchObject({ sw: 0x9000, macOk: true });
    expect(ok.data.length).toBe(fit);
    expect(ok.raw.length - 2).toBeLessThanOrEqual(1024);
    expect(read(fit + 1)).toMatchObject({ sw: 0x6700, macOk: true });
    expect(read(1024)).toMatchObject({ sw: 0x6700, macOk: true });
    const most = read(65536); // DO'97' = 0000: all available bytes that fit
    expect(most).toMatchObject({ sw: 0x9000, macOk: true });
    expect(most.data.length).toBe(fit);
  });

  it('2048:cut serves what fits with 9000', () => {
    const { read } = smCard({ chip: ['ne-cap=2048:cut'] });
    const r = read(4000);
    expect(r).toMatchObject({ sw: 0x9000, macOk: true });
    expect(r.data.length).toBe(fits3des(2048));
    expect(r.raw.length - 2).toBeLessThanOrEqual(2048);
  });

  it('223:6cxx answers a protected 6Cxx naming the inner Ne that fits', () => {
    const { read } = smCard({ chip: ['ne-cap=223:6cxx'] });
    const fit = fits3des(223);
    const r = read(0xdf);
    expect(r).toMatchObject({ sw: 0x6c00 | fit, macOk: true });
    expect(read(fit)).toMatchObject({ sw: 0x9000, macOk: true });
  });

  it('any other answer that cannot fit is 6700: a 128-byte AA signature on a 128-byte buffer', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const activeAuthentication = {
      type: 'RSA' as const,
      privateKeyDer: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
      publicKeyDer: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    };
    const authenticate = (chip: string[]) => {
      const { card, sm } = appendixDSession({ activeAuthentication }, { chip });
      return sm.unprotect(card.process(sm.protect(0, 0x88, 0, 0, H('0102030405060708'), 256)));
    };
    expect(authenticate([]).data.length).toBe(128);
    expect(authenticate(['ne-cap=128'])).toMatchObject({ sw: 0x6700, macOk: true, data: EMPTY });
    expect(authenticate(['ne-cap=160']).data.length).toBe(128); // 154 bytes once protected
  });
});

describe('chip option short-le00', () => {
  it('refused: plain Le 00 and DO97 00 answer 6700; 0xDF and an extended 256 are served', () => {
    const { card } = plainCard({ chip: ['short-le00=refused'], extendedLength: true });
    expect(X(card.process(H('00B0000000')))).toBe('6700');
    expect(sw(card.process(H('00B00000DF')))).toBe('9000');
    expect(card.process(readExtended(256)).length).toBe(258);
    const { read } = smCard({ chip: ['short-le00=refused'], extendedLength: true });
    expect(read(256, false)).toMatchObject({ sw: 0x6700, macOk: true });
    expect(read(0xdf)).toMatchObject({ sw: 0x9000, macOk: true });
    expect(read(256, true).data.length).toBe(256);
  });

  it('accepted (default): plain Le 00 reads 256 bytes', () => {
    const { card } = plainCard({});
    expect(card.process(H('00B0000000')).length).toBe(258);
  });
});

describe('chip option eof', () => {
  it('6282 (default), 9000 or 6B00 for a read that reaches past the end; 6B00 at or past the end always', () => {
    for (const [mode, expected] of [
      ['6282', '6282'],
      ['9000', '9000'],
    ] as const) {
      const { card, file } = plainCard({ chip: [`eof=${mode}`] });
      const r = card.process(H('00B0134064')); // offset 4928, Ne 100: 72 bytes left
      expect([sw(r), X(r.subarray(0, -2))]).toEqual([expected, X(file.subarray(4928))]);
      expect(X(card.process(H('00B0138801')))).toBe('6B00'); // offset 5000 = size
    }
    const { card } = plainCard({ chip: ['eof=6b00'] });
    expect(X(card.process(H('00B0134064')))).toBe('6B00');
    expect(sw(card.process(H('00B0134048')))).toBe('9000'); // exactly the 72 bytes left
  });

  it('applies under SM too (protected)', () => {
    const { card, sm } = appendixDSession({}, { chip: ['eof=9000'] });
    sm.unprotect(card.process(sm.protect(0, 0xa4, 2, 0x0c, H('011E'), 0)));
    const r = sm.unprotect(card.process(sm.protect(0, 0xb0, 0, 0x10, EMPTY, 100)));
    expect(r).toMatchObject({ sw: 0x9000, macOk: true });
    expect(r.data.length).toBe(6); // EF.COM is 22 bytes
    const strict = appendixDSession({}, { chip: ['eof=6b00'] });
    strict.sm.unprotect(strict.card.process(strict.sm.protect(0, 0xa4, 2, 0x0c, H('011E'), 0)));
    expect(strict.sm.unprotect(strict.card.process(strict.sm.protect(0, 0xb0, 0, 0x10, EMPTY, 100)))).toMatchObject({
      sw: 0x6b00,
      macOk: true,
      data: EMPTY,
    });
  });
});

describe('chip option sfi', () => {
  it('refused: READ BINARY by short EF identifier answers 6A86 (B0 and B1); by FID it works; ATR says so', () => {
    const card = new SimulatedCard(testImage(), { chip: ['sfi=refused'] });
    expect(X(card.process(H('00B09C0004')))).toBe('6A86'); // SFI 1C = EF.CardAccess
    expect(X(card.process(H('00B1001C03540100')))).toBe('6A86');
    expect(sw(card.process(H('00A4020C02011C')))).toBe('9000');
    expect(sw(card.process(H('00B0000004')))).toBe('9000');
    expect(card.historicalBytes()[2]).toBe(0x90);
    expect(new SimulatedCard(testImage()).historicalBytes()[2]).toBe(0x94);
  });

  it('refused:6981 under SM: protected 6981, the session stays', () => {
    const { card, sm } = appendixDSession({}, { chip: ['sfi=refused:6981'] });
    expect(sm.unprotect(card.process(sm.protect(0, 0xb0, 0x81, 0, EMPTY, 4)))).toMatchObject({
      sw: 0x6981,
      macOk: true,
    });
    expect(card.secureMessagingActive).toBe(true);
  });

  it('supported (default): SFI reads work', () => {
    const card = new SimulatedCard(testImage());
    expect(sw(card.process(H('00B09C0004')))).toBe('9000');
  });
});
