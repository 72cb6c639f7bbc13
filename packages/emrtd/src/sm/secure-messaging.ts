/**
 * ICAO 9303-11 §9.8 secure messaging: 3DES (retail MAC, IV = 0) and AES (CMAC truncated to 8 bytes,
 * IV = E(KSenc, SSC)). The SSC is incremented before wrapping each command and before unwrapping each response.
 * Any doubt about the SSC (no answer, an unprotected answer, a bad MAC) ends the session: `broken` stays true and
 * every later use throws SecureMessagingError, so the caller re-authenticates instead of reusing a desynced SSC.
 */

import { type CommandApdu, isExtended } from '../apdu/command.js';
import type { ResponseApdu } from '../apdu/response.js';
import { errorForSw } from '../apdu/status.js';
import type { SmCipher } from '../asn1/oids.js';
import { concat, equal } from '../codec/bytes.js';
import { readTlvs, type Tlv, tlv } from '../codec/tlv.js';
import { aesCbc, aesCmac, aesEcb } from '../crypto/aes.js';
import { retailMac, tdesCbc } from '../crypto/des.js';
import { pad, unpad } from '../crypto/padding.js';
import { EmrtdError, SecureMessagingError } from '../errors.js';

export const SM_MAC_LENGTH = 8;

/** Bytes of SM framing around a protected response of `plainLength` bytes: DO87 header + padding + DO99 + DO8E. */
export function smResponseOverhead(cipher: SmCipher, plainLength: number): number {
  const bs = blockSizeOf(cipher);
  const padded = (Math.floor(plainLength / bs) + 1) * bs;
  const lenBytes = padded + 1 < 0x80 ? 1 : padded + 1 <= 0xff ? 2 : 3;
  return 1 + lenBytes + 1 + (padded - plainLength) + 4 + 2 + SM_MAC_LENGTH;
}

export function blockSizeOf(cipher: SmCipher): number {
  return cipher === '3DES' ? 8 : 16;
}

export class SecureMessaging {
  private counter: Uint8Array;
  private isBroken = false;
  readonly blockSize: number;

  constructor(
    readonly cipher: SmCipher,
    private readonly ksEnc: Uint8Array,
    private readonly ksMac: Uint8Array,
    ssc?: Uint8Array,
  ) {
    this.blockSize = blockSizeOf(cipher);
    const keyLength = cipher === '3DES' || cipher === 'AES-128' ? 16 : cipher === 'AES-192' ? 24 : 32;
    if (ksEnc.length !== keyLength || ksMac.length !== keyLength)
      throw new EmrtdError('invalid-argument', `${cipher} session keys must be ${keyLength} bytes`);
    this.counter = ssc ? ssc.slice() : new Uint8Array(this.blockSize);
    if (this.counter.length !== this.blockSize)
      throw new EmrtdError('invalid-argument', `SSC must be ${this.blockSize} bytes for ${cipher}`);
  }

  /** A copy of the current send sequence counter. */
  get ssc(): Uint8Array {
    return this.counter.slice();
  }

  /** True once the session can no longer be trusted (re-run access control). */
  get broken(): boolean {
    return this.isBroken;
  }

  invalidate(): void {
    this.isBroken = true;
  }

  /** Protects a command (ICAO 9303-11 §9.8.4). Advances the SSC. */
  wrap(command: CommandApdu): CommandApdu {
    this.assertUsable();
    this.incrementSsc();
    const bs = this.blockSize;
    const cla = command.cla | 0x0c;
    const header = pad(Uint8Array.of(cla, command.ins, command.p1, command.p2), bs);
    const dos: Uint8Array[] = [];
    if (command.data?.length) {
      const cryptogram = this.encrypt(pad(command.data, bs));
      // Odd INS carries BER-TLV data: DO'85' without the padding-content indicator.
      dos.push(command.ins & 1 ? tlv(0x85, cryptogram) : tlv(0x87, Uint8Array.of(0x01), cryptogram));
    }
    // `extended: false` pins a short DO'97' (Le '00' = up to 256 bytes), as real-card CA/AA transcripts send it.
    const ext = command.extended === false ? false : isExtended(command) || this.responseNeedsExtended(command.ne);
    if (command.ne !== undefined) {
      const le = command.ne >= (ext ? 65536 : 256) ? 0 : command.ne;
      dos.push(tlv(0x97, ext ? Uint8Array.of(le >> 8, le & 0xff) : Uint8Array.of(le & 0xff)));
    }
    const mac = this.mac(concat(header, ...dos));
    const data = concat(...dos, tlv(0x8e, mac));
    const extended = ext || data.length > 255;
    return { cla, ins: command.ins, p1: command.p1, p2: command.p2, data, ne: extended ? 65536 : 256, extended };
  }

  /**
   * Verifies and decrypts a protected response (§9.8.5). Advances the SSC. An unprotected error status is returned
   * as is (the caller maps it), but the session is marked broken; an unprotected 9000, 6987 or 6988 throws.
   */
  unwrap(response: ResponseApdu, step = 'secure messaging'): ResponseApdu {
    this.assertUsable();
    this.incrementSsc();
    if (response.data.length === 0) {
      this.isBroken = true;
      if (response.sw === 0x9000)
        throw new SecureMessagingError(`${step}: unprotected success response refused`, { step, sw: response.sw });
      if (response.sw === 0x6987 || response.sw === 0x6988) throw errorForSw(step, response.sw);
      return response;
    }
    let dos: Tlv[];
    try {
      dos = readTlvs(response.data, 'SM response');
    } catch {
      throw this.fail(step, 'malformed SM data objects', response.sw);
    }
    const macIndex = dos.findIndex((d) => d.tag === 0x8e);
    const macDo = dos[macIndex];
    if (!macDo || macIndex !== dos.length - 1 || macDo.length !== SM_MAC_LENGTH)
      throw this.fail(step, 'DO8E missing or misplaced', response.sw);
    const covered = response.data.subarray(0, macDo.offset);
    if (!equal(this.mac(covered), macDo.value)) throw this.fail(step, 'response MAC mismatch', response.sw);
    const statusDo = dos.find((d) => d.tag === 0x99);
    if (statusDo?.length !== 2) throw this.fail(step, 'DO99 missing', response.sw);
    const sw = (statusDo.value[0]! << 8) | statusDo.value[1]!;
    if (sw !== response.sw) throw this.fail(step, 'DO99 status differs from the response status', response.sw);
    const dataDo = dos.find((d) => d.tag === 0x87 || d.tag === 0x85);
    if (!dataDo) return { data: new Uint8Array(0), sw };
    let cryptogram = dataDo.value;
    if (dataDo.tag === 0x87) {
      if (cryptogram[0] !== 0x01) throw this.fail(step, 'unknown padding-content indicator', sw);
      cryptogram = cryptogram.subarray(1);
    }
    if (cryptogram.length === 0 || cryptogram.length % this.blockSize !== 0)
      throw this.fail(step, 'cryptogram is not whole blocks', sw);
    const plain = unpad(this.decrypt(cryptogram));
    if (!plain) throw this.fail(step, 'bad padding in the decrypted data', sw);
    return { data: plain.slice(), sw };
  }

  private responseNeedsExtended(ne: number | undefined): boolean {
    if (ne === undefined) return false;
    return ne + smResponseOverhead(this.cipher, ne) > 256;
  }

  private fail(step: string, reason: string, sw: number): SecureMessagingError {
    this.isBroken = true;
    return new SecureMessagingError(`${step}: ${reason}`, { step, sw });
  }

  private assertUsable(): void {
    if (this.isBroken) throw new SecureMessagingError('session lost: re-run access control', { retriable: true });
  }

  private incrementSsc(): void {
    for (let i = this.counter.length - 1; i >= 0; i--) {
      this.counter[i] = (this.counter[i]! + 1) & 0xff;
      if (this.counter[i] !== 0) break;
    }
  }

  private iv(): Uint8Array {
    return this.cipher === '3DES' ? new Uint8Array(8) : aesEcb(this.ksEnc, this.counter, true);
  }

  private encrypt(padded: Uint8Array): Uint8Array {
    return this.cipher === '3DES'
      ? tdesCbc(this.ksEnc, this.iv(), padded, true)
      : aesCbc(this.ksEnc, this.iv(), padded, true);
  }

  private decrypt(cryptogram: Uint8Array): Uint8Array {
    return this.cipher === '3DES'
      ? tdesCbc(this.ksEnc, this.iv(), cryptogram, false)
      : aesCbc(this.ksEnc, this.iv(), cryptogram, false);
  }

  /** MAC over pad(SSC ‖ input): retail MAC for 3DES, CMAC truncated to 8 bytes for AES. */
  private mac(input: Uint8Array): Uint8Array {
    const n = pad(concat(this.counter, input), this.blockSize);
    return this.cipher === '3DES' ? retailMac(this.ksMac, n) : aesCmac(this.ksMac, n).slice(0, SM_MAC_LENGTH);
  }
}
