/** Names of the commands an eMRTD reader sends (ICAO 9303-11, ISO/IEC 7816-4), from the APDU header alone. */
import { swHex } from '../apdu/status.js';
import type { ApduTraceEntry } from './trace.js';

const MSE: Record<number, string> = {
  49572: 'MSE:Set AT (PACE)',
  16804: 'MSE:Set AT (CA)',
  16806: 'MSE:Set KAT (CA)',
  33206: 'MSE:Set DST (TA)',
  33188: 'MSE:Set AT (TA)',
};

const SELECT: Record<number, string> = { 0: 'SELECT MF', 2: 'SELECT EF', 4: 'SELECT AID' };

const INS: Record<number, string> = {
  132: 'GET CHALLENGE',
  130: 'MUTUAL AUTHENTICATE',
  134: 'GENERAL AUTHENTICATE',
  136: 'INTERNAL AUTHENTICATE',
  192: 'GET RESPONSE',
  202: 'GET DATA',
};

export const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

/** 'READ BINARY', 'SELECT EF', 'MSE:Set AT (CA)', … or 'INS xx'. */
export function commandName(e: Pick<ApduTraceEntry, 'ins' | 'p1' | 'p2'>): string {
  if (e.ins === 0xb0) return e.p1 & 0x80 ? 'READ BINARY (SFI)' : 'READ BINARY';
  if (e.ins === 0xb1) return 'READ BINARY (odd INS)';
  if (e.ins === 0xa4) return SELECT[e.p1] ?? 'SELECT';
  if (e.ins === 0x22) return MSE[(e.p1 << 8) | e.p2] ?? 'MSE';
  return INS[e.ins] ?? `INS ${hex2(e.ins)}`;
}

export const isReadBinary = (e: Pick<ApduTraceEntry, 'ins'>) => e.ins === 0xb0 || e.ins === 0xb1;

/** 9000, 61xx (more data) and 6282 (end of file) are answers, not refusals. */
export const isSuccess = (sw: number) => sw === 0x9000 || sw >> 8 === 0x61 || sw === 0x6282;

/** An exchange the chip refused (an error SW) or that failed on the link. */
export const isRefusal = (e: Pick<ApduTraceEntry, 'sw' | 'error'>) =>
  e.error !== undefined || (e.sw !== undefined && !isSuccess(e.sw));

export { swHex };
