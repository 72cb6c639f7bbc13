import {
  bigToBytes,
  caOid,
  concat,
  domainParameters,
  encodeEcPoint,
  KDF_ENC,
  KDF_MAC,
  kdf,
  oidContent,
  type SmCipher,
  tlv,
} from '@cccd/emrtd/codec';
import type { ChipAuthenticationKey } from '../image.js';

/** A brainpoolP256r1 (parameter 13) CA key pair from a private scalar in hex. */
export function ecCaKey(cipher: SmCipher, privateHex: string, keyId?: number): ChipAuthenticationKey {
  const params = domainParameters(13);
  if (params.kind !== 'EC') throw new Error('EC');
  const sk = BigInt(`0x${privateHex}`);
  return {
    keyAgreement: 'ECDH',
    cipher,
    parameterId: 13,
    ...(keyId === undefined ? {} : { keyId }),
    privateKey: bigToBytes(sk, 32),
    publicKey: encodeEcPoint(params, params.curve.BASE.multiply(sk)),
  };
}

/** Terminal side of the key agreement: K = x(SK_eph · PK_chip), then KDF with the CA cipher. */
export function terminalCaKeys(key: ChipAuthenticationKey, ephemeral: bigint) {
  const params = domainParameters(13);
  if (params.kind !== 'EC') throw new Error('EC');
  const shared = params.curve.fromBytes(key.publicKey).multiply(ephemeral).toAffine().x;
  const k = bigToBytes(shared, 32);
  const pk = encodeEcPoint(params, params.curve.BASE.multiply(ephemeral));
  return { pk, ksEnc: kdf(k, KDF_ENC, key.cipher), ksMac: kdf(k, KDF_MAC, key.cipher) };
}

/** Data of MSE:Set AT for CA (tag 80 = the key's id-CA OID, optional 84 = key ID). */
export function caMseData(key: ChipAuthenticationKey): Uint8Array {
  const oid = tlv(0x80, oidContent(caOid(key.keyAgreement, key.cipher)));
  return key.keyId === undefined ? oid : concat(oid, tlv(0x84, Uint8Array.of(key.keyId)));
}
