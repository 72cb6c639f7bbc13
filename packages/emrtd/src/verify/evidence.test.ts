import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSod, createTestPki } from '../../../../simulator/src/pki/index.js';
import { fromHex } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { fuzzRuns } from '../testing/fuzz-runs.js';
import { TrustStore } from '../trust/store.js';
import { chipAuthenticationVerdict } from './chip-auth.js';
import { createEvidence, EvidenceError, parseEvidence, serializeEvidence, verifyEvidence } from './evidence.js';
import { verifyPassive } from './passive.js';
import { overallVerdict } from './verdict.js';

const pki = createTestPki({ seed: 'evidence', signature: 'ecdsa-p256-sha256' });
const store = new TrustStore();
store.addCertificate(pki.csca.certDer);

// DG14 with one ActiveAuthenticationInfo { id-icao-mrtd-security-aaProtocolObject, 1, ecdsa-plain-SHA256 }.
const DG14 = tlv(0x6e, tlv(0x31, tlv(0x30, fromHex('0606678108010105 020101 060a04007f00070101040103'))));
const aaKey = generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' });
const DG15 = tlv(0x6f, new Uint8Array(aaKey.publicKey.export({ type: 'spki', format: 'der' })));
const DG1 = tlv(0x61, tlv(0x5f1f, new Uint8Array(90).fill(0x3c)));
const sod = buildSod({
  dataGroups: new Map([
    [1, DG1],
    [14, DG14],
    [15, DG15],
  ]),
  hash: 'SHA-256',
  signer: { certDer: pki.ds.certDer, keyPair: pki.ds.keyPair, algorithm: pki.ds.algorithm },
  signingTime: pki.signingTime,
});
const challenge = fromHex('a1a2a3a4a5a6a7a8');
const response = new Uint8Array(sign('sha256', challenge, { key: aaKey.privateKey, dsaEncoding: 'ieee-p1363' }));
const options = { now: pki.now, policy: { time: 'signing-time' as const } };
const dataGroups = { DG1, DG14, DG15 };

describe('evidence bundle', () => {
  it('round-trips through JSON and re-verifies to authentic (PA + AA)', () => {
    const bundle = createEvidence({
      sod,
      dataGroups,
      activeAuthentication: { challenge, response },
      createdAt: pki.now,
    });
    expect(bundle.dsCertificate).toEqual(pki.ds.certDer);
    const json = serializeEvidence(bundle);
    expect(parseEvidence(json)).toEqual(bundle);
    const v = verifyEvidence(json, store, options);
    expect(v.overall).toBe('authentic');
    expect(v.passive.status).toBe('valid');
    expect(v.active).toMatchObject({ status: 'valid', algorithm: 'ecdsa-brainpoolP256r1-sha256' });
  });

  it('without AA/CA it is genuine-data; a failed claimed CA or a bad AA response is invalid', () => {
    expect(verifyEvidence(createEvidence({ sod, dataGroups }), store, options).overall).toBe('genuine-data');
    const ca = verifyEvidence(
      createEvidence({ sod, dataGroups, chipAuthentication: { succeeded: true, protocol: '0.4.0.127.0.7.2.2.3.2.4' } }),
      store,
      options,
    );
    expect(ca.overall).toBe('authentic');
    expect(ca.chip?.reasons.map((r) => r.code)).toEqual(['ca-claimed-only']);
    expect(
      verifyEvidence(createEvidence({ sod, dataGroups, chipAuthentication: { succeeded: false } }), store, options)
        .overall,
    ).toBe('invalid');
    const bad = response.slice();
    bad[0]! ^= 1;
    expect(
      verifyEvidence(
        createEvidence({ sod, dataGroups, activeAuthentication: { challenge, response: bad } }),
        store,
        options,
      ).overall,
    ).toBe('invalid');
  });

  it('unknown CSCA stays unknown-csca even with a valid AA', () => {
    const v = verifyEvidence(
      createEvidence({ sod, dataGroups, activeAuthentication: { challenge, response } }),
      new TrustStore(),
      options,
    );
    expect(v.overall).toBe('unknown-csca');
    expect(v.reasons.map((r) => r.code)).toEqual(['passive-not-valid']);
  });

  it('rejects garbage bundles with EvidenceError naming the field', () => {
    const good = JSON.parse(
      serializeEvidence(createEvidence({ sod, dataGroups, activeAuthentication: { challenge, response } })),
    );
    const cases: [unknown, string][] = [
      ['not json', '(root)'],
      [[], '(root)'],
      [{ ...good, version: 2 }, 'version'],
      [{ ...good, format: 'x' }, 'format'],
      [{ ...good, extra: 1 }, '(root)'],
      [{ ...good, sod: 'not base64!' }, 'sod'],
      [{ ...good, sod: 42 }, 'sod'],
      [{ ...good, createdAt: 'yesterday' }, 'createdAt'],
      [{ ...good, dataGroups: { DG17: good.sod } }, 'dataGroups'],
      [{ ...good, dataGroups: 'x' }, 'dataGroups'],
      [{ ...good, activeAuthentication: { challenge: 'AAAA', response: good.sod } }, 'activeAuthentication.challenge'],
      [{ ...good, chipAuthentication: { succeeded: 'yes' } }, 'chipAuthentication.succeeded'],
      [{ ...good, chipAuthentication: { succeeded: true, protocol: 'CA' } }, 'chipAuthentication.protocol'],
    ];
    for (const [input, field] of cases) {
      const run = () => parseEvidence(typeof input === 'string' ? input : JSON.stringify(input));
      expect(run).toThrow(EvidenceError);
      try {
        run();
      } catch (e) {
        expect((e as EvidenceError).field).toBe(field);
      }
    }
  });

  it('fuzz: arbitrary JSON values never crash parseEvidence (EvidenceError or a bundle)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        try {
          parseEvidence(text);
        } catch (e) {
          expect(e).toBeInstanceOf(EvidenceError);
        }
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});

describe('overallVerdict gating', () => {
  const passive = verifyPassive({ sod, dataGroups, trustStore: store, ...options });
  it('CA counts only with DG14 covered by a valid SOD', () => {
    expect(
      overallVerdict({ passive, chip: chipAuthenticationVerdict({ succeeded: true, dg14Status: 'match' }) }).overall,
    ).toBe('authentic');
    const noDg14 = verifyPassive({ sod, dataGroups: { DG1 }, trustStore: store, ...options });
    const chip = chipAuthenticationVerdict({ succeeded: true, dg14Status: 'not-read' });
    expect(chip.reasons.map((r) => r.code)).toEqual(['ca-key-not-verified']);
    expect(overallVerdict({ passive: noDg14, chip }).overall).toBe('genuine-data');
    expect(overallVerdict({ passive, chip: chipAuthenticationVerdict({}) }).overall).toBe('genuine-data');
  });

  it('not-checked without a SOD; invalid passive dominates', () => {
    expect(overallVerdict({ passive: verifyPassive({ trustStore: store }) }).overall).toBe('not-checked');
    const tampered = verifyPassive({ sod, dataGroups: { DG1: DG14 }, trustStore: store, ...options });
    expect(
      overallVerdict({ passive: tampered, chip: chipAuthenticationVerdict({ succeeded: true, dg14Status: 'match' }) })
        .overall,
    ).toBe('invalid');
  });
});
