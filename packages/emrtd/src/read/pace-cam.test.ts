/** The read's PACE-CAM check against EF.CardSecurity (read/pace-cam.ts), on a simulator-personalised file. */
import { loadProfile, personalise } from '@cccd/simulator';
import { describe, expect, it } from 'vitest';
import { bigToBytes, bytesToBig } from '../codec/bytes.js';
import { domainParameters, type EcDomainParameters, encodeEcPoint, modPow } from '../crypto/domain-params.js';
import { checkPaceCam } from './pace-cam.js';

const image = await personalise(loadProfile('cccd-2021-adult'), {
  seed: 11,
  chip: ['pace-cam=present'],
  activeAuthentication: null,
});
const cardSecurity = image.masterFiles!.get(0x011d)!;
const params = domainParameters(13) as EcDomainParameters;
const n = params.curve.CURVE().n;
const skIc = bytesToBig(image.chipAuthenticationMapping!.privateKey);
const skMap = 0x1234567890abcdef1234567890abcdefn;
const mappingPublicKey = encodeEcPoint(params, params.curve.BASE.multiply(skMap));
const caIc = (k: bigint) => bigToBytes((modPow(k, n - 2n, n) * skMap) % n, 32);
const pace = (data: Uint8Array, parameterId = 13) => ({
  parameterId,
  chipAuthentication: { data, mappingPublicKey },
});

describe('checkPaceCam', () => {
  it('match for CA_IC made with the key EF.CardSecurity names; the file and key are kept', () => {
    const out = checkPaceCam(pace(caIc(skIc)), cardSecurity);
    expect(out.report).toEqual({ result: 'match' });
    expect(out.cardSecurity).toBe(cardSecurity);
    expect(out.key?.publicKey).toEqual(image.chipAuthenticationMapping!.publicKey);
  });

  it('mismatch for a well-formed CA_IC made with another key, or out of range', () => {
    expect(checkPaceCam(pace(caIc(skIc + 1n)), cardSecurity).report).toEqual({ result: 'mismatch' });
    expect(checkPaceCam(pace(bigToBytes(n, 32)), cardSecurity).report).toEqual({ result: 'mismatch' });
  });

  it("CA_IC missing or undecryptable under every IV reading is cam-data-missing, never a mismatch (DO'8A' has no MAC)", () => {
    const empty = new Uint8Array(0);
    const missing = { result: 'not-checked', notChecked: 'cam-data-missing' };
    expect(checkPaceCam(pace(empty), cardSecurity).report).toEqual(missing);
    const allReadings = {
      parameterId: 13,
      chipAuthentication: { data: empty, alternatives: [empty, empty], mappingPublicKey },
    };
    expect(checkPaceCam(allReadings, cardSecurity)).toEqual({ report: missing, cardSecurity });
    // One reading that decrypts is CAM data: it is checked.
    const oneReading = {
      ...allReadings,
      chipAuthentication: { ...allReadings.chipAuthentication, alternatives: [caIc(skIc)] },
    };
    expect(checkPaceCam(oneReading, cardSecurity).report).toEqual({ result: 'match' });
  });

  it('not checked, with why: malformed file, no key on the PACE curve, a DH parameter set', () => {
    const garbage = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00);
    expect(checkPaceCam(pace(caIc(skIc)), garbage).report).toEqual({
      result: 'not-checked',
      notChecked: 'card-security-malformed',
    });
    expect(checkPaceCam(pace(caIc(skIc), 12), cardSecurity).report).toEqual({
      result: 'not-checked',
      notChecked: 'no-key',
    });
    expect(checkPaceCam(pace(caIc(skIc), 0), cardSecurity).report).toEqual({
      result: 'not-checked',
      notChecked: 'unsupported',
    });
  });
});
