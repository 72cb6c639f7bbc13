import { describe, expect, it } from 'vitest';
import { caOid, OID, paceOid, parseCaOid, parsePaceOid } from './oids.js';

describe('security protocol OIDs', () => {
  it('decodes the CCCD PACE and CA OIDs from EF.CardAccess', () => {
    expect(parsePaceOid('0.4.0.127.0.7.2.2.4.2.2')).toEqual({
      oid: '0.4.0.127.0.7.2.2.4.2.2',
      keyAgreement: 'ECDH',
      mapping: 'GM',
      cipher: 'AES-128',
    });
    expect(parseCaOid('0.4.0.127.0.7.2.2.3.2.2')).toMatchObject({ keyAgreement: 'ECDH', cipher: 'AES-128' });
  });
  it('round-trips every PACE and CA variant and rejects neighbours', () => {
    for (const ka of ['DH', 'ECDH'] as const)
      for (const m of ['GM', 'IM'] as const)
        for (const c of ['3DES', 'AES-128', 'AES-192', 'AES-256'] as const) {
          expect(parsePaceOid(paceOid(ka, m, c))).toMatchObject({ keyAgreement: ka, mapping: m, cipher: c });
          expect(parseCaOid(caOid(ka, c))).toMatchObject({ keyAgreement: ka, cipher: c });
        }
    expect(parsePaceOid(OID.terminalAuthentication)).toBeUndefined();
    expect(parsePaceOid('0.4.0.127.0.7.2.2.4.2.2.1')).toBeUndefined();
    expect(parsePaceOid('0.4.0.127.0.7.2.2.4.5.2')).toBeUndefined();
    expect(parseCaOid('0.4.0.127.0.7.2.2.3.2')).toBeUndefined();
  });
});
