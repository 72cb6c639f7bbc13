import {
  aesCbc,
  aesCmac,
  aesEcb,
  bigToBytes,
  bytesToBig,
  concat,
  domainParameters,
  equal,
  KDF_ENC,
  KDF_MAC,
  KDF_PI,
  kdf,
  modPow,
  oidContent,
  paceOid,
  pad,
  readTlvs,
  retailMac,
  type SmCipher,
  type Tlv,
  tdesCbc,
  tlv,
} from '@cccd/emrtd/codec';
import { SW } from '../apdu.js';
import type { PaceConfig } from '../image.js';
import { type CardGroup, cardGroup, type GroupElement } from './group.js';
import { integratedMap, integratedMappingSupported } from './integrated-mapping.js';
import { SecureMessaging } from './secure-messaging.js';

/** PACE password references of MSE:Set AT tag 83 (TR-03110-3 D.3). */
export const PACE_PASSWORD = { MRZ: 1, CAN: 2, PIN: 3, PUK: 4 } as const;

export type PaceStepResult =
  | { ok: true; data: Uint8Array; established?: SecureMessaging }
  | { ok: false; sw: number /** The protocol run is over (a new MSE:Set AT is needed). */; abort: boolean };

export type PaceStage = 'nonce' | 'map' | 'agree' | 'auth' | 'done';

/** Token MAC of ICAO 9303-11 §4.4.3.4: CMAC (unpadded) for AES, retail MAC (padded) for 3DES; 8 bytes. */
export function paceMac(cipher: SmCipher, key: Uint8Array, data: Uint8Array): Uint8Array {
  return cipher === '3DES' ? retailMac(key, pad(data)) : aesCmac(key, data).slice(0, 8);
}

function blockCrypt(cipher: SmCipher, key: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  return cipher === '3DES'
    ? tdesCbc(key, new Uint8Array(8), data, encrypt)
    : aesCbc(key, new Uint8Array(16), data, encrypt);
}

/** Whether the chip can run this configuration at all (domain parameters known, IM variant implemented). */
export function paceConfigSupported(config: PaceConfig): boolean {
  try {
    const params = domainParameters(config.parameterId);
    if ((params.kind === 'EC') !== (config.keyAgreement === 'ECDH')) return false;
    // ICAO 9303-11 §4.4.3.3.3 defines CAM for ECDH with AES only.
    if (config.mapping === 'CAM') return params.kind === 'EC' && config.cipher !== '3DES';
    return config.mapping === 'GM' || integratedMappingSupported(config.cipher, cardGroup(params));
  } catch {
    return false;
  }
}

/**
 * One PACE run on the chip (ICAO 9303-11 §4.4, TR-03110-2 §3.2), driven by the four GENERAL AUTHENTICATE
 * commands: encrypted nonce, mapping (GM: ephemeral key exchange; IM: terminal nonce), key agreement, mutual
 * authentication. `random` supplies the nonce and the chip's private keys, so worked examples can be replayed.
 */
export class PaceChipSession {
  private stage: PaceStage = 'nonce';
  private readonly group: CardGroup;
  private readonly oid: string;
  private readonly blockSize: number;
  private s: Uint8Array = new Uint8Array(0);
  private generator: GroupElement | undefined;
  private pkIc: Uint8Array = new Uint8Array(0);
  private pkIfd: Uint8Array = new Uint8Array(0);
  private ksEnc: Uint8Array = new Uint8Array(0);
  private ksMac: Uint8Array = new Uint8Array(0);
  private skMap = 0n;

  constructor(
    private readonly config: PaceConfig,
    private readonly password: Uint8Array,
    private readonly random: (n: number) => Uint8Array,
    /** K_pi given directly, for worked examples whose K_pi has no published password (Appendix H). */
    private readonly piKey?: Uint8Array,
    /** PACE-CAM: the static private key SK_IC that CA_IC is computed with. */
    private readonly camKey?: bigint,
    /** PACE-CAM: the IV reading CA_IC is encrypted with (chip option pace-cam-iv). */
    private readonly camIv: 'encrypted-ones' | 'ones' | 'zero' = 'encrypted-ones',
  ) {
    this.group = cardGroup(domainParameters(config.parameterId));
    this.oid = paceOid(config.keyAgreement, config.mapping, config.cipher);
    this.blockSize = config.cipher === '3DES' ? 8 : 16;
  }

  /** The step the next GENERAL AUTHENTICATE performs. */
  get currentStage(): PaceStage {
    return this.stage;
  }

  get parameterId(): number {
    return this.config.parameterId;
  }

  get finished(): boolean {
    return this.stage === 'done';
  }

  /** Whether the next step is the last of the chain (mutual authentication), i.e. sent without CLA chaining. */
  get expectsLastCommand(): boolean {
    return this.stage === 'auth';
  }

  /** Processes the content of the 7C dynamic authentication data object of one GENERAL AUTHENTICATE. */
  step(content: Uint8Array): PaceStepResult {
    let dos: Tlv[];
    try {
      dos = readTlvs(content, 'dynamic authentication data');
    } catch {
      return this.fail(SW.WRONG_DATA);
    }
    const only = (tag: number) => (dos.length === 1 && dos[0]!.tag === tag ? dos[0]!.value : undefined);
    try {
      switch (this.stage) {
        case 'nonce':
          return dos.length ? this.fail(SW.WRONG_DATA) : this.encryptedNonce();
        case 'map': {
          const v = only(0x81);
          return v ? this.map(v) : this.fail(SW.WRONG_DATA);
        }
        case 'agree': {
          const v = only(0x83);
          return v ? this.agree(v) : this.fail(SW.WRONG_DATA);
        }
        case 'auth': {
          const v = only(0x85);
          return v ? this.authenticate(v) : this.fail(SW.WRONG_DATA);
        }
        default:
          return this.fail(SW.CONDITIONS_NOT_SATISFIED);
      }
    } catch {
      // Invalid peer element (not on the curve, out of range): the data are wrong.
      return this.fail(SW.WRONG_DATA);
    }
  }

  private fail(sw: number): PaceStepResult {
    this.stage = 'done';
    return { ok: false, sw, abort: true };
  }

  private encryptedNonce(): PaceStepResult {
    this.s = this.random(this.blockSize);
    const kPi = this.piKey ?? kdf(this.password, KDF_PI, this.config.cipher);
    const z = blockCrypt(this.config.cipher, kPi, this.s, true);
    this.stage = 'map';
    return { ok: true, data: tlv(0x7c, tlv(0x80, z)) };
  }

  private map(mappingData: Uint8Array): PaceStepResult {
    const g = this.group;
    if (this.config.mapping === 'IM') {
      if (mappingData.length !== this.blockSize) return this.fail(SW.WRONG_DATA);
      this.generator = integratedMap(g, this.s, mappingData);
      this.stage = 'agree';
      return { ok: true, data: tlv(0x7c) };
    }
    const pkMapIfd = g.decode(mappingData);
    const skMap = g.randomPrivate(this.random);
    this.skMap = skMap;
    const pkMapIc = g.multiply(g.generator, skMap);
    const h = g.multiply(pkMapIfd, skMap);
    const mapped = g.combine(g.multiply(g.generator, bytesToBig(this.s)), h);
    if (g.isIdentity(mapped)) return this.fail(SW.WRONG_DATA);
    this.generator = mapped;
    this.stage = 'agree';
    return { ok: true, data: tlv(0x7c, tlv(0x82, g.encode(pkMapIc))) };
  }

  private agree(pkIfdBytes: Uint8Array): PaceStepResult {
    const g = this.group;
    const pkIfd = g.decode(pkIfdBytes);
    const sk = g.randomPrivate(this.random);
    const pkIc = g.multiply(this.generator!, sk);
    // TR-03110-2 §3.2: the ephemeral keys of both sides must differ (a reflected key is an attack).
    if (g.equals(pkIc, pkIfd)) return this.fail(SW.WRONG_DATA);
    const shared = g.multiply(pkIfd, sk);
    if (g.isIdentity(shared)) return this.fail(SW.WRONG_DATA);
    const k = g.secret(shared);
    this.ksEnc = kdf(k, KDF_ENC, this.config.cipher);
    this.ksMac = kdf(k, KDF_MAC, this.config.cipher);
    this.pkIc = g.encode(pkIc);
    this.pkIfd = g.encode(pkIfd);
    this.stage = 'auth';
    return { ok: true, data: tlv(0x7c, tlv(0x84, this.pkIc)) };
  }

  private token(publicKey: Uint8Array): Uint8Array {
    const input = tlv(0x7f49, tlv(0x06, oidContent(this.oid)), tlv(this.group.publicKeyTag, publicKey));
    return paceMac(this.config.cipher, this.ksMac, input);
  }

  private authenticate(tIfd: Uint8Array): PaceStepResult {
    if (!equal(tIfd, this.token(this.pkIc))) {
      this.stage = 'done';
      return { ok: false, sw: SW.VERIFICATION_FAILED, abort: true };
    }
    const tIc = this.token(this.pkIfd);
    this.stage = 'done';
    const established = new SecureMessaging(this.config.cipher, this.ksEnc, this.ksMac, new Uint8Array(this.blockSize));
    const cam = this.config.mapping === 'CAM' ? tlv(0x8a, this.encryptedChipAuthenticationData()) : new Uint8Array(0);
    return { ok: true, data: tlv(0x7c, concat(tlv(0x86, tIc), cam)), established };
  }

  /**
   * A_IC of ICAO 9303-11 §4.4.3.5.1: CA_IC = SK_IC⁻¹ · SK_Map,IC mod n as an octet string of the order's length,
   * padded (ISO/IEC 9797-1 method 2) and encrypted with KS_Enc in CBC mode, IV = E(KS_Enc, -1) (all one bits).
   */
  private encryptedChipAuthenticationData(): Uint8Array {
    const params = this.group.params;
    if (params.kind !== 'EC' || this.camKey === undefined) throw new RangeError('PACE-CAM needs an EC static key');
    const n = params.curve.CURVE().n;
    // n is prime: SK_IC⁻¹ = SK_IC^(n-2) mod n.
    const caIc = (modPow(this.camKey % n, n - 2n, n) * this.skMap) % n;
    const ones = new Uint8Array(16).fill(0xff);
    const iv =
      this.camIv === 'zero' ? new Uint8Array(16) : this.camIv === 'ones' ? ones : aesEcb(this.ksEnc, ones, true);
    return aesCbc(this.ksEnc, iv, pad(bigToBytes(caIc, Math.ceil(n.toString(2).length / 8)), 16), true);
  }
}
