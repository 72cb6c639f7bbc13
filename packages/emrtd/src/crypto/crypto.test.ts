import { describe, expect, it } from 'vitest';
import { fromHex, hex, utf8 } from '../codec/bytes.js';
import { checkDigit } from '../codec/check-digit.js';
import { APPENDIX_D as D } from '../testing/vectors.js';
import { aesCmac } from './aes.js';
import { adjustParity, retailMac, tdesCbc } from './des.js';
import { sha1 } from './hash.js';
import { KDF_ENC, KDF_MAC, KDF_PI, kdf } from './kdf.js';
import { pad, unpad } from './padding.js';

describe('crypto primitives', () => {
  it('ICAO 9303-11 Appendix D.2: BAC key derivation from the MRZ information', () => {
    const seed = sha1(utf8(D.mrzInformation)).slice(0, 16);
    expect(hex(seed).toUpperCase()).toBe(D.kSeed);
    expect(hex(kdf(seed, KDF_ENC, '3DES')).toUpperCase()).toBe(D.kEnc);
    expect(hex(kdf(seed, KDF_MAC, '3DES')).toUpperCase()).toBe(D.kMac);
  });

  it('ICAO 9303-11 Appendix D.3: E_IFD and M_IFD of the BAC example', () => {
    const kenc = fromHex(D.kEnc);
    const kmac = fromHex(D.kMac);
    const s = fromHex(D.rndIfd + D.rndIc + D.kIfd);
    const e = tdesCbc(kenc, new Uint8Array(8), s, true);
    expect(hex(e).toUpperCase()).toBe(D.eIfd);
    expect(hex(retailMac(kmac, pad(e))).toUpperCase()).toBe(D.mIfd);
  });

  it('Vietnamese BAC example of the reference notes (CCCD 9-digit document number, CAN key)', () => {
    const seed = sha1(utf8('090012345090081573008155')).slice(0, 16);
    expect(hex(seed)).toBe('207994bc542c27c74dd0c8f0e86b5626');
    expect(hex(kdf(seed, KDF_ENC, '3DES'))).toBe('c868ba405e7329d0d96d43891c64bf4f');
    expect(hex(kdf(seed, KDF_MAC, '3DES'))).toBe('4fab58102f23f2583b405bcdb36b6e94');
    expect(hex(kdf(utf8('012345'), KDF_PI, 'AES-128'))).toBe('5e5cd537047973c8f8bfdea168324ec0');
  });

  it('AES-CMAC matches RFC 4493 example 2', () => {
    const key = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
    expect(hex(aesCmac(key, fromHex('6bc1bee22e409f96e93d7e117393172a')))).toBe('070a16b46b4d4144f79bdd9dd04a287c');
  });

  it('pads and unpads, rejecting bad padding', () => {
    expect(hex(pad(fromHex('0102')))).toBe('0102800000000000');
    expect(hex(pad(new Uint8Array(8)))).toBe('00'.repeat(8) + '8000000000000000');
    expect(hex(unpad(fromHex('0102800000000000'))!)).toBe('0102');
    expect(unpad(fromHex('0102000000000000'))).toBeUndefined();
    expect(hex(adjustParity(fromHex('0000')))).toBe('0101');
  });

  it('computes MRZ check digits (ICAO 9303-3 examples)', () => {
    expect(checkDigit('L898902C<')).toBe(3);
    expect(checkDigit('690806')).toBe(1);
    expect(checkDigit('940623')).toBe(6);
    expect(checkDigit('090012345')).toBe(0);
  });
});
