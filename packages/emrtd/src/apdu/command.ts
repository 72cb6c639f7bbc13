/**
 * Command APDU encoding (ISO/IEC 7816-4 §5.1): cases 1-4, short and extended length.
 * `ne` is the number of response bytes expected: undefined = no Le field, 256 (short) or 65536 (extended) = "as many
 * as available" (Le = 00 / 0000).
 */
import { EmrtdError } from '../errors.js';

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  /** Expected response length Ne (1..65536); undefined means no Le field. */
  ne?: number;
  /** Force extended-length encoding even when short would fit. */
  extended?: boolean;
}

const SHORT_MAX_LC = 255;
const SHORT_MAX_NE = 256;
const EXTENDED_MAX_LC = 65535;
const EXTENDED_MAX_NE = 65536;

const byte = (n: number, what: string) => {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new EmrtdError('invalid-argument', `${what} must be one byte`);
  return n;
};

/** True when the command needs (or asks for) extended-length encoding. */
export function isExtended(c: CommandApdu): boolean {
  return c.extended === true || (c.data?.length ?? 0) > SHORT_MAX_LC || (c.ne ?? 0) > SHORT_MAX_NE;
}

export function encodeCommand(c: CommandApdu): Uint8Array {
  const header = [byte(c.cla, 'CLA'), byte(c.ins, 'INS'), byte(c.p1, 'P1'), byte(c.p2, 'P2')];
  const data = c.data ?? new Uint8Array(0);
  const ne = c.ne;
  if (data.length > EXTENDED_MAX_LC) throw new EmrtdError('invalid-argument', 'command data longer than 65535 bytes');
  if (ne !== undefined && (!Number.isInteger(ne) || ne < 1 || ne > EXTENDED_MAX_NE))
    throw new EmrtdError('invalid-argument', 'Ne must be 1..65536');
  const ext = isExtended(c);
  const out: number[] = [...header];
  if (!ext) {
    if (data.length) out.push(data.length, ...data);
    if (ne !== undefined) out.push(ne === SHORT_MAX_NE ? 0 : ne);
    return Uint8Array.from(out);
  }
  if (data.length) out.push(0, data.length >> 8, data.length & 0xff, ...data);
  if (ne !== undefined) {
    const le = ne === EXTENDED_MAX_NE ? 0 : ne;
    if (!data.length) out.push(0);
    out.push(le >> 8, le & 0xff);
  }
  return Uint8Array.from(out);
}

/** Parses an encoded command APDU (used by tests, fuzzing and logging); malformed encodings are invalid-argument. */
export function decodeCommand(bytes: Uint8Array): CommandApdu {
  const bad = (why: string) => new EmrtdError('invalid-argument', `malformed command APDU: ${why}`);
  if (bytes.length < 4) throw bad('shorter than 4 bytes');
  const [cla, ins, p1, p2] = bytes as unknown as [number, number, number, number];
  const body = bytes.subarray(4);
  const base = { cla, ins, p1, p2 };
  if (body.length === 0) return base;
  if (body.length === 1) return { ...base, ne: body[0] || 256 };
  if (body[0] !== 0 || body.length === 2) {
    // short form
    const lc = body[0]!;
    if (lc === 0) throw bad('short Lc of 0');
    if (body.length === 1 + lc) return { ...base, data: body.slice(1) };
    if (body.length === 2 + lc) return { ...base, data: body.slice(1, 1 + lc), ne: body[1 + lc] || 256 };
    throw bad('length does not match Lc');
  }
  // extended form: body[0] == 0
  if (body.length === 3) return { ...base, ne: (body[1]! << 8) | body[2]! || 65536, extended: true };
  const lc = (body[1]! << 8) | body[2]!;
  if (lc === 0) throw bad('extended Lc of 0');
  if (body.length === 3 + lc) return { ...base, data: body.slice(3), extended: true };
  if (body.length === 5 + lc) {
    const le = (body[3 + lc]! << 8) | body[4 + lc]!;
    return { ...base, data: body.slice(3, 3 + lc), ne: le || 65536, extended: true };
  }
  throw bad('length does not match extended Lc');
}
