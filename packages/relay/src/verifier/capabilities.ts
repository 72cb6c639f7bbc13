/**
 * The card side's capabilities, clamped: it may say what its link carries, but the verifier believes only numbers
 * inside what ISO/IEC 7816-4 allows, and a link that does not claim extended length gets short-APDU limits.
 */
import type { TransportCapabilities } from '@cccd/emrtd';
import type { z } from 'zod';
import {
  type capabilitiesSchema,
  MAX_COMMAND_APDU,
  MAX_RESPONSE_APDU,
  MIN_COMMAND_APDU,
  MIN_RESPONSE_APDU,
} from '../protocol.js';

const clamp = (n: number | undefined, min: number, max: number, fallback: number) =>
  n === undefined ? fallback : Math.min(max, Math.max(min, n));

export function clampCapabilities(reported: z.infer<typeof capabilitiesSchema> | undefined): TransportCapabilities {
  const extended = reported?.extendedLength === true;
  const maxCommand = extended ? MAX_COMMAND_APDU : MIN_COMMAND_APDU;
  const maxResponse = extended ? MAX_RESPONSE_APDU : MIN_RESPONSE_APDU;
  return {
    extendedLength: extended,
    maxCommandLength: clamp(reported?.maxCommandLength, MIN_COMMAND_APDU, maxCommand, maxCommand),
    maxResponseLength: clamp(reported?.maxResponseLength, MIN_RESPONSE_APDU, maxResponse, maxResponse),
  };
}
