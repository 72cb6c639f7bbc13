import {
  aesCbc,
  aesCmac,
  aesEcb,
  bigToBytes,
  bytesToBig,
  concat,
  equal,
  pad,
  readTlvs,
  retailMac,
  type SmCipher,
  type Tlv,
  tdesCbc,
  tlv,
  unpad,
} from '@cccd/emrtd/codec';
import { type ApduParse, type CommandApdu, SW } from '../apdu.js';

/** DO tags of ICAO 9303-11 §9.8 / ISO 7816-4 §10. */
const DO_CRYPTOGRAM_BER = 0x85; // odd INS: plain value is BER-TLV, no padding-content indicator
const DO_CRYPTOGRAM = 0x87;
const DO_LE = 0x97;
const DO_STATUS = 0x99;
const DO_MAC = 0x8e;

/** True when CLA announces secure messaging with an authenticated header (b4 b3 = 11). */
export function isSecureMessagingCla(cla: number): boolean {
  return (cla & 0x0c) === 0x0c;
}

/**
 * The chip's half of a secure messaging session: verifies and decrypts commands, encrypts and MACs responses.
 * The SSC is incremented before verifying each command and before protecting each response (9303-11 §9.8.2).
 */
export class SecureMessaging {
  private counter: bigint;
  private readonly sscLength: number;
  private readonly blockSize: number;

  private readonly responseKeys: { ksEnc: Uint8Array; ksMac: Uint8Array };

  constructor(
    readonly cipher: SmCipher,
    private readonly ksEnc: Uint8Array,
    private readonly ksMac: Uint8Array,
    ssc: Uint8Array,
    /** Keys for protecting responses when they differ from the command keys (the ca=fails-new-keys chip). */
    responseKeys?: { ksEnc: Uint8Array; ksMac: Uint8Array },
  ) {
    this.blockSize = cipher === '3DES' ? 8 : 16;
    this.sscLength = ssc.length;
    this.counter = bytesToBig(ssc);
    this.responseKeys = responseKeys ?? { ksEnc, ksMac };
  }

  /** Session keys, for tests that replay worked examples. */
  get keys(): { ksEnc: Uint8Array; ksMac: Uint8Array } {
    return { ksEnc: this.ksEnc.slice(), ksMac: this.ksMac.slice() };
  }

  get ssc(): Uint8Array {
    return bigToBytes(this.counter, this.sscLength);
  }

  /** Advances the SSC once more than the protocol says (the wrong-ssc fault). */
  skipSsc(): void {
    this.increment();
  }

  private increment(): void {
    this.counter = (this.counter + 1n) % (1n << BigInt(8 * this.sscLength));
  }

  mac(data: Uint8Array, ksMac = this.ksMac): Uint8Array {
    const padded = pad(data, this.blockSize);
    return this.cipher === '3DES' ? retailMac(ksMac, padded) : aesCmac(ksMac, padded).slice(0, 8);
  }

  private iv(ksEnc: Uint8Array): Uint8Array {
    // 3DES: IV = 0 (9303-11 §9.8.6.1); AES: IV = E(KSenc, SSC) (§9.8.6.2).
    return this.cipher === '3DES' ? new Uint8Array(8) : aesEcb(ksEnc, this.ssc, true);
  }

  private crypt(data: Uint8Array, encrypt: boolean, ksEnc = this.ksEnc): Uint8Array {
    return this.cipher === '3DES'
      ? tdesCbc(ksEnc, this.iv(ksEnc), data, encrypt)
      : aesCbc(ksEnc, this.iv(ksEnc), data, encrypt);
  }

  /**
   * Verifies a protected command and returns its plain equivalent. 6987 when DOs are missing, 6988 when they are
   * wrong (bad MAC, bad padding, unknown DO); the caller must then drop the session.
   */
  unwrapCommand(apdu: CommandApdu): ApduParse {
    this.increment();
    let dos: Tlv[];
    try {
      dos = readTlvs(apdu.data, 'SM command');
    } catch {
      return { ok: false, sw: SW.SM_DATA_INCORRECT };
    }
    const order = [DO_CRYPTOGRAM_BER, DO_CRYPTOGRAM, DO_LE, DO_MAC];
    let last = -1;
    for (const d of dos) {
      const rank = order.indexOf(d.tag);
      if (rank < 0 || rank <= last || (rank === 1 && last === 0)) return { ok: false, sw: SW.SM_DATA_INCORRECT };
      last = rank;
    }
    const macDo = dos.find((d) => d.tag === DO_MAC);
    if (!macDo) return { ok: false, sw: SW.SM_DATA_MISSING };
    if (macDo.length !== 8) return { ok: false, sw: SW.SM_DATA_INCORRECT };
    const header = pad(Uint8Array.of(apdu.cla, apdu.ins, apdu.p1, apdu.p2), this.blockSize);
    const covered = apdu.data.subarray(0, macDo.offset);
    if (!equal(this.mac(concat(this.ssc, header, covered)), macDo.value))
      return { ok: false, sw: SW.SM_DATA_INCORRECT };

    let data: Uint8Array = new Uint8Array(0);
    const cryptogram = dos.find((d) => d.tag === DO_CRYPTOGRAM || d.tag === DO_CRYPTOGRAM_BER);
    if (cryptogram) {
      let body = cryptogram.value;
      if (cryptogram.tag === DO_CRYPTOGRAM) {
        if (body[0] !== 0x01) return { ok: false, sw: SW.SM_DATA_INCORRECT };
        body = body.subarray(1);
      }
      if (body.length === 0 || body.length % this.blockSize !== 0) return { ok: false, sw: SW.SM_DATA_INCORRECT };
      const plain = unpad(this.crypt(body, false));
      if (!plain) return { ok: false, sw: SW.SM_DATA_INCORRECT };
      data = plain.slice();
    }
    let ne = 0;
    const le = dos.find((d) => d.tag === DO_LE);
    if (le) {
      if (le.length === 1) ne = le.value[0]! || 256;
      else if (le.length === 2) ne = (le.value[0]! << 8) | le.value[1]! || 65536;
      else return { ok: false, sw: SW.SM_DATA_INCORRECT };
    }
    return {
      ok: true,
      apdu: {
        cla: apdu.cla & ~0x0c,
        ins: apdu.ins,
        p1: apdu.p1,
        p2: apdu.p2,
        data,
        ne,
        // A one-byte DO'97' is a short Le (00 = 256), a two-byte one an extended Le (short-le00 tells them apart).
        extended: data.length > 255 || (le ? le.length === 2 : apdu.extended),
      },
    };
  }

  /**
   * Protects a response: DO'87' (DO'85' for odd INS) with the encrypted data, DO'99' with the status word and
   * DO'8E' with the MAC, followed by the same status word in clear.
   */
  wrapResponse(sw: number, data: Uint8Array, oddIns: boolean, options: { corruptMac?: boolean } = {}): Uint8Array {
    this.increment();
    const parts: Uint8Array[] = [];
    if (data.length) {
      const enc = this.crypt(pad(data, this.blockSize), true, this.responseKeys.ksEnc);
      parts.push(oddIns ? tlv(DO_CRYPTOGRAM_BER, enc) : tlv(DO_CRYPTOGRAM, Uint8Array.of(1), enc));
    }
    parts.push(tlv(DO_STATUS, Uint8Array.of(sw >> 8, sw & 0xff)));
    const mac = this.mac(concat(this.ssc, ...parts), this.responseKeys.ksMac);
    if (options.corruptMac) mac[0] = mac[0]! ^ 0x01;
    return concat(...parts, tlv(DO_MAC, mac), Uint8Array.of(sw >> 8, sw & 0xff));
  }

  /** Length of the protected response data (without SW) for `dataLength` bytes of plain data. */
  protectedLength(dataLength: number, oddIns: boolean): number {
    const statusAndMac = 4 + 10;
    if (!dataLength) return statusAndMac;
    const body = (Math.floor(dataLength / this.blockSize) + 1) * this.blockSize + (oddIns ? 0 : 1);
    const lengthBytes = body < 0x80 ? 1 : body <= 0xff ? 2 : body <= 0xffff ? 3 : 4;
    return 1 + lengthBytes + body + statusAndMac;
  }
}
