/** Passive authentication of EF.CardSecurity (verify/card-security.ts) on simulator-signed files. */
import { loadProfile, personalise } from '@cccd/simulator';
import { describe, expect, it } from 'vitest';
import { readRoot } from '../asn1/der.js';
import { TrustStore } from '../trust/store.js';
import { verifyCardSecurity } from './card-security.js';

const card = await personalise(loadProfile('cccd-2021-adult'), {
  seed: 12,
  chip: ['pace-cam=present'],
  activeAuthentication: null,
});
const cardSecurity = card.masterFiles!.get(0x011d)!;
const trusted = () => {
  const store = new TrustStore();
  store.addCertificate(card.pki!.cscaCertDer);
  return store;
};
const codes = (v: { reasons: { code: string }[] }) => v.reasons.map((r) => r.code);

describe('verifyCardSecurity', () => {
  it('valid: signed by the DS, path to the trusted CSCA of the document country', () => {
    const v = verifyCardSecurity({ cardSecurity, trustStore: trusted(), issuingState: 'VNM' });
    expect(v.status).toBe('valid');
    expect(v.signer?.subject).toContain('CN=');
  });

  it('unknown-csca without the CSCA, naming the issuer; invalid for another country', () => {
    const unknown = verifyCardSecurity({ cardSecurity, trustStore: new TrustStore() });
    expect(unknown.status).toBe('unknown-csca');
    expect(unknown.missingIssuer).toBeDefined();
    const foreign = verifyCardSecurity({ cardSecurity, trustStore: trusted(), issuingState: 'FRA' });
    expect(foreign.status).toBe('invalid');
    expect(codes(foreign)).toContain('country-mismatch');
  });

  it('invalid for a malformed file, and for EF.SOD offered as EF.CardSecurity (content type)', () => {
    const malformed = verifyCardSecurity({ cardSecurity: Uint8Array.of(0x30, 0x00), trustStore: trusted() });
    expect(malformed).toMatchObject({ status: 'invalid' });
    expect(codes(malformed)).toEqual(['card-security-malformed']);
    const sod = card.files.get(0x011d)!;
    const contentInfo = readRoot(sod, 'EF.SOD');
    const asSod = verifyCardSecurity({
      cardSecurity: sod.subarray(contentInfo.offset + contentInfo.headerLength),
      trustStore: trusted(),
    });
    expect(asSod.status).toBe('invalid');
    expect(codes(asSod)).toContain('card-security-content-type');
  });
});
