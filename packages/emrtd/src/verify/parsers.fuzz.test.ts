import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLdif, buildMasterList, buildSod, createTestPki } from '../../../../simulator/src/pki/index.js';
import { tlv } from '../codec/tlv.js';
import { EmrtdError } from '../errors.js';
import { parseCertificate, parseCrl } from '../pki/x509.js';
import { fuzzRuns } from '../testing/fuzz-runs.js';
import { parseLdif } from '../trust/ldif.js';
import { parseMasterList } from '../trust/master-list.js';
import { TrustStore } from '../trust/store.js';
import { readSod, verifyPassive } from './passive.js';

/**
 * Hostile input: every parser either returns or throws an EmrtdError (MalformedData & co), never a TypeError,
 * RangeError or a hang. Inputs are mutations of valid structures (so deep paths are reached) and raw noise.
 */
const pki = createTestPki({ seed: 'fuzz', signature: 'ecdsa-p256-sha256' });
const DG1 = tlv(0x61, tlv(0x5f1f, new Uint8Array(90).fill(0x3c)));
const sod = buildSod({
  dataGroups: new Map([[1, DG1]]),
  hash: 'SHA-256',
  signer: { certDer: pki.ds.certDer, keyPair: pki.ds.keyPair, algorithm: pki.ds.algorithm },
  signingTime: pki.signingTime,
});
const masterList = buildMasterList({
  signer: {
    certDer: pki.masterListSigner.certDer,
    keyPair: pki.masterListSigner.keyPair,
    algorithm: pki.masterListSigner.algorithm,
  },
  cscaCerts: [pki.csca.certDer],
});
const ldif = buildLdif([
  { kind: 'dsc', certDer: pki.ds.certDer },
  { kind: 'crl', crlDer: pki.crlDer },
]);

type Mutation = { kind: 'flip' | 'set' | 'truncate' | 'insert' | 'delete'; at: number; value: number };
const mutation = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('flip', 'set', 'truncate', 'insert', 'delete'),
  at: fc.nat(),
  value: fc.integer({ min: 0, max: 255 }),
});

function mutate(base: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = base.slice();
  for (const m of ms) {
    if (b.length === 0) break;
    const i = m.at % b.length;
    if (m.kind === 'flip') b[i]! ^= 1 << (m.value & 7);
    else if (m.kind === 'set') b[i] = m.value;
    else if (m.kind === 'truncate') b = b.subarray(0, i);
    else if (m.kind === 'insert') b = Uint8Array.from([...b.subarray(0, i), m.value, ...b.subarray(i)]);
    else b = Uint8Array.from([...b.subarray(0, i), ...b.subarray(i + 1)]);
  }
  return b;
}

const hostile = (base: Uint8Array) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }).map((ms) => mutate(base, ms)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    // Deep nesting / huge declared lengths.
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 1, max: 400 })
        .map((n) => Uint8Array.from({ length: 2 * n }, (_, i) => (i % 2 ? 0x80 + (i % 5) : 0x30))),
    },
  );

function onlyTyped(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof EmrtdError)) throw e;
  }
}

const RUNS = 10_000;

describe('fuzz: parsers give typed errors only', () => {
  it(`EF.SOD (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(hostile(sod), (b) => onlyTyped(() => readSod(b))),
      { numRuns: fuzzRuns(RUNS) },
    );
  });

  it(`X.509 certificate and CRL (${RUNS} cases each)`, () => {
    fc.assert(
      fc.property(hostile(pki.ds.certDer), (b) => onlyTyped(() => parseCertificate(b))),
      { numRuns: fuzzRuns(RUNS) },
    );
    fc.assert(
      fc.property(hostile(pki.crlDer), (b) => onlyTyped(() => parseCrl(b))),
      { numRuns: fuzzRuns(RUNS) },
    );
  });

  it(`CSCA master list (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(hostile(masterList), (b) => onlyTyped(() => parseMasterList(b))),
      { numRuns: fuzzRuns(RUNS) },
    );
  });

  it(`LDIF (${RUNS} cases)`, () => {
    const text = new TextEncoder().encode(ldif);
    fc.assert(
      fc.property(
        fc.oneof(
          hostile(text),
          fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
        ),
        (b) => onlyTyped(() => parseLdif(b)),
      ),
      { numRuns: fuzzRuns(RUNS) },
    );
  });

  it('verifyPassive never throws on a hostile SOD (500 full verifications)', () => {
    const store = new TrustStore();
    store.addCertificate(pki.csca.certDer);
    fc.assert(
      fc.property(hostile(sod), (b) => {
        const v = verifyPassive({ sod: b, dataGroups: { DG1 }, trustStore: store, now: pki.now });
        expect(['valid', 'invalid', 'unknown-csca']).toContain(v.status);
      }),
      { numRuns: fuzzRuns(500, 10_000) },
    );
  });
});
