/**
 * Passive-authentication throughput: verifyPassive (pure TypeScript) next to an `openssl cms -verify` loop on the
 * same SOD, in one run. Not part of the test suite. Run from the repository root:
 *   npx vitest bench --run --project unit packages/emrtd/bench/pa.bench.ts
 * The OpenSSL figure includes one process start per verification (what a shell loop costs); the in-process
 * figure is what a kiosk or backend calling the SDK gets.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { buildSodParts, createTestPki, type SignatureAlgorithmName, toPem } from '../../../simulator/src/pki/index.js';
import { tlv } from '../src/codec/tlv.js';
import { TrustStore } from '../src/trust/store.js';
import { verifyPassive } from '../src/verify/passive.js';

const dir = mkdtempSync(join(tmpdir(), 'cccd-pa-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DG1 = tlv(0x61, tlv(0x5f1f, new Uint8Array(90).fill(0x3c)));
const DG2 = tlv(0x75, new Uint8Array(20_000).fill(7));

for (const alg of [
  'rsa-pkcs1-sha256',
  'rsa-pss-sha256',
  'ecdsa-p256-sha256',
  'ecdsa-brainpoolP256r1-sha256',
] as SignatureAlgorithmName[]) {
  const pki = createTestPki({ seed: 'bench', signature: alg });
  const { efSod, contentInfo } = buildSodParts({
    dataGroups: new Map([
      [1, DG1],
      [2, DG2],
    ]),
    hash: 'SHA-256',
    signer: { certDer: pki.ds.certDer, keyPair: pki.ds.keyPair, algorithm: pki.ds.algorithm },
    signingTime: pki.signingTime,
  });
  const store = new TrustStore();
  store.addCertificate(pki.csca.certDer);
  const sodPath = join(dir, `${alg}.der`);
  const cscaPath = join(dir, `${alg}.pem`);
  writeFileSync(sodPath, contentInfo);
  writeFileSync(cscaPath, toPem(pki.csca.certDer));
  const at = String(Math.floor(pki.signingTime.getTime() / 1000));

  describe(`PA ${alg} (SOD + DS + CSCA chain, DG1 + 20 kB DG2)`, () => {
    bench('verifyPassive (TypeScript, in process)', () => {
      const v = verifyPassive({
        sod: efSod,
        dataGroups: { DG1, DG2 },
        trustStore: store,
        dg1IssuingState: 'VNM',
        now: pki.now,
      });
      if (v.status !== 'valid') throw new Error(`unexpected verdict ${v.status}`);
    });
    bench('openssl cms -verify (one process per verification)', () => {
      const r = spawnSync(
        'openssl',
        [
          'cms',
          '-verify',
          '-inform',
          'DER',
          '-in',
          sodPath,
          '-CAfile',
          cscaPath,
          '-purpose',
          'any',
          '-attime',
          at,
          '-binary',
          '-out',
          '/dev/null',
        ],
        { timeout: 10_000 },
      );
      if (r.status !== 0) throw new Error('openssl cms -verify failed');
    });
  });
}
