import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { brainpoolP256r1 } from '@noble/curves/misc.js';
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { buildSod, createTestPki, ecParametersDer } from '../../../../simulator/src/pki/index.js';
import { OID } from '../asn1/oids.js';
import { concat, fromHex, utf8 } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { parseSubjectPublicKeyInfo } from '../lds/public-key.js';
import { matchExplicitCurve } from '../pki/ec.js';
import { verifySignature } from '../pki/signature.js';
import { TrustStore } from '../trust/store.js';
import { verifyPassive } from './passive.js';

const data = utf8('signed attributes');
const oid = (hex: string) => fromHex(hex);
const codes = (r: { reasons: { code: string }[] }) => r.reasons.map((x) => x.code);

function ecSpki(curveOidDer: Uint8Array, point: Uint8Array) {
  const alg = tlv(0x30, oid('06072a8648ce3d0201'), curveOidDer);
  return parseSubjectPublicKeyInfo(tlv(0x30, alg, tlv(0x03, concat(Uint8Array.of(0), point))));
}

/** Re-encodes a DER Ecdsa-Sig-Value with a superfluous leading zero on r (BER, not DER). */
function nonDer(der: Uint8Array): Uint8Array {
  const rLen = der[3]!;
  const r = der.subarray(4, 4 + rLen);
  const s = der.subarray(4 + rLen);
  const body = concat(tlv(0x02, concat(Uint8Array.of(0), r)), s);
  return tlv(0x30, body);
}

describe('ECDSA quirks', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = parseSubjectPublicKeyInfo(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
  const der = new Uint8Array(sign('sha256', data, privateKey));
  const alg = { oid: OID.ecdsaWithSHA256 };

  it('non-DER ECDSA only with the quirk enabled, always reported', () => {
    const bad = nonDer(der);
    const off = verifySignature({ algorithm: alg, spki, data, signature: bad });
    expect(off.valid).toBe(false);
    expect(codes(off)).toEqual(['quirk-rejected']);
    const on = verifySignature({ algorithm: alg, spki, data, signature: bad, quirks: { nonDerEcdsa: true } });
    expect(on.valid).toBe(true);
    expect(codes(on)).toEqual(['quirk-non-der-ecdsa']);
    expect(verifySignature({ algorithm: alg, spki, data, signature: der }).valid).toBe(true);
  });

  it('a hash longer than the order is truncated (ecdsa-with-SHA512 on P-256)', () => {
    const sig = new Uint8Array(sign('sha512', data, privateKey));
    const r = verifySignature({ algorithm: { oid: OID.ecdsaWithSHA512 }, spki, data, signature: sig });
    expect(r).toMatchObject({ valid: true, algorithm: 'ecdsa-p256-sha512' });
  });

  it('mismatched declared curve only with the quirk enabled', () => {
    const sk = brainpoolP256r1.utils.randomSecretKey();
    const point = brainpoolP256r1.getPublicKey(sk, false);
    const sig = brainpoolP256r1.sign(data, sk, { format: 'der' });
    const declaredP256 = ecSpki(oid('06082a8648ce3d030107'), point);
    const off = verifySignature({ algorithm: alg, spki: declaredP256, data, signature: sig });
    expect(off.valid).toBe(false);
    expect(codes(off)).toEqual(['quirk-rejected']);
    const on = verifySignature({
      algorithm: alg,
      spki: declaredP256,
      data,
      signature: sig,
      quirks: { curveMismatch: true },
    });
    expect(on.valid).toBe(true);
    expect(codes(on)).toEqual(['quirk-curve-mismatch']);
  });

  it('explicit parameters are matched on the whole domain, not the size', () => {
    const explicit = (mutate: (d: Uint8Array) => void) => {
      const params = ecParametersDer('P-256').slice();
      mutate(params);
      return params;
    };
    const point = p256.getPublicKey(p256.utils.randomSecretKey(), false);
    const good = ecSpki(ecParametersDer('P-256'), point);
    expect(good.domainParameters?.kind).toBe('ec-explicit');
    if (good.domainParameters?.kind === 'ec-explicit') {
      expect(matchExplicitCurve(good.domainParameters.ec)?.name).toBe('secp256r1');
      // Same p, a, b, n but a different base point (2G) is not P-256.
      const twoG = p256.Point.BASE.double().toBytes(false);
      expect(matchExplicitCurve({ ...good.domainParameters.ec, generator: twoG })).toBeUndefined();
      expect(matchExplicitCurve({ ...good.domainParameters.ec, b: good.domainParameters.ec.b ^ 1n })).toBeUndefined();
      expect(matchExplicitCurve({ ...good.domainParameters.ec, cofactor: 2n })).toBeUndefined();
    }
    const unknown = ecSpki(
      explicit((d) => {
        d[d.length - 40]! ^= 1;
      }),
      point,
    );
    const r = verifySignature({ algorithm: alg, spki: unknown, data, signature: der });
    expect(r.valid).toBe(false);
    expect(r.unsupported).toBeDefined();
  });
});

describe('RSA', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spkiDer = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const spki = parseSubjectPublicKeyInfo(spkiDer);
  const sha256Alg = tlv(0x30, oid('0609608648016503040201'), fromHex('0500'));
  const pssParams = (salt: number) =>
    tlv(
      0x30,
      tlv(0xa0, sha256Alg),
      tlv(0xa1, tlv(0x30, oid('06092a864886f70d010108'), sha256Alg)),
      tlv(0xa2, tlv(0x02, Uint8Array.of(salt))),
    );
  const pss = (salt: number) => ({ oid: OID.rsassaPss, parameters: pssParams(salt) });

  it('PSS salt length comes from the parameters', () => {
    const sig = new Uint8Array(
      sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }),
    );
    expect(verifySignature({ algorithm: pss(20), spki, data, signature: sig })).toMatchObject({
      valid: true,
      algorithm: 'rsa-pss-sha256',
    });
    expect(verifySignature({ algorithm: pss(32), spki, data, signature: sig }).valid).toBe(false);
  });

  it('PKCS#1 under an RSASSA-PSS key only with the quirk enabled', () => {
    // The same key declared as id-RSASSA-PSS in its SubjectPublicKeyInfo.
    const inner = parseSubjectPublicKeyInfo(spkiDer).publicKeyBytes;
    const pssSpki = parseSubjectPublicKeyInfo(
      tlv(0x30, tlv(0x30, oid('06092a864886f70d01010a')), tlv(0x03, concat(Uint8Array.of(0), inner))),
    );
    const sig = new Uint8Array(sign('sha256', data, privateKey));
    const alg = { oid: OID.sha256WithRSAEncryption, parameters: fromHex('0500') };
    expect(verifySignature({ algorithm: alg, spki, data, signature: sig }).valid).toBe(true);
    const off = verifySignature({ algorithm: alg, spki: pssSpki, data, signature: sig });
    expect([off.valid, codes(off)]).toEqual([false, ['quirk-rejected']]);
    const on = verifySignature({
      algorithm: alg,
      spki: pssSpki,
      data,
      signature: sig,
      quirks: { pkcs1WithPssKey: true },
    });
    expect([on.valid, codes(on)]).toEqual([true, ['quirk-pkcs1-with-pss-key']]);
  });

  it('a SOD declaring PSS but signed with PKCS#1 passes only under the quirk policy', () => {
    const p = createTestPki({ seed: 'quirk', signature: 'rsa-pkcs1-sha256' });
    const DG1 = tlv(0x61, tlv(0x5f1f, new Uint8Array(90).fill(0x3c)));
    const sod = buildSod({
      dataGroups: new Map([[1, DG1]]),
      hash: 'SHA-256',
      signer: { certDer: p.ds.certDer, keyPair: p.ds.keyPair, algorithm: p.ds.algorithm },
      signingTime: p.signingTime,
      tamper: { declaredAlgorithm: 'rsa-pss-sha256' },
    });
    const store = new TrustStore();
    store.addCertificate(p.csca.certDer);
    const base = { sod, dataGroups: { DG1 }, trustStore: store, dg1IssuingState: 'VNM', now: p.now };
    const strict = verifyPassive(base);
    expect(strict.status).toBe('invalid');
    expect(codes(strict)).toContain('quirk-rejected');
    const lenient = verifyPassive({ ...base, policy: { quirks: { pkcs1WithPssKey: true } } });
    expect(lenient.status).toBe('valid');
    expect(lenient.signature.algorithm).toBe('rsa-pkcs1-sha256');
    expect(codes(lenient)).toContain('quirk-pkcs1-with-pss-key');
  });

  it('unknown algorithms are unsupported, not exceptions', () => {
    const r = verifySignature({ algorithm: { oid: '1.2.3.4' }, spki, data, signature: new Uint8Array(256) });
    expect(r).toMatchObject({ valid: false, unsupported: 'signature algorithm 1.2.3.4' });
  });
});
