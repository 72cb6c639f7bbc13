import { SW } from './apdu.js';
import type { CryptoWork } from './link.js';

/** What a command handler produces before secure messaging is applied. */
export interface Outcome {
  sw: number;
  data?: Uint8Array;
  /** Runs after the (possibly protected) response is built: starts a new SM session. */
  after?: () => void;
  /** Send in clear and end the session (SM errors). */
  abortSecureMessaging?: boolean;
  /** The tag leaves the field instead of answering. */
  removed?: boolean;
  work?: CryptoWork;
}

/** 6987/6988: the status words of a secure-messaging error (ICAO 9303-11 §9.8.7). */
export function isSmError(sw: number): boolean {
  return sw === SW.SM_DATA_MISSING || sw === SW.SM_DATA_INCORRECT;
}

/** A chip option's refusal; 6987/6988 under SM end the session like any SM error. */
export function refusal(sw: number, secure: boolean): Outcome {
  return { sw, abortSecureMessaging: secure && isSmError(sw) };
}
