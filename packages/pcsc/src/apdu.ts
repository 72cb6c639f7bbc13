import { MalformedData } from '@cccd/emrtd';

/** A command APDU split into its ISO 7816-4 §5.1 parts. `ne` is the expected response length (256/65536 = max). */
export interface CommandApdu {
  header: Uint8Array;
  data: Uint8Array;
  ne: number | undefined;
  extended: boolean;
}

const bad = (reason: string) => new MalformedData({ step: 'command APDU' }, 0, reason);

/** Decodes cases 1, 2S/2E, 3S/3E and 4S/4E. */
export function parseCommandApdu(apdu: Uint8Array): CommandApdu {
  if (apdu.length < 4) throw bad('shorter than a header');
  const header = apdu.subarray(0, 4);
  const body = apdu.subarray(4);
  if (body.length === 0) return { header, data: new Uint8Array(0), ne: undefined, extended: false };
  if (body.length === 1) return { header, data: new Uint8Array(0), ne: body[0] || 256, extended: false };
  if (body[0] !== 0) {
    const lc = body[0]!;
    if (body.length === 1 + lc) return { header, data: body.subarray(1), ne: undefined, extended: false };
    if (body.length === 2 + lc)
      return { header, data: body.subarray(1, 1 + lc), ne: body[1 + lc] || 256, extended: false };
    throw bad('short Lc does not match the body');
  }
  if (body.length === 3) return { header, data: new Uint8Array(0), ne: u16(body, 1) || 65536, extended: true };
  const lc = u16(body, 1);
  if (lc === 0) throw bad('extended Lc of zero');
  if (body.length === 3 + lc) return { header, data: body.subarray(3), ne: undefined, extended: true };
  if (body.length === 5 + lc)
    return { header, data: body.subarray(3, 3 + lc), ne: u16(body, 3 + lc) || 65536, extended: true };
  throw bad('extended Lc does not match the body');
}

const u16 = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;

/** Re-encodes with the same length form (short/extended) as the original. */
export function encodeCommandApdu({ header, data, ne, extended }: CommandApdu): Uint8Array {
  const parts: number[] = [...header];
  const ext = extended || data.length > 255 || (ne ?? 0) > 256;
  if (data.length > 0) parts.push(...(ext ? [0, data.length >> 8, data.length & 0xff] : [data.length]), ...data);
  if (ne !== undefined) {
    const le = ext ? ne & 0xffff : ne & 0xff;
    if (ext) parts.push(...(data.length === 0 ? [0] : []), le >> 8, le & 0xff);
    else parts.push(le);
  }
  return Uint8Array.from(parts);
}

/** The same command with Le replaced, as a 6Cxx ("wrong Le, exact length xx") answer asks for. */
export function withLe(apdu: Uint8Array, ne: number): Uint8Array {
  return encodeCommandApdu({ ...parseCommandApdu(apdu), ne });
}

/**
 * GET RESPONSE (ISO 7816-4 §11.5.5) for a 61xx answer. It goes in the command's logical channel without the
 * secure-messaging bits: the pending response data is already protected.
 */
export function getResponse(cla: number, sw2: number): Uint8Array {
  const interindustry = (cla & 0x80) === 0;
  const channelCla = !interindustry ? cla : cla & 0x40 ? cla & 0x4f : cla & 0x03;
  return Uint8Array.of(channelCla, 0xc0, 0x00, 0x00, sw2);
}
