/**
 * PACE v2 (ICAO 9303-11 §4.4, BSI TR-03110-2 §3.2): MSE:Set AT, then a chain of four GENERAL AUTHENTICATE commands
 * (CLA 10 for the first three): encrypted nonce, mapping (GM / IM / CAM), key agreement, mutual authentication with
 * tokens over the 7F49 public-key data object. The result is an AES or 3DES secure messaging session with SSC = 0.
 */

import type { ApduChannel } from '../apdu/channel.js';
import { expectSw } from '../apdu/status.js';
import { oidContent } from '../asn1/oid.js';
import { type PaceProtocol, parsePaceOid, type SmCipher } from '../asn1/oids.js';
import { bytesToBig, concat, equal, utf8 } from '../codec/bytes.js';
import { findTlv, readTlv, readTlvs, type Tlv, tlv } from '../codec/tlv.js';
import { aesCbc, aesCmac, aesEcb } from '../crypto/aes.js';
import { retailMac } from '../crypto/des.js';
import {
  type DhDomainParameters,
  type DomainParameters,
  decodeDhElement,
  decodeEcPoint,
  dhPublicKey,
  dhSharedSecret,
  domainParameters,
  type EcDomainParameters,
  type EcPoint,
  ecdhSharedPoint,
  ecdhSharedSecret,
  ecPublicKey,
  encodeDhElement,
  encodeEcPoint,
  randomDhPrivateKey,
  randomEcPrivateKey,
} from '../crypto/domain-params.js';
import { sha1 } from '../crypto/hash.js';
import { KDF_ENC, KDF_MAC, KDF_PI, kdf } from '../crypto/kdf.js';
import { pad, unpad } from '../crypto/padding.js';
import { AccessDenied, EmrtdError, MalformedData } from '../errors.js';
import { SecureMessaging } from '../sm/secure-messaging.js';
import {
  blockEncrypt,
  dhGenericMapping,
  dhPointEncoding,
  ecGenericMapping,
  ecPointEncoding,
  integratedMappingPrf,
  keyLengthOf,
} from './mapping.js';

/** The fields of a PACEInfo the protocol needs (READER-LDS's PaceInfo fits). */
export interface PaceInfoLike {
  oid: string;
  version?: number;
  parameterId?: number;
}

/** PACE password π: reference 01 = MRZ (π = SHA-1(MRZ_information)), 02 = CAN (π = the CAN digits). */
export interface PacePassword {
  kind: 'MRZ' | 'CAN';
  secret: Uint8Array;
}

export function mrzPassword(mrzInformation: string): PacePassword {
  return { kind: 'MRZ', secret: sha1(utf8(mrzInformation)) };
}

export function canPassword(can: string): PacePassword {
  if (!/^\d{6}$/.test(can)) throw new EmrtdError('invalid-argument', 'CAN must be 6 digits');
  return { kind: 'CAN', secret: utf8(can) };
}

/** K_π = KDF_π(π) (§9.7.3). */
export function derivePaceKey(password: PacePassword, cipher: SmCipher): Uint8Array {
  return kdf(password.secret, KDF_PI, cipher);
}

export interface PaceOptions {
  /** When to send tag 0x84 (domain parameter ID) in MSE:Set AT. Default 'when-ambiguous' (9303-11 §4.4.4.1). */
  sendParameterId?: 'when-ambiguous' | 'always' | 'never';
  /** True when EF.CardAccess offers more than one PACE configuration. */
  ambiguous?: boolean;
  /** Test hooks for the ICAO worked examples: fixed ephemeral keys and IM nonce. */
  injected?: { mappingKey?: bigint; agreementKey?: bigint; terminalNonce?: Uint8Array };
}

export interface PaceResult {
  sm: SecureMessaging;
  protocol: PaceProtocol;
  paceInfo: PaceInfoLike;
  parameterId: number;
  ksEnc: Uint8Array;
  ksMac: Uint8Array;
  /** The chip's ephemeral public key (needed e.g. as ID_IC for Terminal Authentication). */
  chipEphemeralPublicKey: Uint8Array;
  /** CAR(s) the chip returned in GA 4 (tags 87/88), when asked for. */
  certificationAuthorityReferences: string[];
  /**
   * PACE-CAM only: decrypted chip authentication data CA_IC (empty when DO'8A' was missing or did not decrypt) and
   * PK_map,IC, to check against the static key of EF.CardSecurity (read/pace-cam.ts).
   */
  chipAuthentication?: {
    data: Uint8Array;
    /** CA_IC under the other readings of the IV (decryptChipAuthenticationData): checked only when `data` fails. */
    alternatives?: Uint8Array[];
    mappingPublicKey: Uint8Array;
  };
}

const PASSWORD_REF = { MRZ: 0x01, CAN: 0x02 } as const;

const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));

/** Authentication token: MAC over 7F49{06 OID, 86 point | 84 DH value} (§4.4.3.4), 8 bytes. */
export function authenticationToken(
  cipher: SmCipher,
  ksMac: Uint8Array,
  oid: string,
  params: DomainParameters,
  publicKey: Uint8Array,
): Uint8Array {
  const input = tlv(0x7f49, tlv(0x06, oidContent(oid)), tlv(params.kind === 'EC' ? 0x86 : 0x84, publicKey));
  return cipher === '3DES' ? retailMac(ksMac, pad(input)) : aesCmac(ksMac, input).slice(0, 8);
}

interface Group {
  params: DomainParameters;
  generator: EcPoint | bigint;
  privateKey(injected?: bigint): bigint;
  publicKey(sk: bigint, generator: EcPoint | bigint): Uint8Array;
  decode(bytes: Uint8Array, what: string): EcPoint | bigint;
}

function groupOf(params: DomainParameters): Group {
  if (params.kind === 'EC') {
    const ec = params as EcDomainParameters;
    return {
      params,
      generator: ec.curve.BASE,
      privateKey: (k) => k ?? randomEcPrivateKey(ec),
      publicKey: (sk, g) => encodeEcPoint(ec, ecPublicKey(ec, sk, g as EcPoint)),
      decode: (b, what) => decodeEcPoint(ec, b, what),
    };
  }
  const dh = params as DhDomainParameters;
  return {
    params,
    generator: dh.g,
    privateKey: (k) => k ?? randomDhPrivateKey(dh),
    publicKey: (sk, g) => encodeDhElement(dh, dhPublicKey(dh, sk, g as bigint)),
    decode: (b, what) => decodeDhElement(dh, b, what),
  };
}

function dynamicAuthenticationData(data: Uint8Array, step: string): Tlv[] {
  const outer = readTlv(data, 0, { step });
  if (outer.tag !== 0x7c || outer.end !== data.length)
    throw new MalformedData({ step }, 0, 'expected one dynamic authentication data object (7C)');
  return readTlvs(outer.value, { step }, outer.headerLength);
}

function requireDo(dos: Tlv[], tag: number, step: string): Uint8Array {
  const d = findTlv(dos, tag);
  if (!d) throw new MalformedData({ step }, 0, `missing data object ${tag.toString(16).toUpperCase()}`);
  return d.value;
}

/**
 * CA_IC from DO'8A' (ICAO 9303-11 §4.4.3.5.1): AES-CBC with KS_Enc, IV = E(KS_Enc, −1) (all one bits), padding
 * method 2. The chip already proved KS_Enc with its token, so a missing, ragged or badly padded DO'8A' is a wrong
 * answer, not a broken PACE: it comes back empty, which no key fits (the CAM check then reports a mismatch).
 *
 * Some implementations read "IV = −1" as the all-ones block itself (JMRTD does), and a zero IV is another plausible
 * slip; in CBC the IV changes only the first plaintext block. No CCCD is known to offer CAM, so the reader also
 * keeps those two readings as alternatives: each is checked against the static key like the first, and a forger
 * gains nothing (three candidates instead of one, each needing SK_IC to fit).
 */
const CAM_IV_READINGS = ['encrypted-ones', 'ones', 'zero'] as const;

function decryptChipAuthenticationData(ksEnc: Uint8Array, encrypted: Uint8Array | undefined): Uint8Array[] {
  if (!encrypted || encrypted.length === 0 || encrypted.length % 16) return [new Uint8Array(0)];
  const ones = new Uint8Array(16).fill(0xff);
  const ivs = { 'encrypted-ones': aesEcb(ksEnc, ones, true), ones, zero: new Uint8Array(16) };
  return CAM_IV_READINGS.map((r) => unpad(aesCbc(ksEnc, ivs[r], encrypted, false))?.slice() ?? new Uint8Array(0));
}

export async function performPace(
  channel: ApduChannel,
  password: PacePassword | { kind: 'MRZ' | 'CAN'; kPi: Uint8Array },
  paceInfo: PaceInfoLike,
  options: PaceOptions = {},
): Promise<PaceResult> {
  const protocol = parsePaceOid(paceInfo.oid);
  if (!protocol) throw new EmrtdError('unsupported', 'not a PACE protocol OID');
  const parameterId = paceInfo.parameterId;
  if (parameterId === undefined)
    throw new EmrtdError('unsupported', 'PACEInfo without a standardized parameter ID (explicit parameters)');
  const params = domainParameters(parameterId);
  if ((params.kind === 'EC') !== (protocol.keyAgreement === 'ECDH'))
    throw new EmrtdError('unsupported', `parameter ID ${parameterId} does not fit ${protocol.keyAgreement}`);
  const { cipher, mapping } = protocol;
  const kPi = 'kPi' in password ? password.kPi : derivePaceKey(password, cipher);
  const group = groupOf(params);
  const injected = options.injected ?? {};

  // 1. MSE:Set AT
  const policy = options.sendParameterId ?? 'when-ambiguous';
  const sendId = policy === 'always' || (policy === 'when-ambiguous' && options.ambiguous === true);
  const setAt = concat(
    tlv(0x80, oidContent(paceInfo.oid)),
    tlv(0x83, Uint8Array.of(PASSWORD_REF[password.kind])),
    sendId ? tlv(0x84, Uint8Array.of(parameterId)) : new Uint8Array(0),
  );
  expectSw('MSE:Set AT', await channel.send({ cla: 0x00, ins: 0x22, p1: 0xc1, p2: 0xa4, data: setAt }, 'MSE:Set AT'));

  const ga = async (step: string, data: Uint8Array, last = false) => {
    const r = await channel.send(
      { cla: last ? 0x00 : 0x10, ins: 0x86, p1: 0, p2: 0, data: tlv(0x7c, data), ne: 256 },
      step,
    );
    return dynamicAuthenticationData(expectSw(step, r, { auth: 'PACE' }).data, step);
  };

  // 2. Encrypted nonce
  const z = requireDo(await ga('GENERAL AUTHENTICATE (encrypted nonce)', new Uint8Array(0)), 0x80, 'GA 1');
  if (z.length === 0 || z.length % (cipher === '3DES' ? 8 : 16) !== 0)
    throw new MalformedData({ step: 'GA 1' }, 0, 'encrypted nonce is not whole blocks');
  const s = blockEncrypt(cipher, kPi, z, false);
  if (mapping === 'IM' && s.length < keyLengthOf(cipher))
    throw new MalformedData({ step: 'GA 1' }, 0, 'nonce shorter than the key size required by Integrated Mapping');

  // 3. Mapping
  let generator: EcPoint | bigint;
  let mappingPublicKeyIc: Uint8Array | undefined;
  if (mapping === 'IM') {
    const t = injected.terminalNonce ?? random(keyLengthOf(cipher));
    await ga('GENERAL AUTHENTICATE (map nonce)', tlv(0x81, t));
    const x = integratedMappingPrf(cipher, s, t, params.kind === 'EC' ? params.curve.CURVE().p : params.p);
    generator = params.kind === 'EC' ? ecPointEncoding(params, x) : dhPointEncoding(params, x);
  } else {
    const skMap = group.privateKey(injected.mappingKey);
    const pkMap = group.publicKey(skMap, group.generator);
    const step = 'GENERAL AUTHENTICATE (map nonce)';
    mappingPublicKeyIc = requireDo(await ga(step, tlv(0x81, pkMap)), 0x82, 'GA 2');
    if (equal(mappingPublicKeyIc, pkMap)) throw new AccessDenied('PACE', { step: 'GA 2 (mirrored key)' });
    if (params.kind === 'EC') {
      const h = ecdhSharedPoint(params, skMap, decodeEcPoint(params, mappingPublicKeyIc, 'GA 2'));
      generator = ecGenericMapping(params, s, h);
    } else {
      const h = decodeDhElement(params, mappingPublicKeyIc, 'GA 2');
      const hShared = bytesToBig(dhSharedSecret(params, skMap, h));
      generator = dhGenericMapping(params, s, hShared);
    }
  }

  // 4. Key agreement on the mapped generator
  const sk = group.privateKey(injected.agreementKey);
  const pkIfd = group.publicKey(sk, generator);
  const pkIc = requireDo(await ga('GENERAL AUTHENTICATE (key agreement)', tlv(0x83, pkIfd)), 0x84, 'GA 3');
  if (equal(pkIc, pkIfd)) throw new AccessDenied('PACE', { step: 'GA 3 (mirrored key)' });
  const peer = group.decode(pkIc, 'GA 3');
  const shared =
    params.kind === 'EC' ? ecdhSharedSecret(params, sk, peer as EcPoint) : dhSharedSecret(params, sk, peer as bigint);
  const ksEnc = kdf(shared, KDF_ENC, cipher);
  const ksMac = kdf(shared, KDF_MAC, cipher);

  // 5. Mutual authentication
  const tIfd = authenticationToken(cipher, ksMac, paceInfo.oid, params, pkIc);
  const dos = await ga('GENERAL AUTHENTICATE (mutual authentication)', tlv(0x85, tIfd), true);
  const tIc = requireDo(dos, 0x86, 'GA 4');
  if (!equal(tIc, authenticationToken(cipher, ksMac, paceInfo.oid, params, pkIfd)))
    throw new AccessDenied('PACE', { step: 'GA 4 (chip authentication token)' });
  const cars = dos.filter((d) => d.tag === 0x87 || d.tag === 0x88).map((d) => new TextDecoder().decode(d.value));
  let chipAuthentication: PaceResult['chipAuthentication'];
  if (mapping === 'CAM') {
    const [data, ...alternatives] = decryptChipAuthenticationData(ksEnc, findTlv(dos, 0x8a)?.value);
    chipAuthentication = { data: data!, alternatives, mappingPublicKey: mappingPublicKeyIc ?? new Uint8Array(0) };
  }
  return {
    sm: new SecureMessaging(cipher, ksEnc, ksMac),
    protocol,
    paceInfo,
    parameterId,
    ksEnc,
    ksMac,
    chipEphemeralPublicKey: pkIc,
    certificationAuthorityReferences: cars,
    ...(chipAuthentication ? { chipAuthentication } : {}),
  };
}
