/**
 * Basic Access Control (ICAO 9303-11 §4.3): GET CHALLENGE, MUTUAL AUTHENTICATE, session keys from
 * K.IFD ⊕ K.IC, SSC = RND.IC[4..7] ‖ RND.IFD[4..7]. A refused key surfaces as AccessDenied('BAC').
 */
import type { ApduChannel } from '../apdu/channel.js';
import { expectSw } from '../apdu/status.js';
import { concat, equal, utf8, xor } from '../codec/bytes.js';
import { retailMac, tdesCbc } from '../crypto/des.js';
import { sha1 } from '../crypto/hash.js';
import { KDF_ENC, KDF_MAC, kdf } from '../crypto/kdf.js';
import { pad } from '../crypto/padding.js';
import { AccessDenied, MalformedData } from '../errors.js';
import { SecureMessaging } from '../sm/secure-messaging.js';

export interface BacKeys {
  kEnc: Uint8Array;
  kMac: Uint8Array;
}

/** K_seed = SHA-1(MRZ_information)[0..15]; K_enc, K_mac = KDF(K_seed, 1 / 2) with DES parity (§9.7.2). */
export function deriveBacKeys(mrzInformation: string): BacKeys {
  const seed = sha1(utf8(mrzInformation)).slice(0, 16);
  return { kEnc: kdf(seed, KDF_ENC, '3DES'), kMac: kdf(seed, KDF_MAC, '3DES') };
}

export interface BacOptions {
  /** Test hook for the ICAO worked example: the terminal's RND.IFD (8 bytes). */
  rndIfd?: Uint8Array;
  /** Test hook for the ICAO worked example: the terminal's keying material K.IFD (16 bytes). */
  kIfd?: Uint8Array;
}

export interface BacResult {
  sm: SecureMessaging;
  ksEnc: Uint8Array;
  ksMac: Uint8Array;
  ssc: Uint8Array;
}

const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));

export async function performBac(channel: ApduChannel, keys: BacKeys, options: BacOptions = {}): Promise<BacResult> {
  const challenge = expectSw(
    'GET CHALLENGE',
    await channel.send({ cla: 0x00, ins: 0x84, p1: 0, p2: 0, ne: 8 }, 'GET CHALLENGE'),
  );
  if (challenge.data.length !== 8) throw new MalformedData({ step: 'GET CHALLENGE' }, 0, 'RND.IC is not 8 bytes');
  const rndIc = challenge.data;
  const rndIfd = options.rndIfd ?? random(8);
  const kIfd = options.kIfd ?? random(16);
  const eIfd = tdesCbc(keys.kEnc, new Uint8Array(8), concat(rndIfd, rndIc, kIfd), true);
  const mIfd = retailMac(keys.kMac, pad(eIfd));
  const step = 'MUTUAL AUTHENTICATE';
  const response = expectSw(
    step,
    await channel.send({ cla: 0x00, ins: 0x82, p1: 0, p2: 0, data: concat(eIfd, mIfd), ne: 40 }, step),
    { auth: 'BAC' },
  );
  if (response.data.length !== 40) throw new MalformedData({ step }, 0, 'response is not 40 bytes');
  const eIc = response.data.subarray(0, 32);
  // A MAC or nonce mismatch means the chip did not use our key: treat it as a refusal, not as a crash.
  if (!equal(retailMac(keys.kMac, pad(eIc)), response.data.subarray(32)))
    throw new AccessDenied('BAC', { step: `${step} (chip cryptogram MAC)` });
  const r = tdesCbc(keys.kEnc, new Uint8Array(8), eIc, false);
  if (!equal(r.subarray(0, 8), rndIc) || !equal(r.subarray(8, 16), rndIfd))
    throw new AccessDenied('BAC', { step: `${step} (nonce echo)` });
  const kIc = r.subarray(16, 32);
  const seed = xor(kIfd, kIc);
  const ksEnc = kdf(seed, KDF_ENC, '3DES');
  const ksMac = kdf(seed, KDF_MAC, '3DES');
  const ssc = concat(rndIc.subarray(4, 8), rndIfd.subarray(4, 8));
  return { sm: new SecureMessaging('3DES', ksEnc, ksMac, ssc), ksEnc, ksMac, ssc };
}
