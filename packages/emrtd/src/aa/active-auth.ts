/**
 * Active Authentication exchange (ICAO 9303-11 §6.1): INTERNAL AUTHENTICATE with an 8-byte challenge, under
 * secure messaging; the chip signs it with the DG15 private key. The signature check itself lives in
 * verify/active-auth.ts (ISO/IEC 9796-2 scheme 1 or ECDSA); `verifyActiveAuthenticationExchange` wires DG15 and
 * DG14's ActiveAuthenticationInfo into it. A caller-supplied challenge binds the answer to a backend's nonce.
 */
import type { CommandApdu } from '../apdu/command.js';
import { expectSw } from '../apdu/status.js';
import { EmrtdError, MalformedData } from '../errors.js';
import type { SecurityInfos } from '../lds/card-access.js';
import { parseDg15 } from '../lds/dg15.js';
import type { SubjectPublicKeyInfo } from '../lds/public-key.js';
import { resolveCurve } from '../pki/ec.js';
import type { SecureChannel } from '../sm/secure-channel.js';
import { smResponseOverhead } from '../sm/secure-messaging.js';
import { type ActiveAuthVerdict, randomChallenge, verifyActiveAuthentication } from '../verify/active-auth.js';

export const AA_CHALLENGE_LENGTH = 8;

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

/** Signature length the DG15 key produces: modulus bytes (RSA) or 2 × order bytes + DER slack (ECDSA). */
export function expectedSignatureLength(key: SubjectPublicKeyInfo): number | undefined {
  if (key.publicKey.kind === 'rsa') return Math.ceil(key.publicKey.modulus.toString(2).length / 8);
  if (key.publicKey.kind === 'ec') {
    const curve = resolveCurve(key.domainParameters);
    return curve ? 2 * curve.params.orderBytes + 8 : undefined;
  }
  return undefined;
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
  if (r.data.length === 0) throw new MalformedData(step, 0, 'empty Active Authentication response');
  return { challenge: challenge.slice(), response: r.data };
}

export interface ActiveAuthenticationVerificationInput extends ActiveAuthenticationExchange {
  /** DG15 file bytes or its parsed key. */
  dg15: Uint8Array | SubjectPublicKeyInfo;
  /** DG14 SecurityInfos: ActiveAuthenticationInfo names the ECDSA hash. */
  dg14?: SecurityInfos;
}

/**
 * Signature-only verdict: whether the chip holding the DG15 key signed the challenge. It means "authentic" only when
 * passive authentication covers DG15 (pass dg15Status to verifyActiveAuthentication for that).
 */
export function verifyActiveAuthenticationExchange(input: ActiveAuthenticationVerificationInput): ActiveAuthVerdict {
  const signatureAlgorithm = input.dg14?.activeAuthenticationInfos[0]?.signatureAlgorithm;
  return verifyActiveAuthentication({
    publicKey: input.dg15,
    challenge: input.challenge,
    response: input.response,
    ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
  });
}

/** Parses DG15 bytes for sizing the exchange; undefined when DG15 is not a key this reader understands. */
export function activeAuthenticationKey(dg15: Uint8Array): SubjectPublicKeyInfo | undefined {
  try {
    return parseDg15(dg15);
  } catch (e) {
    if (e instanceof EmrtdError) return undefined;
    throw e;
  }
}
