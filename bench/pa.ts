/**
 * Benchmark 3: passive-authentication verifications per second, verifyPassive (pure TypeScript, in process) beside
 * an `openssl cms -verify` loop on the same SOD and CSCA, in one run (DG1 + 20 kB DG2, DS in the SOD, CSCA as the
 * anchor). OpenSSL pays one process start per verification, as a
 * shell loop does; the start-up alone (`openssl version`) is measured too so the net verify cost can be read off.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrustStore, verifyPassive } from '@cccd/emrtd';
import { tlv } from '@cccd/emrtd/codec';
import { buildSodParts, createTestPki, type SignatureAlgorithmName, toPem } from '@cccd/simulator';

export const PA_ALGORITHMS: SignatureAlgorithmName[] = [
  'ecdsa-brainpoolP256r1-sha256',
  'ecdsa-p256-sha256',
  'rsa-pkcs1-sha256',
  'rsa-pss-sha256',
];

export interface PaMeasurement {
  algorithm: SignatureAlgorithmName;
  sdkPerSecond: number;
  opensslPerSecond: number;
  /** `openssl version` starts per second: the process-start ceiling of any openssl loop. */
  opensslStartsPerSecond: number;
  /** Per-verification openssl time with the process start subtracted (ms). */
  opensslNetMs: number;
  ratio: number;
}

const DG1 = tlv(0x61, tlv(0x5f1f, new Uint8Array(90).fill(0x3c)));
const DG2 = tlv(0x75, new Uint8Array(20_000).fill(7));

function rate(iterations: number, f: () => void): number {
  f(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) f();
  return iterations / ((performance.now() - t0) / 1000);
}

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { timeout: 10_000, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed`);
}

export function measurePa(
  sdkIterations = 200,
  opensslIterations = 30,
  algorithms: SignatureAlgorithmName[] = PA_ALGORITHMS,
): PaMeasurement[] {
  const dir = mkdtempSync(join(tmpdir(), 'cccd-pa-'));
  try {
    const starts = rate(opensslIterations, () => openssl(['version']));
    return algorithms.map((algorithm) => {
      const pki = createTestPki({ seed: 'bench', signature: algorithm });
      const { efSod, contentInfo } = buildSodParts({
        dataGroups: new Map([
          [1, DG1],
          [2, DG2],
        ]),
        hash: 'SHA-256',
        signer: { certDer: pki.ds.certDer, keyPair: pki.ds.keyPair, algorithm: pki.ds.algorithm },
        signingTime: pki.signingTime,
      });
      const trustStore = new TrustStore();
      trustStore.addCertificate(pki.csca.certDer);
      const sod = join(dir, `${algorithm}.der`);
      const csca = join(dir, `${algorithm}.pem`);
      writeFileSync(sod, contentInfo);
      writeFileSync(csca, toPem(pki.csca.certDer));
      const at = String(Math.floor(pki.signingTime.getTime() / 1000));
      const sdkPerSecond = rate(sdkIterations, () => {
        const v = verifyPassive({
          sod: efSod,
          dataGroups: { DG1, DG2 },
          trustStore,
          dg1IssuingState: 'VNM',
          now: pki.now,
        });
        if (v.status !== 'valid') throw new Error(`unexpected verdict ${v.status}`);
      });
      const args = ['cms', '-verify', '-inform', 'DER', '-in', sod, '-CAfile', csca, '-purpose', 'any'];
      const opensslPerSecond = rate(opensslIterations, () =>
        openssl([...args, '-attime', at, '-binary', '-out', '/dev/null']),
      );
      return {
        algorithm,
        sdkPerSecond,
        opensslPerSecond,
        opensslStartsPerSecond: starts,
        opensslNetMs: Math.max(0, 1000 / opensslPerSecond - 1000 / starts),
        ratio: sdkPerSecond / opensslPerSecond,
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
