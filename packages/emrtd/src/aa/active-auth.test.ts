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
import { verifyActiveAuthenticationExchange } from '../verify/active-auth.js';
import { internalAuthenticate, internalAuthenticateCommand } from './active-auth.js';

const H = (b: Uint8Array) => hex(b).toUpperCase();

// gmrtd activeauth/active_auth_test.go TestDoActiveAuth (/tmp/icao-vectors.md §5b): RSA-1792, 9796-2, SHA-256.
const DG15 = fromHex(
  '6F8201023081FF300D06092A864886F70D01010105000381ED003081E90281E100BB8F93F4DC95E205CDA17C6927AB1E365B13065D03CD12E0FCE95D96840529453202F56CC4C13F77CD062930C8BC89A2873B257045C286E601CF3C09323A53103314902804AA10A314628CE222206A8866946A36B442041BB54AC81E6855DD1D6E16101833D65A191C20AC8B33B8A1A32920F46043F8031CF2BC17417030865FC5BE5A39DEE423BCBA3CA8177168EB23CFE01BA43EC87711B1CFFF85DB46F300DD8AE317B50D543B573E119E23AF7070D0B2FED6A3B2313A5EC02A531AAED1741F4390D1013E2A0F081EAC5DC8B0A1B2C6BDB1206F08D30E3643E1E5BDF536110203010001',
);
const RND_IFD = fromHex('96302B0F3D7E7864');
const SIGNATURE = fromHex(
  '474256306840C0AB1B63C10E1C26BDFEF4A0DD843920283CC4E6E70A60F2BD25DC7725F9677BC1CDE66379DC28B38E8490F33AFB2D10F9980C44C0BFC175D2B6684218F535C92FDD3E18DB770A9CCBF91DB3C7F0138E6D9E94B9BC8371761E3ABED5E5E9B260279CFB238B58AE0D6A01DA51C74C2A3ECD62C448BD9F20127F7384587287FA971204234E55B1A856C3E5AAAA620BB799A68FBAE08EE132BB61683EBA9B0B40DC1E54641CAD975B16991CAB50AF82E3F3985AFD19E7427A125F5B4B9878B12A5D2E01C7EEDCA3BB41C6FC05DCCD818BCE379D04B1F2F5D43487D3',
);
const KS_ENC = fromHex('B99D546108EAA251570876B6D3456DCE');
const KS_MAC = fromHex('E3857CA24946251C151C540E13F2CD51');

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
      [
        '0C88000020871101ED7F8CB47A4EEA086324A7F9DD7427809701008E0897F54BAE49AA71F800',
        protected3desResponse(fromHex('00000000000000CE'), SIGNATURE, 0x9000),
      ],
    ]);
    const channel = new SecureChannel(
      new PlainChannel(t),
      new SecureMessaging('3DES', KS_ENC, KS_MAC, fromHex('00000000000000CC')),
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
