import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSod, createTestPki } from '../../../../simulator/src/pki/index.js';
import { fromHex } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { fuzzRuns } from '../testing/fuzz-runs.js';
import { TrustStore } from '../trust/store.js';
import {
  activeAuthenticationNotPerformed,
  activeAuthenticationRefused,
  verifyActiveAuthentication,
} from './active-auth.js';
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

  it('carries refusals: a refused CA with a valid AA re-verifies to authentic, refusals alone to genuine-data', () => {
    const chipAuthentication = { succeeded: false, protocol: '0.4.0.127.0.7.2.2.3.2.4', refusedSw: 0x6a86 };
    const withAa = createEvidence({
      sod,
      dataGroups,
      chipAuthentication,
      activeAuthentication: { challenge, response },
    });
    const json = serializeEvidence(withAa);
    expect(parseEvidence(json)).toEqual(withAa);
    const v = verifyEvidence(json, store, options);
    expect(v.overall).toBe('authentic');
    expect(v.chip).toMatchObject({ status: 'refused', sw: 0x6a86 });
    const both = createEvidence({ sod, dataGroups, chipAuthentication, activeAuthenticationRefused: { sw: 0x6d00 } });
    const w = verifyEvidence(serializeEvidence(both), store, options);
    expect(w.overall).toBe('genuine-data');
    expect(w.active).toMatchObject({ status: 'refused', sw: 0x6d00 });
  });

  it('rejects refusal claims that cannot be: a 9000 "refusal", a refused CA that succeeded, AA both ways', () => {
    const base = JSON.parse(serializeEvidence(createEvidence({ sod, dataGroups })));
    const bad = [
      { ...base, activeAuthenticationRefused: { sw: 0x9000 } },
      { ...base, chipAuthentication: { succeeded: true, refusedSw: 0x6a86 } },
      {
        ...base,
        activeAuthenticationRefused: { sw: 0x6d00 },
        activeAuthentication: { challenge: 'oaKjpKWmp6g=', response: 'AA==' },
      },
    ];
    for (const b of bad) expect(() => parseEvidence(JSON.stringify(b))).toThrow(EvidenceError);
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

  // The rule of docs/verification.md "Refused is not failed", one row per case.
  const refusedCa = chipAuthenticationVerdict({ succeeded: false, refusedSw: 0x6a86, dg14Status: 'match' });
  const failedCa = chipAuthenticationVerdict({ succeeded: false, dg14Status: 'match' });
  const validCa = chipAuthenticationVerdict({ succeeded: true, dg14Status: 'match' });
  const validAa = verifyActiveAuthentication({ publicKey: DG15, challenge, response, dg15Status: 'match' });
  const badAa = verifyActiveAuthentication({ publicKey: DG15, challenge, response: response.map((b) => b ^ 1) });
  const rows: [string, Parameters<typeof overallVerdict>[0], string, string?][] = [
    ['CA refused, AA valid', { passive, chip: refusedCa, active: validAa }, 'authentic'],
    ['CA refused, no AA', { passive, chip: refusedCa }, 'genuine-data', 'CA: refused by the chip SW 6A86; AA: not run'],
    [
      'CA refused, AA refused',
      { passive, chip: refusedCa, active: activeAuthenticationRefused(0x6d00) },
      'genuine-data',
      'CA: refused by the chip SW 6A86; AA: refused by the chip SW 6D00',
    ],
    ['CA failed, AA valid', { passive, chip: failedCa, active: validAa }, 'invalid'],
    ['CA valid, AA refused', { passive, chip: validCa, active: activeAuthenticationRefused(0x6985) }, 'authentic'],
    ['CA valid, AA signature bad', { passive, chip: validCa, active: badAa }, 'invalid'],
    [
      'CA not offered, AA not offered',
      {
        passive,
        chip: chipAuthenticationVerdict({ notOffered: true }),
        active: activeAuthenticationNotPerformed('no-dg15'),
      },
      'genuine-data',
      'CA: not offered by the card; AA: not offered by the card',
    ],
  ];
  for (const [name, input, overall, why] of rows)
    it(`${name} → ${overall}`, () => {
      const v = overallVerdict(input);
      expect(v.overall).toBe(overall);
      const reason = v.reasons.find((r) => r.code === 'no-anti-clone-proof');
      if (why) expect(reason?.message.en).toContain(why);
      else expect(reason).toBeUndefined();
    });

  it('a refused CA is a warning with its status word, never an error', () => {
    expect(refusedCa).toMatchObject({ status: 'refused', sw: 0x6a86 });
    expect(refusedCa.reasons.map((r) => [r.code, r.severity])).toEqual([['ca-refused', 'warning']]);
    expect(refusedCa.reasons[0]!.message.en).toContain('6A86');
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
