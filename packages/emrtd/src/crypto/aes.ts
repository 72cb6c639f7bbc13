import { cbc, cmac, ecb } from '@noble/ciphers/aes.js';

/** AES-CBC without padding (ICAO SM pads itself). */
export function aesCbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const c = cbc(key, iv, { disablePadding: true });
  return encrypt ? c.encrypt(data) : c.decrypt(data);
}

export function aesEcb(key: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const c = ecb(key, { disablePadding: true });
  return encrypt ? c.encrypt(data) : c.decrypt(data);
}

/** AES-CMAC (RFC 4493), full 16 bytes; ICAO uses the first 8. */
export function aesCmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  return cmac(data, key);
}
