/**
 * PACE with Chip Authentication Mapping, the terminal's check (ICAO 9303-11 §4.4.3.3.3 and §4.4.3.5.2, BSI
 * TR-03110-2 §3.4.2): the chip maps with an ephemeral key SK_Map,IC and sends CA_IC = SK_IC⁻¹ · SK_Map,IC mod n,
 * encrypted, in GA 4. The terminal checks PK_Map,IC = CA_IC · PK_IC with PK_IC, the static key from EF.CardSecurity:
 * only a chip holding SK_IC can produce a CA_IC that fits the mapping key it committed to before the nonce
 * exchange ended. The whole point is compared, not only the x-coordinate (ECKA's shared secret), which would also
 * accept −PK_Map,IC.
 */
import { bytesToBig } from '../codec/bytes.js';
import { decodeEcPoint, type EcDomainParameters } from '../crypto/domain-params.js';

export type ChipAuthenticationMappingCheck =
  | { match: true }
  /** bad-ca-ic: CA_IC is 0 or not below n (no valid chip sends that); mismatch: CA_IC · PK_IC ≠ PK_Map,IC. */
  | { match: false; why: 'bad-ca-ic' | 'mismatch' };

/**
 * Checks the CAM data of one PACE run. `caIc` is the decrypted CA_IC, `mappingPublicKey` the chip's PK_Map,IC
 * from GA 2, `staticPublicKey` PK_IC (uncompressed point). Throws MalformedData when a point does not decode.
 */
export function checkChipAuthenticationMapping(
  params: EcDomainParameters,
  caIc: Uint8Array,
  mappingPublicKey: Uint8Array,
  staticPublicKey: Uint8Array,
): ChipAuthenticationMappingCheck {
  const n = params.curve.CURVE().n;
  const ca = bytesToBig(caIc);
  const pkMap = decodeEcPoint(params, mappingPublicKey, 'PACE-CAM mapping key');
  const pkIc = decodeEcPoint(params, staticPublicKey, 'PACE-CAM static key');
  if (ca <= 0n || ca >= n) return { match: false, why: 'bad-ca-ic' };
  return pkIc.multiply(ca).equals(pkMap) ? { match: true } : { match: false, why: 'mismatch' };
}
