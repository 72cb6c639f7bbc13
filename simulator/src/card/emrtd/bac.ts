import { concat, digest, equal, KDF_ENC, KDF_MAC, kdf, pad, retailMac, tdesCbc, utf8, xor } from '@cccd/emrtd/codec';
import { SW } from '../apdu.js';
import { SecureMessaging } from './secure-messaging.js';

/** Document basic access keys K_enc / K_mac from MRZ_information (ICAO 9303-11 §9.7.2, §4.3). */
export function bacKeys(mrzInformation: string): { kEnc: Uint8Array; kMac: Uint8Array } {
  const kSeed = digest('SHA-1', utf8(mrzInformation)).slice(0, 16);
  return { kEnc: kdf(kSeed, KDF_ENC, '3DES'), kMac: kdf(kSeed, KDF_MAC, '3DES') };
}

export type BacOutcome = { ok: true; data: Uint8Array; sm: SecureMessaging } | { ok: false; sw: number };

/**
 * The chip's side of MUTUAL AUTHENTICATE (9303-11 §4.3.4.2): checks M_IFD, decrypts E_IFD, checks that the
 * terminal echoed RND.IC, then answers E_IC ‖ M_IC and derives the session keys and SSC.
 */
export function bacMutualAuthenticate(
  keys: { kEnc: Uint8Array; kMac: Uint8Array },
  rndIc: Uint8Array,
  commandData: Uint8Array,
  random: (n: number) => Uint8Array,
): BacOutcome {
  if (commandData.length !== 40) return { ok: false, sw: SW.WRONG_LENGTH };
  const eIfd = commandData.subarray(0, 32);
  const mIfd = commandData.subarray(32, 40);
  if (!equal(retailMac(keys.kMac, pad(eIfd)), mIfd)) return { ok: false, sw: SW.VERIFICATION_FAILED };
  const s = tdesCbc(keys.kEnc, new Uint8Array(8), eIfd, false);
  const rndIfd = s.subarray(0, 8);
  if (!equal(s.subarray(8, 16), rndIc)) return { ok: false, sw: SW.VERIFICATION_FAILED };
  const kIfd = s.subarray(16, 32);

  const kIc = random(16);
  const eIc = tdesCbc(keys.kEnc, new Uint8Array(8), concat(rndIc, rndIfd, kIc), true);
  const mIc = retailMac(keys.kMac, pad(eIc));
  const seed = xor(kIfd, kIc);
  const ssc = concat(rndIc.subarray(4, 8), rndIfd.subarray(4, 8));
  const sm = new SecureMessaging('3DES', kdf(seed, KDF_ENC, '3DES'), kdf(seed, KDF_MAC, '3DES'), ssc);
  return { ok: true, data: concat(eIc, mIc), sm };
}
