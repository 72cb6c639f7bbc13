/**
 * Active Authentication exchange (ICAO 9303-11 §6.1): INTERNAL AUTHENTICATE with an 8-byte challenge, under
 * secure messaging; the chip signs it with the DG15 private key. The signature check lives in
 * verify/active-auth.ts (ISO/IEC 9796-2 scheme 1 or ECDSA), sizing the answer from DG15 in read/aa-key.ts.
 * A caller-supplied challenge binds the answer to a backend's nonce.
 */
import type { CommandApdu } from '../apdu/command.js';
import { expectSw } from '../apdu/status.js';
import { EmrtdError, MalformedData } from '../errors.js';
import type { SecureChannel } from '../sm/secure-channel.js';
import { smResponseOverhead } from '../sm/secure-messaging.js';

export const AA_CHALLENGE_LENGTH = 8;

/** A fresh random 8-byte challenge (WebCrypto getRandomValues, present in Node ≥ 19 and browsers). */
export function randomChallenge(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(8));
}

export interface ActiveAuthenticationExchange {
  challenge: Uint8Array;
  response: Uint8Array;
}

export interface InternalAuthenticateOptions {
  /** 8 bytes; random when absent. */
  challenge?: Uint8Array;
  /** Expected signature length (see expectedSignatureLength); unknown → short Le '00'. */
  expectedLength?: number;
  /** The transport carries extended-length APDUs. */
  extendedLength?: boolean;
}

/**
 * INTERNAL AUTHENTICATE (00 88 00 00, Lc 08). Le '00' (short) unless the protected answer cannot fit a short
 * response and the link has extended length; chips that answer short Le with 61xx are followed by the channel.
 */
export function internalAuthenticateCommand(
  challenge: Uint8Array,
  options: { needsExtended?: boolean } = {},
): CommandApdu {
  if (challenge.length !== AA_CHALLENGE_LENGTH)
    throw new EmrtdError('invalid-argument', `the AA challenge must be ${AA_CHALLENGE_LENGTH} bytes`);
  const base = { cla: 0x00, ins: 0x88, p1: 0x00, p2: 0x00, data: challenge };
  return options.needsExtended ? { ...base, ne: 65536, extended: true } : { ...base, ne: 256, extended: false };
}

export async function internalAuthenticate(
  channel: SecureChannel,
  options: InternalAuthenticateOptions = {},
): Promise<ActiveAuthenticationExchange> {
  const challenge = options.challenge ?? randomChallenge();
  const n = options.expectedLength;
  const tooLongForShort = n !== undefined && n + smResponseOverhead(channel.sm.cipher, n) + 2 > 258;
  const needsExtended = options.extendedLength === true && tooLongForShort;
  const step = 'INTERNAL AUTHENTICATE';
  const answer = await channel.send(internalAuthenticateCommand(challenge, { needsExtended }), step);
  // A signature that cannot fit a short answer, refused for its length (short Le, or an extended APDU the chip
  // does not take): the link, not the chip's will, is the limit.
  if (answer.sw === 0x6700 && tooLongForShort) {
    throw new EmrtdError('unsupported', `${step}: the signature needs extended length, which this link lacks`, {
      step,
      sw: answer.sw,
    });
  }
  const r = expectSw(step, answer, { auth: 'AA' });
  if (r.data.length === 0) throw new MalformedData({ step }, 0, 'empty Active Authentication response');
  return { challenge: challenge.slice(), response: r.data };
}
