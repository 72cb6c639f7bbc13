import { fromHex } from '@cccd/emrtd/codec';
import { APPENDIX_D } from '@cccd/emrtd/testing';
import type { CardImage } from '../image.js';

/** EF.COM of ICAO 9303-11 Appendix D.4 (LDS 0106, Unicode 040000, DG1 DG2). */
export const APPENDIX_D_COM = fromHex(APPENDIX_D.efCom);
/**
 * EF.CardAccess of the CCCD (docs/reference/vn-cccd.md §3.2): TA, CA-ECDH-AES-128, PACE-ECDH-GM-AES-128 on
 * brainpoolP256r1.
 */
export const CCCD_CARD_ACCESS = fromHex(
  '3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d',
);

/** Deterministic filler bytes of a given length (a stand-in for DG2 and friends). */
export function filler(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A minimal CCCD-like image for tests (the real one comes from personalisation). */
export function testImage(overrides: Partial<CardImage> = {}): CardImage {
  return {
    files: new Map([
      [0x011c, CCCD_CARD_ACCESS],
      [0x011e, APPENDIX_D_COM],
      [0x0101, filler(95, 1)],
      [0x0102, filler(16_000, 2)],
      [0x010d, filler(400, 13)],
      [0x011d, filler(1800, 29)],
    ]),
    protectedFids: new Set([0x0103]),
    mrzInformation: APPENDIX_D.mrzInformation,
    can: '012345',
    pace: [{ keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-128', parameterId: 13 }],
    ...overrides,
  };
}
