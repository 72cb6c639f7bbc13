/**
 * What the Chip Authentication exchange needs (ICAO 9303-11 §6.2, BSI TR-03110-3 A.1.2.2/A.1.2.3): the protocol,
 * the key-agreement group and the chip's static key. Choosing them from DG14 is the reader's part
 * (read/ca-selection.ts): DG14 is an LDS file, and this layer sits below the LDS.
 */
import type { ChipAuthenticationProtocol } from '../asn1/oids.js';
import type { EcDomainParameters } from '../crypto/domain-params.js';
import { modPow } from '../crypto/domain-params.js';
import { MalformedData } from '../errors.js';

/** A DH group from the chip's key; `q` is absent when the chip gave PKCS #3 parameters without it. */
export interface CaDhGroup {
  kind: 'DH';
  p: bigint;
  g: bigint;
  q?: bigint;
  /** Bytes of p: public values and the shared secret are encoded on this many bytes (9303-11 §9.4.1). */
  byteLength: number;
  /** Standardized parameter ID when the group is one of RFC 5114's (9303-11 §9.5.1), else undefined. */
  parameterId?: number;
}

export interface CaEcGroup {
  kind: 'ECDH';
  params: EcDomainParameters;
  /** True when the SPKI carried explicit parameters that were matched to `params.name`. */
  explicit: boolean;
}

export type CaGroup = CaEcGroup | CaDhGroup;

export interface ChipAuthenticationParameters {
  protocol: ChipAuthenticationProtocol;
  /** True when DG14 had no usable ChipAuthenticationInfo and CA v1 with 3DES was inferred from the key. */
  inferred: boolean;
  /** Key reference sent as 0x84 (only when DG14 names it or several keys make it necessary). */
  keyId?: number;
  group: CaGroup;
  /** The chip's static public key as used in the key agreement (04‖X‖Y, or the DH value on byteLength bytes). */
  chipPublicKey: Uint8Array;
}

/** 1 < y < p-1 and, when q is known, y^q = 1 (the value lies in the prime-order subgroup). */
export function checkDhValue(group: CaDhGroup, y: bigint, what: string): bigint {
  if (y <= 1n || y >= group.p - 1n) throw new MalformedData(what, 0, 'DH value out of range');
  if (group.q !== undefined && modPow(y, group.q, group.p) !== 1n)
    throw new MalformedData(what, 0, 'DH value not in the prime-order subgroup');
  return y;
}
