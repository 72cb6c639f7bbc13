import { constants, createPublicKey, generateKeyPairSync, publicDecrypt } from 'node:crypto';
import { concat, digest, fromHex, type HashName, hex } from '@cccd/emrtd/codec';
import { brainpoolP256r1 } from '@noble/curves/misc.js';
import { p384 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import type { ActiveAuthenticationKey } from '../image.js';
import { appendixDSession } from '../testing/sessions.js';

const X = (b: Uint8Array) => hex(b).toUpperCase();
const RND_IFD = fromHex('96302B0F3D7E7864');

function rsaKey(bits: number, hash?: HashName): ActiveAuthenticationKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    type: 'RSA',
    privateKeyDer: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
    publicKeyDer: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    ...(hash ? { hash } : {}),
  };
}

/** Opens an ISO/IEC 9796-2 scheme 1 signature: F = s^e mod n = 6A ‖ M1 ‖ H(M1 ‖ M2) ‖ trailer. */
function openRsa(key: Extract<ActiveAuthenticationKey, { type: 'RSA' }>, sig: Uint8Array, hash: HashName) {
  const spki = createPublicKey({ key: Buffer.from(key.publicKeyDer), format: 'der', type: 'spki' });
  const f = new Uint8Array(publicDecrypt({ key: spki, padding: constants.RSA_NO_PADDING }, sig));
  const tLen = hash === 'SHA-1' ? 1 : 2;
  const hLen = digest(hash, new Uint8Array(0)).length;
  const m1 = f.subarray(1, f.length - hLen - tLen);
  return {
    header: f[0],
    trailer: X(f.subarray(f.length - tLen)),
    hashOk: X(f.subarray(f.length - hLen - tLen, f.length - tLen)) === X(digest(hash, concat(m1, RND_IFD))),
  };
}

function internalAuthenticate(key: ActiveAuthenticationKey, extendedLength = false) {
  const { card, sm } = appendixDSession({ activeAuthentication: key }, { extendedLength });
  return sm.unprotect(card.process(sm.protect(0, 0x88, 0, 0, RND_IFD, extendedLength ? 65536 : 256, extendedLength)));
}

describe('Active Authentication, chip side', () => {
  const rsa1024 = rsaKey(1024);
  it('RSA-1024, ISO/IEC 9796-2 scheme 1 with SHA-1 (trailer BC)', () => {
    const r = internalAuthenticate(rsa1024);
    expect(r).toMatchObject({ sw: 0x9000, macOk: true });
    expect(r.data.length).toBe(128);
    expect(openRsa(rsa1024 as never, r.data, 'SHA-1')).toEqual({ header: 0x6a, trailer: 'BC', hashOk: true });
  });

  for (const [hash, trailer] of [
    ['SHA-224', '38CC'],
    ['SHA-256', '34CC'],
    ['SHA-384', '36CC'],
    ['SHA-512', '35CC'],
  ] as const) {
    it(`RSA with ${hash} (trailer ${trailer})`, () => {
      const key = { ...rsa1024, hash } as ActiveAuthenticationKey;
      const r = internalAuthenticate(key);
      expect(openRsa(key as never, r.data, hash)).toEqual({ header: 0x6a, trailer, hashOk: true });
    });
  }

  it('RSA-2048 needs extended length under secure messaging (6700 on a short-only card)', () => {
    const key = rsaKey(2048, 'SHA-256');
    expect(internalAuthenticate(key).sw).toBe(0x6700);
    const r = internalAuthenticate(key, true);
    expect(r.data.length).toBe(256);
    expect(openRsa(key as never, r.data, 'SHA-256').hashOk).toBe(true);
  });

  it('ECDSA brainpoolP256r1 / P-384, plain r ‖ s over the hash named by ActiveAuthenticationInfo', () => {
    const bp = brainpoolP256r1.keygen();
    const r = internalAuthenticate({
      type: 'ECDSA',
      curve: 'brainpoolP256r1',
      privateKey: bp.secretKey,
      publicKeyDer: new Uint8Array(0),
      hash: 'SHA-256',
    });
    expect(r.data.length).toBe(64);
    expect(brainpoolP256r1.verify(r.data, digest('SHA-256', RND_IFD), bp.publicKey, { prehash: false })).toBe(true);
    const nist = p384.keygen();
    const r2 = internalAuthenticate({
      type: 'ECDSA',
      curve: 'secp384r1',
      privateKey: nist.secretKey,
      publicKeyDer: new Uint8Array(0),
      hash: 'SHA-1',
    });
    expect(p384.verify(r2.data, digest('SHA-1', RND_IFD), nist.publicKey, { prehash: false })).toBe(true);
  });

  it('needs a session, an 8-byte challenge and an AA key', () => {
    const { card, sm } = appendixDSession({ activeAuthentication: rsa1024 });
    expect(sm.unprotect(card.process(sm.protect(0, 0x88, 0, 0, fromHex('0102'), 256))).sw).toBe(0x6700);
    card.reset();
    expect(X(card.process(fromHex('00880000080102030405060708' + '00')))).toBe('6982');
    const none = appendixDSession();
    expect(none.sm.unprotect(none.card.process(none.sm.protect(0, 0x88, 0, 0, RND_IFD, 256))).sw).toBe(0x6d00);
  });
});
