import { bytesToBig, caOid, domainParameters, KDF_ENC, KDF_MAC, kdf } from '@cccd/emrtd/codec';
import { SW } from '../apdu.js';
import type { ChipAuthenticationKey } from '../image.js';
import { cardGroup } from './group.js';
import { SecureMessaging } from './secure-messaging.js';

export type ChipAuthOutcome = { ok: true; sm: SecureMessaging } | { ok: false; sw: number };

/** The id-CA-* OID this chip's key answers to (ICAO 9303-11 §9.2.5). */
export function chipAuthenticationOid(key: ChipAuthenticationKey): string {
  return caOid(key.keyAgreement, key.cipher);
}

/**
 * Chip side of Chip Authentication (ICAO 9303-11 §6.2): static-ephemeral key agreement with the terminal's
 * ephemeral public key, then new session keys KS_enc/KS_mac and a fresh SSC of zeros. The caller answers the
 * command under the old keys and switches to the returned session afterwards.
 *
 * `faultyResponseKeys` models a chip that completes the key agreement but protects its answers under keys derived
 * with another private key (SK + 1): commands still verify, answers do not (chip option ca=fails-new-keys).
 */
export function chipAuthenticate(
  key: ChipAuthenticationKey,
  ephemeralPublicKey: Uint8Array,
  options: { faultyResponseKeys?: boolean } = {},
): ChipAuthOutcome {
  let group: ReturnType<typeof cardGroup>;
  try {
    group = cardGroup(domainParameters(key.parameterId));
  } catch {
    return { ok: false, sw: SW.CONDITIONS_NOT_SATISFIED };
  }
  try {
    const peer = group.decode(ephemeralPublicKey);
    const shared = group.multiply(peer, bytesToBig(key.privateKey));
    if (group.isIdentity(shared)) return { ok: false, sw: SW.WRONG_DATA };
    const keysFrom = (k: Uint8Array) => ({ ksEnc: kdf(k, KDF_ENC, key.cipher), ksMac: kdf(k, KDF_MAC, key.cipher) });
    const keys = keysFrom(group.secret(shared));
    const responseKeys = options.faultyResponseKeys
      ? keysFrom(group.secret(group.multiply(peer, bytesToBig(key.privateKey) + 1n)))
      : undefined;
    const ssc = new Uint8Array(key.cipher === '3DES' ? 8 : 16);
    return { ok: true, sm: new SecureMessaging(key.cipher, keys.ksEnc, keys.ksMac, ssc, responseKeys) };
  } catch {
    return { ok: false, sw: SW.WRONG_DATA };
  }
}
