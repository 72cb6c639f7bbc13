import { describe, expect, it } from 'vitest';
import { PlainChannel } from '../apdu/channel.js';
import { decodeCommand, encodeCommand } from '../apdu/command.js';
import { ScriptedTransport } from '../apdu/scripted-transport.js';
import { concat, fromHex, hex, u16 } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { retailMac, tdesCbc } from '../crypto/des.js';
import { pad } from '../crypto/padding.js';
import { EmrtdError } from '../errors.js';
import { activeAuthenticationKey, expectedSignatureLength } from '../read/aa-key.js';
import { SecureChannel } from '../sm/secure-channel.js';
import { SecureMessaging } from '../sm/secure-messaging.js';
import { GMRTD_AA } from '../testing/vectors.js';
import { verifyActiveAuthenticationExchange } from '../verify/active-auth.js';
import { internalAuthenticate, internalAuthenticateCommand } from './active-auth.js';

const H = (b: Uint8Array) => hex(b).toUpperCase();

// gmrtd activeauth/active_auth_test.go TestDoActiveAuth (GMRTD_AA in testing/vectors.ts): RSA-1792, 9796-2, SHA-256.
const DG15 = fromHex(GMRTD_AA.dg15);
const RND_IFD = fromHex(GMRTD_AA.rndIfd);
const SIGNATURE = fromHex(GMRTD_AA.signature);
const KS_ENC = fromHex(GMRTD_AA.ksEnc);
const KS_MAC = fromHex(GMRTD_AA.ksMac);

/** The chip's protected answer, built here from 9303-11 §9.8 (3DES: IV 0, retail MAC over SSC ‖ DO87 ‖ DO99). */
function protected3desResponse(ssc: Uint8Array, data: Uint8Array, sw: number): string {
  const dos = concat(
    tlv(0x87, Uint8Array.of(1), tdesCbc(KS_ENC, new Uint8Array(8), pad(data), true)),
    tlv(0x99, u16(sw)),
  );
  return H(concat(dos, tlv(0x8e, retailMac(KS_MAC, pad(concat(ssc, dos)))), u16(sw)));
}

describe('INTERNAL AUTHENTICATE', () => {
  it('reproduces the gmrtd real-card command byte-exact and verifies the signature with DG15', async () => {
    const t = new ScriptedTransport([
      [GMRTD_AA.command, protected3desResponse(fromHex('00000000000000CE'), SIGNATURE, 0x9000)],
    ]);
    const channel = new SecureChannel(
      new PlainChannel(t),
      new SecureMessaging('3DES', KS_ENC, KS_MAC, fromHex(GMRTD_AA.ssc)),
    );
    const key = activeAuthenticationKey(DG15)!;
    expect(expectedSignatureLength(key)).toBe(224);
    const exchange = await internalAuthenticate(channel, { challenge: RND_IFD, expectedLength: 224 });
    expect(t.finished).toBe(true);
    expect(H(exchange.response)).toBe(H(SIGNATURE));
    const verdict = verifyActiveAuthenticationExchange({ ...exchange, dg15: DG15 });
    expect(verdict).toMatchObject({ status: 'valid', algorithm: 'rsa-iso9796-2-sha256' });
    const other = verifyActiveAuthenticationExchange({
      ...exchange,
      challenge: fromHex('0000000000000000'),
      dg15: DG15,
    });
    expect(other.status).toBe('invalid');
  });

  it('uses extended Le only when the protected answer cannot fit a short response and the link allows it', () => {
    const short = decodeCommand(encodeCommand(internalAuthenticateCommand(RND_IFD)));
    expect(short).toMatchObject({ ne: 256 });
    expect(short.extended).toBeUndefined();
    const sm = new SecureMessaging('AES-128', new Uint8Array(16), new Uint8Array(16));
    const wrapped = sm.wrap(internalAuthenticateCommand(RND_IFD, { needsExtended: true }));
    expect(wrapped.extended).toBe(true);
    expect(H(wrapped.data!.subarray(19, 23))).toBe('97020000');
    expect(() => internalAuthenticateCommand(new Uint8Array(7))).toThrow(EmrtdError);
  });

  it('maps refusals to typed errors', async () => {
    const t = new ScriptedTransport([
      ['*', protected3desResponse(fromHex('0000000000000002'), new Uint8Array(0), 0x6d00)],
    ]);
    const channel = new SecureChannel(new PlainChannel(t), new SecureMessaging('3DES', KS_ENC, KS_MAC));
    await expect(internalAuthenticate(channel)).rejects.toMatchObject({ code: 'card-error', sw: 0x6d00 });
  });

  it('tells a short-only link that cannot carry the signature apart from a chip refusal (6700)', async () => {
    const answer = (n: number) => [
      ['*', protected3desResponse(fromHex(`000000000000000${n}`), new Uint8Array(0), 0x6700)],
    ];
    const run = (expectedLength: number, extendedLength: boolean) => {
      const t = new ScriptedTransport(answer(2) as [string, string][]);
      const channel = new SecureChannel(new PlainChannel(t), new SecureMessaging('3DES', KS_ENC, KS_MAC));
      return internalAuthenticate(channel, { expectedLength, extendedLength });
    };
    // RSA-2048: 256 bytes + SM framing > 258 on a short-only link → the reader is the limit.
    await expect(run(256, false)).rejects.toMatchObject({ code: 'unsupported', sw: 0x6700 });
    // RSA-1024 fits a short answer: 6700 is the chip's own refusal.
    await expect(run(128, false)).rejects.toMatchObject({ code: 'card-error', sw: 0x6700 });
  });
});
