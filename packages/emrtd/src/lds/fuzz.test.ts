/**
 * Property tests: on random and mutated input every parser either returns or throws a typed EmrtdError — never a
 * TypeError/RangeError, never a hang. 10^4 inputs per parser (half random inside the right template, half
 * mutations of a valid file).
 */
import { brainpoolP256r1 } from '@noble/curves/misc.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OID } from '../asn1/oids.js';
import { fromHex } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { EmrtdError } from '../errors.js';
import { encodeOid, int, seq, set } from '../testing/der.js';
import { fuzzRuns } from '../testing/fuzz-runs.js';
import {
  buildCom,
  buildDg1,
  buildDg2,
  buildDg7,
  buildDg13,
  buildSod,
  faceRecord,
  facialBlock,
  JPEG,
  parentsField,
  personFields,
  signedData,
} from '../testing/lds-fixtures.js';
import { parseCardAccess } from './card-access.js';
import { ID_SECURITY_OBJECT, parseCardSecurity } from './card-security.js';
import { crossCheck, toCccdDocument } from './cccd.js';
import { parseCom } from './com.js';
import { parseDg1 } from './dg1.js';
import { parseDg2 } from './dg2.js';
import { parseDg7 } from './dg7.js';
import { parseDg11 } from './dg11.js';
import { parseDg12 } from './dg12.js';
import { parseDg13 } from './dg13.js';
import { parseDg14 } from './dg14.js';
import { parseDg15 } from './dg15.js';
import { parseMrz } from './mrz.js';
import { parseLdsFile } from './parse.js';
import { parseSod } from './sod.js';

const RUNS = 5_000;

const point = brainpoolP256r1.getPublicKey(brainpoolP256r1.utils.randomSecretKey(), false);
const ecSpki = seq(seq(encodeOid(OID.pkECDH), encodeOid(OID.brainpoolP256r1)), tlv(0x03, Uint8Array.of(0), point));
const securityInfos = set(
  seq(encodeOid(OID.terminalAuthentication), int(1), seq(tlv(0x04, fromHex('011c')))),
  seq(encodeOid('0.4.0.127.0.7.2.2.3.2.2'), int(1), int(1)),
  seq(encodeOid(OID.pkECDH), ecSpki, int(1)),
  seq(encodeOid('0.4.0.127.0.7.2.2.4.2.2'), int(2), int(13)),
  seq(encodeOid(OID.activeAuthentication), int(1), encodeOid(OID.ecdsaPlainSHA256)),
);
const rsaSpki = seq(
  seq(encodeOid(OID.rsaEncryption), tlv(0x05, new Uint8Array())),
  tlv(0x03, Uint8Array.of(0), seq(int(0xc0ffee1234567n), int(65537))),
);
const dg13Fields = personFields();
dg13Fields.set(13, parentsField('flat'));

interface Target {
  name: string;
  rootTag: number;
  valid: Uint8Array;
  parse: (bytes: Uint8Array) => unknown;
}

const TARGETS: Target[] = [
  { name: 'EF.CardAccess', rootTag: 0x31, valid: securityInfos, parse: parseCardAccess },
  {
    name: 'EF.CardSecurity',
    rootTag: 0x30,
    valid: signedData(ID_SECURITY_OBJECT, securityInfos),
    parse: parseCardSecurity,
  },
  { name: 'EF.COM', rootTag: 0x60, valid: buildCom(), parse: parseCom },
  { name: 'DG1', rootTag: 0x61, valid: buildDg1(), parse: parseDg1 },
  {
    name: 'DG2',
    rootTag: 0x75,
    valid: buildDg2([facialBlock([faceRecord(JPEG, { points: 2 }), faceRecord(JPEG)])]),
    parse: parseDg2,
  },
  { name: 'DG7', rootTag: 0x67, valid: buildDg7(), parse: parseDg7 },
  {
    name: 'DG11',
    rootTag: 0x6b,
    valid: tlv(0x6b, tlv(0x5c, fromHex('5f0ea0')), tlv(0x5f0e, fromHex('41')), tlv(0xa0, tlv(0x5f0f, fromHex('42')))),
    parse: parseDg11,
  },
  {
    name: 'DG12',
    rootTag: 0x6c,
    valid: tlv(0x6c, tlv(0x5c, fromHex('5f19')), tlv(0x5f19, fromHex('41'))),
    parse: parseDg12,
  },
  {
    name: 'DG13',
    rootTag: 0x6d,
    valid: buildDg13(dg13Fields.values()),
    parse: (b) => {
      const dg13 = parseDg13(b);
      // The view and the cross-check must never throw on anything the parser accepts.
      toCccdDocument({ dg13, dg1: parseDg1(buildDg1()) });
      crossCheck(parseDg1(buildDg1()), dg13);
      return dg13;
    },
  },
  { name: 'DG14', rootTag: 0x6e, valid: tlv(0x6e, securityInfos), parse: parseDg14 },
  { name: 'DG15 (EC)', rootTag: 0x6f, valid: tlv(0x6f, ecSpki), parse: parseDg15 },
  { name: 'DG15 (RSA)', rootTag: 0x6f, valid: tlv(0x6f, rsaSpki), parse: parseDg15 },
  {
    name: 'EF.SOD',
    rootTag: 0x77,
    valid: buildSod(
      new Map([
        [1, buildDg1()],
        [13, buildDg13()],
      ]),
      true,
    ),
    parse: parseSod,
  },
];

function onlyTypedErrors(parse: (b: Uint8Array) => unknown, bytes: Uint8Array): boolean {
  try {
    parse(bytes);
  } catch (e) {
    if (!(e instanceof EmrtdError)) throw e;
  }
  return true;
}

/** Byte edits on a valid file: overwrite, truncate, insert. */
const mutated = (valid: Uint8Array) =>
  fc
    .record({
      edits: fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      cut: fc.option(fc.nat(valid.length), { nil: undefined }),
      insert: fc.option(fc.tuple(fc.nat(valid.length), fc.uint8Array({ maxLength: 8 })), { nil: undefined }),
    })
    .map(({ edits, cut, insert }) => {
      let b = valid.slice();
      for (const [i, v] of edits) b[i] = v;
      if (insert) b = Uint8Array.from([...b.subarray(0, insert[0]), ...insert[1], ...b.subarray(insert[0])]);
      return cut === undefined ? b : b.subarray(0, cut);
    });

describe('LDS parsers under fuzzing', () => {
  for (const t of TARGETS) {
    it(`${t.name}: valid fixture parses`, () => {
      expect(() => t.parse(t.valid)).not.toThrow();
    });
    it(`${t.name}: random and mutated input gives only typed errors`, () => {
      const random = fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 300 }).map((v) => tlv(t.rootTag, v)),
      );
      fc.assert(
        fc.property(random, (b) => onlyTypedErrors(t.parse, b)),
        { numRuns: fuzzRuns(RUNS) },
      );
      fc.assert(
        fc.property(mutated(t.valid), (b) => onlyTypedErrors(t.parse, b)),
        { numRuns: fuzzRuns(RUNS) },
      );
    });
  }

  it('parseLdsFile: any name and bytes give only typed errors', () => {
    const names = fc.constantFrom('COM', 'SOD', 'CardAccess', 'CardSecurity', 'DG3', 'DG16', 'DG2', 'DG13', 'X');
    fc.assert(
      fc.property(names, fc.uint8Array({ maxLength: 64 }), (n, b) => onlyTypedErrors((x) => parseLdsFile(n, x), b)),
      { numRuns: fuzzRuns(2_000) },
    );
  });

  it('MRZ: any text of MRZ characters and TD length parses; any other text gives only typed errors', () => {
    const mrzChar = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<<<<'.split(''));
    const mrzText = fc.constantFrom(90, 72, 88).chain((n) => fc.string({ unit: mrzChar, minLength: n, maxLength: n }));
    fc.assert(
      fc.property(mrzText, (s) => {
        const m = parseMrz(s);
        return m.lines.join('') === s;
      }),
      { numRuns: fuzzRuns(RUNS) },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (s) => {
        try {
          parseMrz(s);
        } catch (e) {
          if (!(e instanceof EmrtdError)) throw e;
          // Long enough that a chance match with the message wording is impossible.
          if (s.trim().length >= 8) expect(e.message).not.toContain(s.trim());
        }
        return true;
      }),
      { numRuns: fuzzRuns(RUNS) },
    );
  });
});
