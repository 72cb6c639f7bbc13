/**
 * ISO/IEC 7816-4 §5.1 command APDU decoding and response encoding, card side. Decoding never throws: a malformed
 * APDU yields the status word a card answers with.
 */

/** Status words the applet answers with (ISO/IEC 7816-4 §5.6, ICAO 9303-11 §9.8). */
export const SW = {
  OK: 0x9000,
  END_OF_FILE: 0x6282,
  VERIFICATION_FAILED: 0x6300,
  WRONG_LENGTH: 0x6700,
  LAST_COMMAND_EXPECTED: 0x6883,
  CHAINING_NOT_SUPPORTED: 0x6884,
  LOGICAL_CHANNEL_NOT_SUPPORTED: 0x6881,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTH_METHOD_BLOCKED: 0x6983,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  NO_CURRENT_EF: 0x6986,
  SM_DATA_MISSING: 0x6987,
  SM_DATA_INCORRECT: 0x6988,
  WRONG_DATA: 0x6a80,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  INCORRECT_P1P2: 0x6a86,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  WRONG_P1P2: 0x6b00,
  /** 6Cxx: wrong Le, xx = the exact length available (OR it with the length). */
  WRONG_LE: 0x6c00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  NO_PRECISE_DIAGNOSIS: 0x6f00,
} as const;

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  /** Maximum response data length Ne (256 for a short Le = 00, 65536 for an extended Le = 0000); 0 when absent. */
  ne: number;
  /** True when the APDU used the extended length encoding (ISO/IEC 7816-4 §5.1, Lc/Le of 3/2 bytes). */
  extended: boolean;
}

export type ApduParse = { ok: true; apdu: CommandApdu } | { ok: false; sw: number };

/** Decodes cases 1, 2S/2E, 3S/3E and 4S/4E. Anything else is answered 6700, as the length is inconsistent. */
export function parseCommandApdu(bytes: Uint8Array): ApduParse {
  if (bytes.length < 4) return { ok: false, sw: SW.WRONG_LENGTH };
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const make = (data: Uint8Array, ne: number, extended: boolean): ApduParse => ({
    ok: true,
    apdu: { cla, ins, p1, p2, data, ne, extended },
  });
  const n = bytes.length;
  if (n === 4) return make(new Uint8Array(0), 0, false);
  const b4 = bytes[4]!;
  if (n === 5) return make(new Uint8Array(0), b4 === 0 ? 256 : b4, false);
  if (b4 !== 0) {
    if (n === 5 + b4) return make(bytes.slice(5), 0, false);
    if (n === 6 + b4) {
      const le = bytes[n - 1]!;
      return make(bytes.slice(5, 5 + b4), le === 0 ? 256 : le, false);
    }
    return { ok: false, sw: SW.WRONG_LENGTH };
  }
  // b4 = 00 and more bytes follow: extended length.
  if (n === 7) {
    const le = (bytes[5]! << 8) | bytes[6]!;
    return make(new Uint8Array(0), le === 0 ? 65536 : le, true);
  }
  if (n < 8) return { ok: false, sw: SW.WRONG_LENGTH };
  const lc = (bytes[5]! << 8) | bytes[6]!;
  if (lc === 0) return { ok: false, sw: SW.WRONG_LENGTH };
  if (n === 7 + lc) return make(bytes.slice(7), 0, true);
  if (n === 9 + lc) {
    const le = (bytes[n - 2]! << 8) | bytes[n - 1]!;
    return make(bytes.slice(7, 7 + lc), le === 0 ? 65536 : le, true);
  }
  return { ok: false, sw: SW.WRONG_LENGTH };
}

/** Response APDU: data ‖ SW1 SW2. */
export function response(sw: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = (sw >> 8) & 0xff;
  out[data.length + 1] = sw & 0xff;
  return out;
}

/** The status word at the end of a response (0 when the response is shorter than 2 bytes). */
export function statusWord(rapdu: Uint8Array): number {
  if (rapdu.length < 2) return 0;
  return (rapdu[rapdu.length - 2]! << 8) | rapdu[rapdu.length - 1]!;
}

/** Encodes a command APDU, choosing short or extended length as needed (for tests and tools). */
export function encodeCommandApdu(c: Omit<CommandApdu, 'extended'> & { extended?: boolean }): Uint8Array {
  const extended = c.extended ?? (c.data.length > 255 || c.ne > 256);
  const header = [c.cla, c.ins, c.p1, c.p2];
  const body: number[] = [];
  if (c.data.length) {
    if (extended) body.push(0, c.data.length >> 8, c.data.length & 0xff);
    else body.push(c.data.length);
    body.push(...c.data);
  }
  if (c.ne) {
    if (extended) {
      if (!c.data.length) body.push(0);
      const le = c.ne === 65536 ? 0 : c.ne;
      body.push(le >> 8, le & 0xff);
    } else body.push(c.ne === 256 ? 0 : c.ne);
  }
  return Uint8Array.from([...header, ...body]);
}
