import { afterAll, describe, expect, it } from 'vitest';
import {
  buildSodParts,
  createTestPki,
  SIGNATURE_ALGORITHMS,
  type SodTamper,
  type TestPki,
  toPem,
} from '../../../../simulator/src/pki/index.js';
import { OpensslWorkspace } from '../../../../simulator/src/pki/openssl-harness.js';
import { tlv } from '../codec/tlv.js';
import { TrustStore } from '../trust/store.js';
import { verifyPassive } from './passive.js';

/**
 * Differential test: the same SOD must get the same yes/no from verifyPassive and from `openssl cms -verify`
 * (signature, messageDigest, chain to the CSCA at the signing time). OpenSSL 3 refuses certificates with explicit
 * EC parameters in a chain ("Certificate public key has explicit ECC parameters",
 * docs/reference/anchors-emrtd.md §2 pitfall 1), so for those only the CMS signature is compared (-noverify against
 * our signature and messageDigest result).
 */
const ws = new OpensslWorkspace();
afterAll(() => ws.dispose());

const DG1 = tlv(0x61, tlv(0x5f1f, new Uint8Array(90).fill(0x3c)));
const other = createTestPki({ seed: 'crosscheck-other', signature: 'ecdsa-p256-sha256', name: 'other' });

function both(p: TestPki, tamper: SodTamper, trusted: Uint8Array, signatureOnly: boolean) {
  const { contentInfo, efSod } = buildSodParts({
    dataGroups: new Map([[1, DG1]]),
    hash: 'SHA-256',
    signer: { certDer: p.ds.certDer, keyPair: p.ds.keyPair, algorithm: p.ds.algorithm },
    signingTime: p.signingTime,
    tamper,
  });
  const store = new TrustStore();
  store.addCertificate(trusted);
  const v = verifyPassive({ sod: efSod, trustStore: store, dg1IssuingState: 'VNM', now: p.now });
  const ours = signatureOnly
    ? v.signature.valid && !v.reasons.some((r) => r.code === 'sod-message-digest-mismatch')
    : v.status === 'valid';
  ws.write('sod.der', contentInfo);
  ws.write('csca.pem', toPem(trusted));
  const at = String(Math.floor(p.signingTime.getTime() / 1000));
  const trust = signatureOnly ? ['-noverify'] : ['-CAfile', 'csca.pem', '-purpose', 'any', '-attime', at];
  const r = ws.run(['cms', '-verify', '-inform', 'DER', '-in', 'sod.der', ...trust, '-binary', '-out', 'content.bin']);
  return { ours, openssl: r.status === 0, stderr: r.stderr };
}

describe('cross-check with openssl cms -verify', () => {
  for (const alg of SIGNATURE_ALGORITHMS) {
    it(alg, () => {
      const p = createTestPki({ seed: 'crosscheck', signature: alg });
      const signatureOnly = alg.includes('explicit');
      const cases: [SodTamper, Uint8Array, boolean][] = [
        [{}, p.csca.certDer, true],
        [{ signature: true }, p.csca.certDer, false],
        [{ messageDigest: true }, p.csca.certDer, false],
        [{ eContentAfterSigning: true }, p.csca.certDer, false],
        ...(signatureOnly ? [] : ([[{}, other.csca.certDer, false]] as [SodTamper, Uint8Array, boolean][])),
      ];
      for (const [tamper, trusted, expected] of cases) {
        const r = both(p, tamper, trusted, signatureOnly);
        expect(r.ours, JSON.stringify(tamper)).toBe(expected);
        expect(r.openssl, `${JSON.stringify(tamper)} ${r.stderr}`).toBe(expected);
      }
    });
  }
});
