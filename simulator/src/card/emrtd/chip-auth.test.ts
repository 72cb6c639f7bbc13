import { caOid, fromHex, hex, oidContent, tlv } from '@cccd/emrtd/codec';
import { describe, expect, it } from 'vitest';
import { ecCaKey, terminalCaKeys } from '../testing/chip-auth.js';
import { appendixDSession } from '../testing/sessions.js';
import { TerminalSm } from '../testing/terminal.js';

const H = (s: string) => fromHex(s);
const X = (b: Uint8Array) => hex(b).toUpperCase();
const EMPTY = new Uint8Array(0);

const ecKey = ecCaKey;
const terminalKeys = terminalCaKeys;

describe('Chip Authentication, chip side', () => {
  it('MSE:Set AT + GENERAL AUTHENTICATE: answers under the old keys, then restarts SM with new keys and SSC 0', () => {
    const key = ecKey('AES-128', '80EBAFC8A51BECD4D90BB640EE38C9FD5C12748D28AAA37096B98C4533C4F5F5', 1);
    const { card, sm } = appendixDSession({ chipAuthentication: key });
    const mse = tlv(0x80, oidContent(caOid('ECDH', 'AES-128')));
    const withId = Uint8Array.of(...mse, 0x84, 0x01, 0x01);
    expect(sm.unprotect(card.process(sm.protect(0, 0x22, 0x41, 0xa4, withId, 0))).sw).toBe(0x9000);
    const eph = terminalKeys(key, 0x1234567890abcdefn);
    const ga = tlv(0x7c, tlv(0x80, eph.pk));
    const r = sm.unprotect(card.process(sm.protect(0, 0x86, 0, 0, ga, 256)));
    expect(r).toMatchObject({ sw: 0x9000, macOk: true });
    expect(X(r.data)).toBe('7C00');
    const s = card.debugSession()!;
    expect(X(s.ssc)).toBe('00000000000000000000000000000000');
    expect(X(s.ksEnc)).toBe(X(eph.ksEnc));
    const fresh = new TerminalSm('AES-128', eph.ksEnc, eph.ksMac, new Uint8Array(16));
    const sel = fresh.unprotect(card.process(fresh.protect(0, 0xa4, 2, 0x0c, H('011E'), 0)));
    expect(sel).toMatchObject({ sw: 0x9000, macOk: true });
    expect(X(fresh.unprotect(card.process(fresh.protect(0, 0xb0, 0, 0, EMPTY, 4))).data)).toBe('60145F01');
    // The old keys are gone.
    expect(X(card.process(sm.protect(0, 0xb0, 0, 0, EMPTY, 4)))).toBe('6988');
  });

  it('MSE:Set KAT (3DES legacy): 9000 under the old keys, then 3DES session keys and an 8-byte SSC of zeros', () => {
    const key = ecKey('3DES', '0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20');
    const { card, sm } = appendixDSession({ chipAuthentication: key });
    const eph = terminalKeys(key, 0xfeedbeefn);
    expect(sm.unprotect(card.process(sm.protect(0, 0x22, 0x41, 0xa6, tlv(0x91, eph.pk), 0))).sw).toBe(0x9000);
    const fresh = new TerminalSm('3DES', eph.ksEnc, eph.ksMac, new Uint8Array(8));
    expect(fresh.unprotect(card.process(fresh.protect(0, 0xa4, 2, 0x0c, H('011E'), 0)))).toMatchObject({
      sw: 0x9000,
      macOk: true,
    });
  });

  it('refuses CA without a session, with a wrong OID or key ID, an invalid key, or KAT for an AES key', () => {
    const key = ecKey('AES-128', '11', 1);
    const { card, sm } = appendixDSession({ chipAuthentication: key });
    const oid = tlv(0x80, oidContent(caOid('ECDH', 'AES-256')));
    expect(sm.unprotect(card.process(sm.protect(0, 0x22, 0x41, 0xa4, oid, 0))).sw).toBe(0x6a80);
    const good = tlv(0x80, oidContent(caOid('ECDH', 'AES-128')));
    expect(sm.unprotect(card.process(sm.protect(0, 0x22, 0x41, 0xa4, Uint8Array.of(...good, 0x84, 1, 2), 0))).sw).toBe(
      0x6a88,
    );
    expect(sm.unprotect(card.process(sm.protect(0, 0x22, 0x41, 0xa6, tlv(0x91, H('04')), 0))).sw).toBe(0x6a80);
    expect(sm.unprotect(card.process(sm.protect(0, 0x22, 0x41, 0xa4, good, 0))).sw).toBe(0x9000);
    const bad = tlv(0x7c, tlv(0x80, H(`04${'00'.repeat(64)}`)));
    expect(sm.unprotect(card.process(sm.protect(0, 0x86, 0, 0, bad, 256))).sw).toBe(0x6a80);
    expect(card.secureMessagingActive).toBe(true);

    const plain = appendixDSession({ chipAuthentication: key }).card;
    plain.reset();
    expect(X(plain.process(Uint8Array.of(0, 0x22, 0x41, 0xa4, good.length, ...good)))).toBe('6982');
  });
});
