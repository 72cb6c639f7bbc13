/** Status words (ISO/IEC 7816-4 §5.6, ICAO 9303-11) with names, and the mapping of failures to typed errors. */
import { AccessDenied, CardError, FileNotFound, SecureMessagingError, SecurityStatusNotSatisfied } from '../errors.js';
import type { ResponseApdu } from './response.js';

export const SW = {
  OK: 0x9000,
  END_OF_FILE_WARNING: 0x6282,
  AUTHENTICATION_FAILED: 0x6300,
  WRONG_LENGTH: 0x6700,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTHENTICATION_METHOD_BLOCKED: 0x6983,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  SM_DATA_OBJECTS_MISSING: 0x6987,
  SM_DATA_OBJECTS_INCORRECT: 0x6988,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  INCORRECT_P1P2: 0x6a86,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  WRONG_PARAMETERS_OFFSET: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  NO_PRECISE_DIAGNOSIS: 0x6f00,
} as const;

const NAMES: Record<number, string> = {
  36864: 'success',
  25218: 'end of file reached before Le bytes',
  25344: 'authentication failed',
  25985: 'memory failure',
  26368: 'wrong length',
  26754: 'secure messaging not supported',
  27010: 'security status not satisfied',
  27011: 'authentication method blocked',
  27012: 'reference data not usable',
  27013: 'conditions of use not satisfied',
  27014: 'command not allowed (no current EF)',
  27015: 'expected secure messaging data objects missing',
  27016: 'secure messaging data objects incorrect',
  27264: 'incorrect parameters in the data field',
  27265: 'function not supported',
  27266: 'file or application not found',
  27270: 'incorrect parameters P1-P2',
  27272: 'referenced data not found',
  27392: 'wrong parameters (offset outside the EF)',
  27904: 'instruction not supported',
  28160: 'class not supported',
  28416: 'no precise diagnosis',
};

/** A human-readable name for a status word (never contains data). */
export function swName(sw: number): string {
  const exact = NAMES[sw];
  if (exact) return exact;
  const sw1 = sw >> 8;
  if (sw1 === 0x61) return `${sw & 0xff} response bytes still available`;
  if (sw1 === 0x6c) return `wrong Le: ${sw & 0xff} bytes available`;
  if ((sw & 0xfff0) === 0x63c0) return `verification failed, ${sw & 0x0f} tries left`;
  return 'unknown status';
}

export const swHex = (sw: number) => sw.toString(16).toUpperCase().padStart(4, '0');

export interface ExpectOptions {
  /** Status words accepted as success (default 9000). */
  accept?: number[];
  /** Set at access-control steps: 6300/63Cx/6982/6983 then mean the key was refused. */
  auth?: 'BAC' | 'PACE' | 'CA' | 'AA';
  /** File name for FileNotFound / SecurityStatusNotSatisfied (defaults to the step). */
  file?: string;
}

/** Maps a status word to the typed error for `step` (without checking whether it is a success). */
export function errorForSw(step: string, sw: number, options: ExpectOptions = {}): Error {
  if (options.auth && (sw === 0x6300 || (sw & 0xfff0) === 0x63c0 || sw === 0x6982 || sw === 0x6983))
    return new AccessDenied(options.auth, { step, sw, retriable: false });
  if (sw === 0x6a82) return new FileNotFound(options.file ?? step, { step, sw });
  if (sw === 0x6982) return new SecurityStatusNotSatisfied(options.file ?? step, { step, sw });
  if (sw === 0x6987 || sw === 0x6988)
    return new SecureMessagingError(`${step}: ${swName(sw)}`, {
      step,
      sw,
      ...(options.file ? { file: options.file } : {}),
    });
  return new CardError(step, sw, options.file === undefined ? {} : { file: options.file });
}

/** Returns the response when its SW is accepted, otherwise throws the typed error for `step`. */
export function expectSw(step: string, response: ResponseApdu, options: ExpectOptions = {}): ResponseApdu {
  const accept = options.accept ?? [0x9000];
  if (accept.includes(response.sw)) return response;
  throw errorForSw(step, response.sw, options);
}
